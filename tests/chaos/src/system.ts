import { join } from 'node:path';
import { DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import {
  GetQueueAttributesCommand,
  ListQueuesCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { readMailbox } from '@outboxed/local-aws';
import type { LocalRuntime, StartLocalRuntimeOptions } from '@outboxed/local-runtime';

/**
 * What a scenario needs to reach the system, whether it runs in this process or in a child process.
 *
 * @example const { api } = sut.endpoints();
 */
export interface Endpoints {
  readonly api: string;
  readonly dynamodb: string;
  readonly edge: string;
  readonly usersTable: string;
  readonly auditTable: string;
  readonly emailDeadLetterQueueArn: string;
  readonly dataDir: string;
}

/**
 * Short queue visibility and consumer timeouts, so a crashed invocation's messages come back in seconds.
 * The consumers' timeout (6 s, the idempotency in-progress mark's lifetime) stays below the visibility timeout
 * (8 s), as the EventConsumer construct keeps it (six times), so a redelivery retakes a dead invocation's mark.
 */
export const CHAOS_OVERRIDES: NonNullable<StartLocalRuntimeOptions['propertyOverrides']> = (
  { type, stackName },
  properties,
) => {
  if (type === 'AWS::SQS::Queue') return { ...properties, VisibilityTimeout: 8 };
  if (type === 'AWS::Lambda::Function' && /Consumer/i.test(stackName)) return { ...properties, Timeout: 6 };
  return properties;
};

/** The apps the chaos suite runs, from their cloud assemblies. */
export const CHAOS_APPS = ['users-service', 'email-consumer', 'audit-consumer'] as const;

/**
 * Reads the endpoints and resource names of a runtime started in this process.
 *
 * @example const endpoints = endpointsOf(runtime, dataDir);
 */
export function endpointsOf(runtime: LocalRuntime, dataDir: string): Endpoints {
  const resources = (app: string, type: string) =>
    runtime.stacks
      .filter((s) => s.plan.input.app === app)
      .flatMap((s) => [...s.resources.values()].filter((r) => r.type === type));
  const auditTable = resources('audit-consumer', 'AWS::DynamoDB::Table').find(
    (t) => !/Idempotency/i.test(t.logicalId),
  );
  const dlq = resources('email-consumer', 'AWS::SQS::Queue').find((q) => /Dead/.test(q.logicalId));
  return {
    api: runtime.apis[0]?.url ?? '',
    dynamodb: runtime.endpoints.dynamodb,
    edge: runtime.endpoints.edge,
    usersTable: resources('users-service', 'AWS::DynamoDB::Table')[0]?.identity.ref ?? '',
    auditTable: auditTable?.identity.ref ?? '',
    emailDeadLetterQueueArn: String(dlq?.identity.attributes.Arn ?? ''),
    dataDir,
  };
}

const clientConfig = (endpoint: string) => ({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});

async function scanAll(ddb: DynamoDBClient, table: string): Promise<Record<string, { S?: string }>[]> {
  const items: Record<string, { S?: string }>[] = [];
  for await (const page of paginateScan({ client: ddb }, { TableName: table, ConsistentRead: true }))
    items.push(...((page.Items ?? []) as Record<string, { S?: string }>[]));
  return items;
}

/**
 * The system's state as a scenario judges it: committed outbox events (by user email), the emails of the mailbox
 * and the audit records, each by event id.
 *
 * @example const state = await observe(endpoints);
 */
export interface Observed {
  /** Committed UserCreated events: event id → the user's email. */
  readonly committed: ReadonlyMap<string, string>;
  /** Welcome emails by the event id they carry (`outboxed-event-id` tag). */
  readonly emails: ReadonlyMap<string, number>;
  /** Audit records by event id. */
  readonly audits: ReadonlyMap<string, number>;
}

export async function observe(endpoints: Endpoints): Promise<Observed> {
  const ddb = new DynamoDBClient(clientConfig(endpoints.dynamodb));
  try {
    const users = await scanAll(ddb, endpoints.usersTable);
    const emailOf = new Map<string, string>();
    for (const item of users)
      if (item.itemType?.S === 'USER' && item.userId?.S && item.email?.S)
        emailOf.set(item.userId.S, item.email.S);
    const committed = new Map<string, string>();
    for (const item of users)
      if (item.itemType?.S === 'OUTBOX' && item.eventId?.S)
        committed.set(item.eventId.S, emailOf.get(item.aggregateId?.S ?? '') ?? '');
    const audits = new Map<string, number>();
    for (const item of await scanAll(ddb, endpoints.auditTable))
      if (item.eventId?.S) audits.set(item.eventId.S, (audits.get(item.eventId.S) ?? 0) + 1);
    const emails = new Map<string, number>();
    for (const email of await readMailbox(join(endpoints.dataDir, 'mailbox'))) {
      const id =
        email.tags.find((t) => t.Name === 'outboxed-event-id')?.Value ?? `untagged:${email.messageId}`;
      emails.set(id, (emails.get(id) ?? 0) + 1);
    }
    return { committed, emails, audits };
  } finally {
    ddb.destroy();
  }
}

/**
 * Messages still in the consumers' queues (visible or in flight), dead-letter queues left out: 0 when every
 * delivery has been handled.
 *
 * @example await expect.poll(() => messagesInFlight(endpoints)).toBe(0);
 */
export async function messagesInFlight(endpoints: Endpoints): Promise<number> {
  const sqs = new SQSClient(clientConfig(endpoints.edge));
  try {
    const urls = (await sqs.send(new ListQueuesCommand({}))).QueueUrls ?? [];
    let total = 0;
    for (const url of urls.filter((u) => !/Dead/i.test(u))) {
      const out = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      total +=
        Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) +
        Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
    }
    return total;
  } finally {
    sqs.destroy();
  }
}

/** Messages waiting in the email consumer's dead-letter queue. */
export async function emailDeadLetters(endpoints: Endpoints): Promise<number> {
  const sqs = new SQSClient(clientConfig(endpoints.edge));
  try {
    const name = endpoints.emailDeadLetterQueueArn.split(':').at(-1) ?? '';
    const out = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: `${endpoints.edge}/000000000000/${name}`,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    return Number(out.Attributes?.ApproximateNumberOfMessages ?? 0);
  } finally {
    sqs.destroy();
  }
}

/** Redrives the email consumer's dead-letter queue to its source queue (what an operator runs). */
export async function redriveEmailDeadLetters(endpoints: Endpoints): Promise<void> {
  const sqs = new SQSClient(clientConfig(endpoints.edge));
  try {
    await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: endpoints.emailDeadLetterQueueArn }));
  } finally {
    sqs.destroy();
  }
}
