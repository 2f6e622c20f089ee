import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { PutRuleCommand, PutTargetsCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { USERS_EVENT_SOURCE, USERS_SERVICE_PARAMETERS } from '@outboxed/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findWorkspaceRoot, startLocalRuntime } from '../runtime';
import type { LocalRuntime } from '../runtime';

const root = findWorkspaceRoot(import.meta.dirname);
let runtime: LocalRuntime;
let ddb: DynamoDBClient;
let sqs: SQSClient;
let probeQueueUrl: string;
let usersTable: string;
let dataDir: string;

const outboxItems = async () =>
  (await ddb.send(new ScanCommand({ TableName: usersTable }))).Items?.filter(
    (i) => i.itemType?.S === 'OUTBOX',
  ) ?? [];

const receiveAll = async (waitSeconds: number) =>
  (
    await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: probeQueueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: waitSeconds,
      }),
    )
  ).Messages ?? [];

const postUser = (body: unknown) =>
  fetch(`${runtime.apis[0]?.url}users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

beforeAll(async () => {
  mkdirSync(join(root, 'tmp'), { recursive: true });
  dataDir = mkdtempSync(join(root, 'tmp', 'local-runtime-e2e-'));
  runtime = await startLocalRuntime({
    workspaceRoot: root,
    apps: ['users-service'],
    dataDir,
    edgePort: 0,
    dynamoDbPort: 0,
    apiPort: 0,
    streamPollIntervalMs: 100,
    functionLog: () => undefined,
  });
  const config = {
    endpoint: runtime.endpoints.edge,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
  ddb = new DynamoDBClient({ ...config, endpoint: runtime.endpoints.dynamodb });
  sqs = new SQSClient(config);
  const ssm = new SSMClient(config);
  const events = new EventBridgeClient(config);
  const busName = (await ssm.send(new GetParameterCommand({ Name: USERS_SERVICE_PARAMETERS.eventBusName })))
    .Parameter?.Value;
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
  ssm.destroy();
  events.destroy();
  usersTable = [...(runtime.stacks[0]?.resources.values() ?? [])].find(
    (r) => r.type === 'AWS::DynamoDB::Table',
  )?.identity.ref as string;
}, 240_000);

afterAll(async () => {
  ddb?.destroy();
  sqs?.destroy();
  await runtime?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('local runtime end to end: the users-service stack from its cloud assembly', () => {
  it('runs every resource of the stack or ignores it for a stated reason', () => {
    expect(runtime.unsupported).toEqual([]);
  });

  it('guarantee 2: POST /users commits the user with its outbox item, and the relay publishes it on the bus', async () => {
    const response = await postUser({ email: 'e2e-one@example.com', name: 'E2E One' });

    expect(response.status).toBe(201);
    const user = (await response.json()) as { id: string };
    const outbox = (await outboxItems()).find((i) => i.aggregateId?.S === user.id);
    expect(outbox?.eventType?.S).toBe('UserCreated');
    let messages: { Body?: string }[] = [];
    await expect
      .poll(async () => (messages = [...messages, ...(await receiveAll(1))]).length, {
        timeout: 20_000,
        interval: 100,
      })
      .toBeGreaterThanOrEqual(1);
    const event = JSON.parse(messages[0]?.Body ?? '{}') as {
      source: string;
      'detail-type': string;
      detail: { metadata: { id: string; aggregateId: string } };
    };
    expect({
      source: event.source,
      detailType: event['detail-type'],
      id: event.detail.metadata.id,
      aggregateId: event.detail.metadata.aggregateId,
    }).toEqual({
      source: USERS_EVENT_SOURCE,
      detailType: 'UserCreated',
      id: outbox?.eventId?.S,
      aggregateId: user.id,
    });
  });

  it('guarantee 6: a bad request gets a 400 naming the field, and nothing is written or published', async () => {
    const before = (await outboxItems()).length;

    const response = await postUser({ name: 'No Email' });

    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toContain('email');
    expect((await outboxItems()).length).toBe(before);
    expect(await receiveAll(2)).toEqual([]);
  });
});
