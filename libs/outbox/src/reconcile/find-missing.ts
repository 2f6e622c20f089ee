import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { BatchGetItemCommand, paginateScan } from '@aws-sdk/client-dynamodb';
import type {
  BatchGetItemCommandInput,
  BatchGetItemCommandOutput,
  DynamoDBClient,
  KeysAndAttributes,
} from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { OUTBOX_ATTRIBUTES, OUTBOX_ITEM_TYPE } from '../item/outbox-item';

/** One committed outbox event, as the reconciliation lists it. */
export interface CommittedEvent {
  readonly eventId: string;
  readonly eventType: string;
  readonly aggregateId: string;
  readonly occurredAt: string;
}

/** The event ids one consumer has applied (its idempotency records that are COMPLETED). */
export interface ConsumerEffects {
  readonly consumer: string;
  readonly applied: ReadonlySet<string>;
}

/**
 * What is missing at each step, by event id, in commit order.
 *
 * @example if (report.toRepair.length > 0) console.log(report.toRepair.join('\n'));
 */
export interface MissingReport {
  readonly committed: number;
  /** Committed events that never reached the bus; undefined when the bus was not checked. */
  readonly notOnBus?: readonly string[];
  /** Per consumer: committed events it has not applied. */
  readonly consumers: readonly { readonly consumer: string; readonly missing: readonly string[] }[];
  /** Every event id missing at some step: republishing them repairs all steps (consumers skip what they applied). */
  readonly toRepair: readonly string[];
}

/**
 * Compares committed outbox events with what reached the bus and with each consumer's effects.
 *
 * @example findMissing(committed, published, [{ consumer: 'email-consumer', applied }])
 */
export function findMissing(
  committed: readonly CommittedEvent[],
  published: ReadonlySet<string> | undefined,
  consumers: readonly ConsumerEffects[],
): MissingReport {
  const ordered = [...committed].sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
  const notOnBus = published
    ? ordered.filter((e) => !published.has(e.eventId)).map((e) => e.eventId)
    : undefined;
  const perConsumer = consumers.map((c) => ({
    consumer: c.consumer,
    missing: ordered.filter((e) => !c.applied.has(e.eventId)).map((e) => e.eventId),
  }));
  const anywhere = new Set([...(notOnBus ?? []), ...perConsumer.flatMap((c) => c.missing)]);
  return {
    committed: ordered.length,
    ...(notOnBus ? { notOnBus } : {}),
    consumers: perConsumer,
    toRepair: ordered.filter((e) => anywhere.has(e.eventId)).map((e) => e.eventId),
  };
}

/**
 * Every outbox item of the table (a consistent Scan: an operator's tool, never on a hot path).
 *
 * @example const committed = await readCommittedEvents(ddb, 'users');
 */
export async function readCommittedEvents(ddb: DynamoDBClient, tableName: string): Promise<CommittedEvent[]> {
  const events: CommittedEvent[] = [];
  for await (const page of paginateScan(
    { client: ddb },
    {
      TableName: tableName,
      ConsistentRead: true,
      FilterExpression: '#type = :outbox',
      ExpressionAttributeNames: { '#type': OUTBOX_ATTRIBUTES.itemType },
      ExpressionAttributeValues: { ':outbox': { S: OUTBOX_ITEM_TYPE } },
    },
  )) {
    for (const item of page.Items ?? []) {
      const eventId = item[OUTBOX_ATTRIBUTES.eventId]?.S;
      if (!eventId) continue;
      events.push({
        eventId,
        eventType: item[OUTBOX_ATTRIBUTES.eventType]?.S ?? '',
        aggregateId: item[OUTBOX_ATTRIBUTES.aggregateId]?.S ?? '',
        occurredAt: item[OUTBOX_ATTRIBUTES.occurredAt]?.S ?? '',
      });
    }
  }
  return events;
}

/**
 * The idempotency key the consumer kit (Powertools idempotency, key path `detail.metadata.id`, key prefix the
 * consumer's name) stores for an event: `<consumer>#<base64 MD5 of the JSON of the event id>`.
 *
 * @example idempotencyKeyOf('email-consumer', '01JD…') // 'email-consumer#…=='
 */
export function idempotencyKeyOf(consumer: string, eventId: string): string {
  return `${consumer}#${createHash('md5').update(JSON.stringify(eventId)).digest('base64')}`;
}

/**
 * The events of `eventIds` a consumer has applied: those whose idempotency record is COMPLETED.
 *
 * @example const applied = await readAppliedEvents(ddb, 'email-consumer', 'EmailConsumer-Idempotency…', ids);
 */
export async function readAppliedEvents(
  ddb: DynamoDBClient,
  consumer: string,
  idempotencyTable: string,
  eventIds: readonly string[],
): Promise<Set<string>> {
  const byKey = new Map(eventIds.map((id) => [idempotencyKeyOf(consumer, id), id]));
  const applied = new Set<string>();
  const keys = [...byKey.keys()];
  for (let i = 0; i < keys.length; i += 100) {
    let request: BatchGetItemCommandInput['RequestItems'] = {
      [idempotencyTable]: {
        Keys: keys.slice(i, i + 100).map((k) => ({ id: { S: k } })),
        ProjectionExpression: 'id, #status',
        ExpressionAttributeNames: { '#status': 'status' },
        ConsistentRead: true,
      },
    };
    for (let attempt = 0; request && attempt < 10; attempt += 1) {
      const out: BatchGetItemCommandOutput = await ddb.send(
        new BatchGetItemCommand({ RequestItems: request }),
      );
      for (const item of out.Responses?.[idempotencyTable] ?? []) {
        const id = byKey.get(item.id?.S ?? '');
        if (id && item.status?.S === 'COMPLETED') applied.add(id);
      }
      const left: KeysAndAttributes | undefined = out.UnprocessedKeys?.[idempotencyTable];
      request = left?.Keys?.length ? { [idempotencyTable]: left } : undefined;
    }
  }
  return applied;
}

/**
 * Event ids (`detail.metadata.id`) the local runtime's EventBridge archived: the `archived` records of its journal
 * (`<data dir>/edge/events.jsonl`), i.e. what reached the bus locally.
 *
 * @example const published = readLocalBusRecord('.local/edge/events.jsonl');
 */
export function readLocalBusRecord(journalPath: string): Set<string> {
  const ids = new Set<string>();
  for (const line of readFileSync(journalPath, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const record = JSON.parse(line) as {
        op?: string;
        event?: { detail?: { metadata?: { id?: unknown } } };
      };
      const id = record.event?.detail?.metadata?.id;
      if (record.op === 'archived' && typeof id === 'string') ids.add(id);
    } catch {
      // a torn last line
    }
  }
  return ids;
}

/**
 * Event ids of the events waiting in a queue, without deleting them: on AWS, the queue an archive was replayed into
 * (a rule on the bus matching `replay-name`, with this queue as its target). Each message stays hidden for
 * `visibilitySeconds`, so each is read once.
 *
 * @example const published = await readReplayQueue(sqs, queueUrl);
 */
export async function readReplayQueue(
  sqs: SQSClient,
  queueUrl: string,
  visibilitySeconds = 300,
): Promise<Set<string>> {
  const ids = new Set<string>();
  for (;;) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: visibilitySeconds,
      }),
    );
    if (!out.Messages?.length) return ids;
    for (const message of out.Messages) {
      try {
        const id = (JSON.parse(message.Body ?? '{}') as { detail?: { metadata?: { id?: unknown } } }).detail
          ?.metadata?.id;
        if (typeof id === 'string') ids.add(id);
      } catch {
        // not an event
      }
    }
  }
}
