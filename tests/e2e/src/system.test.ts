import { DynamoDBClient, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateEmailTemplateCommand, DeleteEmailTemplateCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { USERS_EVENT_SOURCE, USERS_SERVICE_PARAMETERS } from '@outboxed/contracts';
import type { DeployedResource, LocalRuntime, RuntimeLogEvent } from '@outboxed/local-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem } from './start-system';
import type { RunningSystem } from './start-system';

const clientConfig = (endpoint: string) => ({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
let system: RunningSystem;
let runtime: LocalRuntime;
let ddb: DynamoDBClient;
let sqs: SQSClient;
let events: EventBridgeClient;
let ses: SESv2Client;
let busName: string;
let probeQueueUrl: string;
const logEvents: RuntimeLogEvent[] = [];

const resourcesOf = (app: string, type: string): DeployedResource[] =>
  runtime.stacks
    .filter((s) => s.plan.input.app === app)
    .flatMap((s) => [...s.resources.values()].filter((r) => r.type === type));
const usersTable = () => resourcesOf('users-service', 'AWS::DynamoDB::Table')[0]?.identity.ref as string;
const emailDlq = () =>
  resourcesOf('email-consumer', 'AWS::SQS::Queue').find((q) => /Dead/.test(q.logicalId)) as DeployedResource;
const auditTable = () =>
  resourcesOf('audit-consumer', 'AWS::DynamoDB::Table').find((t) => !/Idempotency/i.test(t.logicalId))
    ?.identity.ref as string;
const auditRecordsOf = async (userId: string) =>
  (
    await ddb.send(
      new QueryCommand({
        TableName: auditTable(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: userId } },
      }),
    )
  ).Items ?? [];
const auditCount = async () =>
  (await ddb.send(new ScanCommand({ TableName: auditTable(), Select: 'COUNT' }))).Count ?? 0;
const emailTemplate = () => resourcesOf('email-consumer', 'AWS::SES::Template')[0] as DeployedResource;

const outboxItems = async () =>
  (await ddb.send(new ScanCommand({ TableName: usersTable() }))).Items?.filter(
    (i) => i.itemType?.S === 'OUTBOX',
  ) ?? [];
const emailsTo = async (address: string) =>
  (await runtime.edge.mailbox.list()).filter((m) => m.to.includes(address));
const emailBatchesHandled = () =>
  logEvents.filter((e) => e.kind === 'sqs.consumed' && e.message.includes('WelcomeEmail')).length;
const auditBatchesHandled = () =>
  logEvents.filter((e) => e.kind === 'sqs.consumed' && /Audit/i.test(e.message)).length;
const receiveProbe = async (waitSeconds: number) =>
  (
    await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: probeQueueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: waitSeconds,
      }),
    )
  ).Messages ?? [];
const queueDepth = async (url: string) => {
  const out = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  return Number(out.Attributes?.ApproximateNumberOfMessages ?? 0);
};
const postUser = (body: unknown) =>
  fetch(`${runtime.apis[0]?.url}users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

beforeAll(async () => {
  system = await startSystem('local-runtime-e2e', {
    // seconds instead of minutes between a failed message's receives, so retries reach the DLQ within the test
    propertyOverrides: ({ type }, properties) =>
      type === 'AWS::SQS::Queue' ? { ...properties, VisibilityTimeout: 2 } : properties,
    log: (e) => logEvents.push(e),
    functionLog: () => undefined,
  });
  runtime = system.runtime;
  const edge = clientConfig(runtime.endpoints.edge);
  ddb = new DynamoDBClient(clientConfig(runtime.endpoints.dynamodb));
  sqs = new SQSClient(edge);
  events = new EventBridgeClient(edge);
  ses = new SESv2Client(edge);
  const ssm = new SSMClient(edge);
  busName = (await ssm.send(new GetParameterCommand({ Name: USERS_SERVICE_PARAMETERS.eventBusName })))
    .Parameter?.Value as string;
  ssm.destroy();
  probeQueueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'e2e-probe' }))).QueueUrl as string;
  const probeArn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: probeQueueUrl, AttributeNames: ['QueueArn'] }))
  ).Attributes?.QueueArn;
  await events.send(
    new PutRuleCommand({
      Name: 'e2e-probe',
      EventBusName: busName,
      EventPattern: JSON.stringify({ source: [USERS_EVENT_SOURCE] }),
    }),
  );
  await events.send(
    new PutTargetsCommand({
      Rule: 'e2e-probe',
      EventBusName: busName,
      Targets: [{ Id: 'probe', Arn: probeArn }],
    }),
  );
}, 300_000);

afterAll(async () => {
  for (const client of [ddb, sqs, events, ses]) client?.destroy();
  await system?.stop();
});

describe('local runtime end to end: users-service, email-consumer and audit-consumer from their cloud assemblies', () => {
  it('runs every resource of the stacks or ignores it for a stated reason', () => {
    expect(runtime.unsupported).toEqual([]);
  });

  it('emulated AWS runs the deployed wiring: POST /users → outbox item → relay → bus → a welcome email in the local mailbox and an audit record', async () => {
    const response = await postUser({ email: 'e2e-one@example.com', name: 'E2E One' });

    expect(response.status).toBe(201);
    const user = (await response.json()) as { id: string };
    const outbox = (await outboxItems()).find((i) => i.aggregateId?.S === user.id);
    expect(outbox?.eventType?.S).toBe('UserCreated');
    await expect
      .poll(() => emailsTo('e2e-one@example.com'), { timeout: 30_000, interval: 200 })
      .toHaveLength(1);
    const [email] = await emailsTo('e2e-one@example.com');
    expect(email?.tags).toContainEqual({ Name: 'outboxed-event-id', Value: outbox?.eventId?.S });
    await expect
      .poll(async () => (await auditRecordsOf(user.id)).map((r) => r.eventId?.S), {
        timeout: 30_000,
        interval: 200,
      })
      .toEqual([outbox?.eventId?.S]);
  });

  it('emulates at-least-once delivery by the bus: the same event delivered twice sends one email and writes one audit record', async () => {
    await receiveProbe(0);
    const user = (await (await postUser({ email: 'e2e-twice@example.com', name: 'E2E Twice' })).json()) as {
      id: string;
    };
    let published: { Body?: string }[] = [];
    await expect
      .poll(async () => (published = [...published, ...(await receiveProbe(1))]).length, { timeout: 30_000 })
      .toBeGreaterThanOrEqual(1);
    await expect.poll(() => emailsTo('e2e-twice@example.com'), { timeout: 30_000 }).toHaveLength(1);
    const event = JSON.parse(published.at(-1)?.Body ?? '{}') as {
      source: string;
      'detail-type': string;
      detail: unknown;
    };
    await expect.poll(async () => (await auditRecordsOf(user.id)).length, { timeout: 30_000 }).toBe(1);
    const handledBefore = emailBatchesHandled();
    const auditHandledBefore = auditBatchesHandled();

    await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: busName,
            Source: event.source,
            DetailType: event['detail-type'],
            Detail: JSON.stringify(event.detail),
          },
        ],
      }),
    );

    await expect.poll(emailBatchesHandled, { timeout: 30_000 }).toBeGreaterThan(handledBefore);
    await expect.poll(auditBatchesHandled, { timeout: 30_000 }).toBeGreaterThan(auditHandledBefore);
    expect(await emailsTo('e2e-twice@example.com')).toHaveLength(1);
    expect(await auditRecordsOf(user.id)).toHaveLength(1);
  });

  it('emulates the SQS redrive policy and DLQ redrive: a failing consumer retries, its message reaches the DLQ, and a redrive delivers it once', async () => {
    const template = emailTemplate();
    const content = template.properties.Template as {
      SubjectPart?: string;
      TextPart?: string;
      HtmlPart?: string;
    };
    const dlq = emailDlq();
    await ses.send(new DeleteEmailTemplateCommand({ TemplateName: template.identity.ref }));

    await postUser({ email: 'e2e-retry@example.com', name: 'E2E Retry' });

    await expect.poll(() => queueDepth(dlq.identity.ref), { timeout: 60_000, interval: 500 }).toBe(1);
    expect(await emailsTo('e2e-retry@example.com')).toEqual([]);
    expect(logEvents.some((e) => e.kind === 'sqs.dlq')).toBe(true);
    await ses.send(
      new CreateEmailTemplateCommand({
        TemplateName: template.identity.ref,
        TemplateContent: { Subject: content.SubjectPart, Text: content.TextPart, Html: content.HtmlPart },
      }),
    );
    await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.identity.attributes.Arn as string }));
    await expect
      .poll(() => emailsTo('e2e-retry@example.com'), { timeout: 30_000, interval: 200 })
      .toHaveLength(1);
    await new Promise((r) => setTimeout(r, 3000));
    expect(await emailsTo('e2e-retry@example.com')).toHaveLength(1);
  });

  it('emulates the API Gateway proxy: a bad request gets a 400 naming the field, and no outbox item, event, email or audit record follows', async () => {
    await receiveProbe(0);
    const before = {
      outbox: (await outboxItems()).length,
      emails: (await runtime.edge.mailbox.list()).length,
      audit: await auditCount(),
    };

    const response = await postUser({ name: 'No Email' });

    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toContain('email');
    expect(await receiveProbe(2)).toEqual([]);
    expect({
      outbox: (await outboxItems()).length,
      emails: (await runtime.edge.mailbox.list()).length,
      audit: await auditCount(),
    }).toEqual(before);
  });
});
