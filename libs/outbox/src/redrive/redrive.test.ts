import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CreateTableCommand,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDbLocal } from '@outboxed/dynamodb-local';
import { startDynamoDbLocal } from '@outboxed/dynamodb-local';
import type { Edge } from '@outboxed/local-aws';
import { startEdge } from '@outboxed/local-aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxEventInput } from '../writer/outbox-writer';
import { createOutboxWriter } from '../writer/outbox-writer';
import type { ContractResolver } from '../relay/contract-resolver';
import { buildPoisonMessage } from '../relay/poison';
import type { RedriveOptions } from './redrive';
import { redrive } from './redrive';

const SOURCE = 'outboxed.test-orders';
const DAY = 24 * 60 * 60 * 1000;
const run = promisify(execFile);
const workspaceRoot = join(import.meta.dirname, '..', '..', '..', '..');

/** Contracts of the test events: OrderPlaced v1 needs a non-negative amount. */
const contracts: ContractResolver = {
  find: (type, version) =>
    type === 'OrderPlaced' && version === 1
      ? {
          source: SOURCE,
          validateDetail: (detail) =>
            ((detail as { data: { amount: number } }).data.amount ?? -1) >= 0
              ? []
              : [{ path: 'detail.data.amount', message: 'must be >= 0' }],
        }
      : undefined,
};

let ddb: DynamoDbLocal;
let edge: Edge;
let dynamodb: DynamoDBClient;
let streams: DynamoDBStreamsClient;
let sqs: SQSClient;
let eventBridge: EventBridgeClient;
let scenarios = 0;

beforeAll(async () => {
  [ddb, edge] = await Promise.all([startDynamoDbLocal(), startEdge()]);
  dynamodb = new DynamoDBClient(ddb.clientConfig);
  streams = new DynamoDBStreamsClient(ddb.clientConfig);
  const edgeConfig = { endpoint: edge.endpoint, region: edge.region, credentials: edge.credentials };
  sqs = new SQSClient(edgeConfig);
  eventBridge = new EventBridgeClient(edgeConfig);
});

afterAll(async () => {
  await Promise.all([ddb?.stop(), edge?.stop()]);
});

/** A fresh table (with a stream), bus, relay queues and an observer queue receiving every event on the bus. */
async function arrange() {
  scenarios += 1;
  const name = `redrive-${scenarios}`;
  const created = await dynamodb.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
    }),
  );
  const streamArn = created.TableDescription?.LatestStreamArn as string;
  await eventBridge.send(new CreateEventBusCommand({ Name: name }));
  const queueUrl = async (queue: string) =>
    (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-${queue}` }))).QueueUrl as string;
  const [onFailureQueueUrl, poisonQueueUrl, observerUrl] = await Promise.all([
    queueUrl('on-failure'),
    queueUrl('poison'),
    queueUrl('observer'),
  ]);
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: observerUrl, AttributeNames: ['QueueArn'] }),
  );
  await eventBridge.send(
    new PutRuleCommand({
      Name: 'observe',
      EventBusName: name,
      EventPattern: JSON.stringify({ source: [SOURCE] }),
    }),
  );
  await eventBridge.send(
    new PutTargetsCommand({
      Rule: 'observe',
      EventBusName: name,
      Targets: [{ Id: 'observer', Arn: Attributes?.QueueArn as string }],
    }),
  );
  const options: RedriveOptions = {
    tableName: name,
    eventBusName: name,
    onFailureQueueUrl,
    poisonQueueUrl,
    contracts,
    queue: { waitTimeSeconds: 0 },
  };
  return { name, streamArn, onFailureQueueUrl, poisonQueueUrl, observerUrl, options };
}

type Scenario = Awaited<ReturnType<typeof arrange>>;

const order = (orderId: string, sequence: number, amount = 10): OutboxEventInput => ({
  source: SOURCE,
  type: 'OrderPlaced',
  version: 1,
  aggregateType: 'Order',
  aggregateId: orderId,
  partitionKey: `ORDER#${orderId}`,
  sequence,
  data: { orderId, amount },
});

async function write(scenario: Scenario, events: OutboxEventInput[], now = () => new Date()) {
  const writer = createOutboxWriter({ tableName: scenario.name }, { dynamoDb: dynamodb, now });
  const written = [];
  for (const event of events) written.push(...(await writer.write({ events: [event] })).items);
  return written;
}

/** Every record of the table's stream (DynamoDB Local has one shard per table here). */
async function streamRecords(scenario: Scenario): Promise<{ shardId: string; records: _Record[] }> {
  const { StreamDescription } = await streams.send(
    new DescribeStreamCommand({ StreamArn: scenario.streamArn }),
  );
  const shardId = StreamDescription?.Shards?.[0]?.ShardId as string;
  let { ShardIterator } = await streams.send(
    new GetShardIteratorCommand({
      StreamArn: scenario.streamArn,
      ShardId: shardId,
      ShardIteratorType: 'TRIM_HORIZON',
    }),
  );
  const records: _Record[] = [];
  for (let page = 0; ShardIterator && page < 5; page += 1) {
    const out = await streams.send(new GetRecordsCommand({ ShardIterator }));
    if ((out.Records ?? []).length === 0) break;
    records.push(...(out.Records ?? []));
    ShardIterator = out.NextShardIterator;
  }
  return { shardId, records };
}

/** The message Lambda sends to the on-failure destination for a batch from `first` to `last`. */
function onFailureMessage(info: {
  shardId: string;
  streamArn: string;
  first: _Record;
  last: _Record;
  batchSize: number;
}) {
  const arrival = (r: _Record) =>
    (r.dynamodb?.ApproximateCreationDateTime as Date).toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    requestContext: {
      requestId: '316aa6d0-8154-4a48-b9d4-3c3a4bd7b3c5',
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:relay',
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 11,
    },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    timestamp: new Date().toISOString(),
    DDBStreamBatchInfo: {
      shardId: info.shardId,
      startSequenceNumber: info.first.dynamodb?.SequenceNumber,
      endSequenceNumber: info.last.dynamodb?.SequenceNumber,
      approximateArrivalOfFirstRecord: arrival(info.first),
      approximateArrivalOfLastRecord: arrival(info.last),
      batchSize: info.batchSize,
      streamArn: info.streamArn,
    },
  };
}

async function send(queueUrl: string, body: unknown) {
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(body) }));
}

/** Drains a queue: the bodies of every message it holds. */
async function drain(queueUrl: string): Promise<unknown[]> {
  await edge.settle();
  const bodies: unknown[] = [];
  for (;;) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
    );
    if (!Messages?.length) return bodies;
    for (const m of Messages) {
      bodies.push(JSON.parse(m.Body as string));
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
    }
  }
}

const publishedIds = async (scenario: Scenario) =>
  ((await drain(scenario.observerUrl)) as { detail: { metadata: { id: string } } }[]).map(
    (e) => e.detail.metadata.id,
  );

async function redrivenAt(scenario: Scenario, item: { partitionKey: string; sortKey: string }) {
  const { Item } = await dynamodb.send(
    new GetItemCommand({
      TableName: scenario.name,
      Key: { pk: { S: item.partitionKey }, sk: { S: item.sortKey } },
      ConsistentRead: true,
    }),
  );
  return Item ? unmarshall(Item).redrivenAt : 'gone';
}

const deps = () => ({ dynamodb, streams, sqs, eventBridge });

describe('redrive', () => {
  it('guarantee 2: what exhausts its retries can be redriven: pointers resolved from the stream, original ids kept, expired items reported, a second run republishes nothing new', async () => {
    const scenario = await arrange();
    const eightDaysAgo = new Date(Date.now() - 8 * DAY);
    const [expired] = await write(scenario, [order('o-expired', 1)], () => eightDaysAgo);
    const [a1, a2, deleted, b1] = await write(scenario, [
      order('o-a', 1),
      order('o-a', 2),
      order('o-deleted', 1),
      order('o-b', 1),
    ]);
    const gone = deleted as NonNullable<typeof deleted>;
    // As TTL would: the item is gone from the table, its INSERT is still in the stream (followed by a REMOVE).
    await dynamodb.send(
      new DeleteItemCommand({
        TableName: scenario.name,
        Key: { pk: { S: gone.partitionKey }, sk: { S: gone.sortKey } },
      }),
    );
    const { shardId, records } = await streamRecords(scenario);
    expect(records.map((r) => r.eventName)).toEqual([
      'INSERT',
      'INSERT',
      'INSERT',
      'INSERT',
      'INSERT',
      'REMOVE',
    ]);
    // The relay's batch covered every record: the REMOVE too (the mapping's filter drops it before the relay).
    const pointer = onFailureMessage({
      shardId,
      streamArn: scenario.streamArn,
      first: records[0] as _Record,
      last: records[5] as _Record,
      batchSize: 5,
    });
    await send(scenario.onFailureQueueUrl, pointer);

    const first = await redrive(scenario.options, deps());

    expect(first).toEqual({
      dryRun: false,
      republished: [
        { eventId: a1?.eventId, eventType: 'OrderPlaced', aggregateId: 'o-a', origin: 'on-failure' },
        { eventId: a2?.eventId, eventType: 'OrderPlaced', aggregateId: 'o-a', origin: 'on-failure' },
        { eventId: b1?.eventId, eventType: 'OrderPlaced', aggregateId: 'o-b', origin: 'on-failure' },
      ],
      skipped: [
        { eventId: expired?.eventId, origin: 'on-failure', reason: 'expired', messageId: expect.any(String) },
        { eventId: gone.eventId, origin: 'on-failure', reason: 'expired', messageId: expect.any(String) },
      ],
      failed: [],
      messages: { onFailure: { received: 1, deleted: 1 }, poison: { received: 0, deleted: 0 } },
      pointers: { fromStream: 1, fromTimeWindow: 0 },
    });
    expect((await publishedIds(scenario)).sort()).toEqual([a1?.eventId, a2?.eventId, b1?.eventId].sort());
    for (const item of [a1, a2, b1])
      expect(await redrivenAt(scenario, item as NonNullable<typeof item>)).toEqual(expect.any(String));

    // Idempotent: the pointer was deleted, and a replayed pointer finds every item already redriven.
    await send(scenario.onFailureQueueUrl, pointer);
    const second = await redrive(scenario.options, deps());
    expect(second.republished).toEqual([]);
    expect(second.skipped.map((s) => [s.eventId, s.reason])).toEqual([
      [expired?.eventId, 'expired'],
      [a1?.eventId, 'already-redriven'],
      [a2?.eventId, 'already-redriven'],
      [gone.eventId, 'expired'],
      [b1?.eventId, 'already-redriven'],
    ]);
    expect(second.messages.onFailure).toEqual({ received: 1, deleted: 1 });
    expect(await publishedIds(scenario)).toEqual([]);
  });

  it('guarantee 2: a dry run reports what it would republish and publishes, marks and deletes nothing', async () => {
    const scenario = await arrange();
    const [a1] = await write(scenario, [order('o-dry', 1)]);
    const { shardId, records } = await streamRecords(scenario);
    await send(
      scenario.onFailureQueueUrl,
      onFailureMessage({
        shardId,
        streamArn: scenario.streamArn,
        first: records[0] as _Record,
        last: records[0] as _Record,
        batchSize: 1,
      }),
    );

    const report = await redrive({ ...scenario.options, dryRun: true }, deps());

    expect(report.dryRun).toBe(true);
    expect(report.republished).toEqual([
      { eventId: a1?.eventId, eventType: 'OrderPlaced', aggregateId: 'o-dry', origin: 'on-failure' },
    ]);
    expect(report.messages.onFailure).toEqual({ received: 1, deleted: 0 });
    expect(await publishedIds(scenario)).toEqual([]);
    expect(await redrivenAt(scenario, a1 as NonNullable<typeof a1>)).toBeUndefined();
    const real = await redrive(scenario.options, deps());
    expect(real.republished.map((r) => r.eventId)).toEqual([a1?.eventId]);
  });

  it('guarantee 2: resolves a pointer whose stream range is gone by the time window of its outbox items', async () => {
    const scenario = await arrange();
    const twoDaysAgo = new Date(Date.now() - 2 * DAY);
    const [old] = await write(scenario, [order('o-old', 1)], () => twoDaysAgo);
    await write(scenario, [order('o-recent', 1)]);
    const stamp = twoDaysAgo.toISOString().replace(/\.\d+Z$/, 'Z');
    await send(scenario.onFailureQueueUrl, {
      requestContext: { condition: 'RecordAgeExceeded' },
      DDBStreamBatchInfo: {
        shardId: 'shardId-00000001700000000000-00000000',
        startSequenceNumber: '100000000000000000000001',
        endSequenceNumber: '100000000000000000000001',
        approximateArrivalOfFirstRecord: stamp,
        approximateArrivalOfLastRecord: stamp,
        batchSize: 1,
        streamArn: `arn:aws:dynamodb:us-east-1:000000000000:table/${scenario.name}/stream/2020-01-01T00:00:00.000`,
      },
    });

    const report = await redrive(scenario.options, deps());

    expect(report.pointers).toEqual({ fromStream: 0, fromTimeWindow: 1 });
    expect(report.republished.map((r) => r.eventId)).toEqual([old?.eventId]);
    expect(await publishedIds(scenario)).toEqual([old?.eventId]);
  });

  it('guarantee 2: keeps a poison record that still violates its contract, then republishes it by event id once fixed by hand (CLI)', async () => {
    const scenario = await arrange();
    const [bad] = await write(scenario, [order('o-bad', 1, -5)]);
    const item = bad as NonNullable<typeof bad>;
    const { records } = await streamRecords(scenario);
    const poison = buildPoisonMessage(
      records[0] as never,
      { reason: 'contract-violation', message: 'amount', violations: [], eventId: item.eventId },
      new Date(),
    );
    await send(scenario.poisonQueueUrl, poison);

    const stillBad = await redrive(scenario.options, deps());
    expect(stillBad.failed).toEqual([
      {
        eventId: item.eventId,
        origin: 'poison',
        messageId: expect.any(String),
        reason: expect.stringMatching(/^contract-violation: .*detail\.data\.amount/),
      },
    ]);
    expect(stillBad.messages.poison).toEqual({ received: 1, deleted: 0 });

    await dynamodb.send(
      new UpdateItemCommand({
        TableName: scenario.name,
        Key: { pk: { S: item.partitionKey }, sk: { S: item.sortKey } },
        UpdateExpression: 'SET payload.amount = :fixed',
        ExpressionAttributeValues: { ':fixed': { N: '5' } },
      }),
    );
    const { stdout } = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        'libs/outbox/src/redrive/cli.ts',
        '--table',
        scenario.name,
        '--on-failure-queue-url',
        scenario.onFailureQueueUrl,
        '--poison-queue-url',
        scenario.poisonQueueUrl,
        '--event-bus',
        scenario.name,
        '--endpoint-url',
        edge.endpoint,
        '--dynamodb-endpoint-url',
        ddb.endpoint,
        '--region',
        'us-east-1',
        '--event-id',
        item.eventId,
      ],
      {
        cwd: workspaceRoot,
        env: { ...process.env, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' },
      },
    );
    const report = JSON.parse(stdout) as Awaited<ReturnType<typeof redrive>>;
    expect(report.republished).toEqual([
      { eventId: item.eventId, eventType: 'OrderPlaced', aggregateId: 'o-bad', origin: 'poison' },
    ]);
    expect(report.messages.poison).toEqual({ received: 1, deleted: 1 });
    const published = (await drain(scenario.observerUrl)) as {
      detail: { metadata: { id: string }; data: unknown };
    }[];
    expect(published.map((e) => [e.detail.metadata.id, e.detail.data])).toEqual([
      [item.eventId, { orderId: 'o-bad', amount: 5 }],
    ]);
  });
});
