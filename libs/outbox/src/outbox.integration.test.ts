// Writer → DynamoDB Local (real) → its stream, read with @aws-sdk/client-dynamodb-streams → relay → PutEvents over
// HTTP to the local AWS edge's EventBridge (and SendMessage to its SQS for poison records); the edge's request
// journal (`onRequest`) shows every call the relay made, and its `failPutEventsEntries` fault throttles one entry.
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { CreateEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { sharedDynamoDbLocal, uniqueTableName } from '@outboxed/dynamodb-local/vitest';
import { startEdge, type Edge, type EdgeRequest } from '@outboxed/local-aws';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseOutboxItem, toOutboxAttributes } from './item/outbox-item';
import { createRelayHandler } from './relay/relay-handler';
import {
  anEventContract,
  anOutboxItem,
  fakeContracts,
  recordingLogger,
  recordingMetrics,
} from './testing/factories';
import { outboxEvent, type OutboxEvent } from './writer/outbox-event';
import { createOutboxWriter } from './writer/outbox-writer';
import type { NamedWrite } from './writer/transaction';

const TABLE = uniqueTableName('outbox-it');
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

const userCreatedContract = anEventContract<{ userId: string; email: string; name: string }>();
const userCreated = (userId: string, sequence = 1): OutboxEvent =>
  outboxEvent(
    userCreatedContract,
    { userId, email: `${userId}@example.com`, name: 'Ada' },
    {
      aggregateType: 'User',
      aggregateId: userId,
      partitionKey: `USER#${userId}`,
      sequence,
      correlationId: `corr-${userId}-${sequence}`,
    },
  );
const userPut = (userId: string): NamedWrite<'user'> => ({
  name: 'user',
  write: {
    Put: {
      TableName: TABLE,
      Item: marshall({ pk: `USER#${userId}`, sk: 'PROFILE', itemType: 'USER', userId }),
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  },
});

/** Lambda's shape of a stream record: epoch-seconds creation time and the stream ARN on each record. */
const toLambdaRecord = (record: StreamRecord, streamArn: string): DynamoDBRecord =>
  ({
    ...record,
    eventSourceARN: streamArn,
    dynamodb: {
      ...record.dynamodb,
      ApproximateCreationDateTime: (record.dynamodb?.ApproximateCreationDateTime?.getTime() ?? 0) / 1000,
    },
  }) as DynamoDBRecord;

describe('outbox writer and relay on DynamoDB Local', () => {
  const ddb = sharedDynamoDbLocal();
  let dynamo: DynamoDBClient;
  let streams: DynamoDBStreamsClient;
  let aws: Edge;
  let poisonQueueUrl: string;
  /** Every call the edge answered, in order. */
  const requests: EdgeRequest[] = [];
  const callsTo = (action: string) => requests.filter((r) => r.action === action);
  /** Every PutEvents request's entries, in arrival order (with the wire's `Time` as epoch seconds). */
  const putEventsRequests = () =>
    callsTo('PutEvents').map((r) => (r.input.Entries ?? []) as Record<string, unknown>[]);
  /** The entries EventBridge accepted, in the order accepted. */
  const acceptedEntries = () =>
    callsTo('PutEvents').flatMap((r) => {
      const results = (r.output as { Entries?: { EventId?: string }[] }).Entries ?? [];
      return ((r.input.Entries ?? []) as Record<string, unknown>[]).filter((_, i) => results[i]?.EventId);
    });
  const sqsMessages = () =>
    callsTo('SendMessage').map(
      (r) => r.input as { MessageAttributes?: Record<string, { StringValue?: string }> },
    );

  const outboxItemsOf = async (userId: string) =>
    (
      await dynamo.send(
        new QueryCommand({
          TableName: TABLE,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: `USER#${userId}` } },
        }),
      )
    ).Items?.map((item) => unmarshall(item)) ?? [];

  const readStream = async (): Promise<DynamoDBRecord[]> => {
    const table = await dynamo.send(new DescribeTableCommand({ TableName: TABLE }));
    const streamArn = table.Table?.LatestStreamArn ?? '';
    const stream = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    const records: DynamoDBRecord[] = [];
    for (const shard of stream.StreamDescription?.Shards ?? []) {
      let iterator = (
        await streams.send(
          new GetShardIteratorCommand({
            StreamArn: streamArn,
            ShardId: shard.ShardId,
            ShardIteratorType: 'TRIM_HORIZON',
          }),
        )
      ).ShardIterator;
      for (let page = 0; iterator && page < 20; page += 1) {
        const result = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
        records.push(...(result.Records ?? []).map((r) => toLambdaRecord(r, streamArn)));
        if ((result.Records ?? []).length === 0) break;
        iterator = result.NextShardIterator;
      }
    }
    return records;
  };

  beforeAll(async () => {
    dynamo = new DynamoDBClient(ddb.clientConfig);
    streams = new DynamoDBStreamsClient(ddb.clientConfig);
    aws = await startEdge({ onRequest: (r) => requests.push(r) });
    const setup = { endpoint: aws.endpoint, region: aws.region, credentials: aws.credentials };
    const eventBridgeSetup = new EventBridgeClient(setup);
    const sqsSetup = new SQSClient(setup);
    await eventBridgeSetup.send(new CreateEventBusCommand({ Name: 'users-events' }));
    poisonQueueUrl = (await sqsSetup.send(new CreateQueueCommand({ QueueName: 'poison' }))).QueueUrl ?? '';
    eventBridgeSetup.destroy();
    sqsSetup.destroy();
    await dynamo.send(
      new CreateTableCommand({
        TableName: TABLE,
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
  });

  afterAll(async () => {
    dynamo?.destroy();
    streams?.destroy();
    await aws?.stop();
  });

  const writer = () => createOutboxWriter({ tableName: TABLE }, { dynamoDb: dynamo });

  it('guarantee 1: commits the user and its outbox item together', async () => {
    const outcome = await writer().write({ writes: [userPut('U1')], events: [userCreated('U1')] });

    if (outcome.outcome !== 'written') throw new Error(`not written: ${outcome.outcome}`);
    const { items } = outcome;
    const stored = await outboxItemsOf('U1');
    expect(stored.map((i) => i.sk).sort()).toEqual([`OUTBOX#${items[0]?.eventId}`, 'PROFILE']);
    expect(stored.find((i) => i.itemType === 'OUTBOX')).toEqual(toOutboxAttributes(items[0] as never));
  });

  it('guarantee 1: writes neither the state nor the outbox item when a condition fails', async () => {
    const before = await outboxItemsOf('U1');

    const outcome = await writer().write({ writes: [userPut('U1')], events: [userCreated('U1', 2)] });

    expect(outcome).toMatchObject({
      outcome: 'condition-failed',
      item: 'user',
      cancellations: [{ item: 'user', code: 'ConditionalCheckFailed' }],
    });
    expect(await outboxItemsOf('U1')).toEqual(before);
  });

  it('guarantee 2 and 4: relays every committed outbox item from the stream to EventBridge, in commit order per aggregate', async () => {
    await writer().write({ writes: [userPut('U2')], events: [userCreated('U2')] });
    await writer().write({ events: [userCreated('U1', 2)] });
    await writer().write({ writes: [userPut('U3')], events: [userCreated('U3')] });
    await writer().write({ events: [userCreated('U2', 2), userCreated('U3', 2)] });
    const poison = anOutboxItem({ aggregateId: 'U9', eventId: 'POISON1', payload: { userId: 'U9' } });
    await dynamo.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: marshall(toOutboxAttributes(poison)) as Record<string, AttributeValue>,
      }),
    );
    aws.faults.failPutEventsEntries((entry, attempt) =>
      attempt === 1 && String(entry.Detail).includes('"aggregateId":"U2","sequence":1')
        ? 'ThrottlingException'
        : undefined,
    );
    const clientConfig = { endpoint: aws.endpoint, region: 'us-east-1', credentials };
    const relay = createRelayHandler(
      {
        contracts: fakeContracts,
        eventBusName: 'users-events',
        poisonQueueUrl,
      },
      {
        eventBridge: new EventBridgeClient(clientConfig),
        sqs: new SQSClient(clientConfig),
        logger: recordingLogger(),
        metrics: recordingMetrics(),
      },
    );
    const records = await readStream();

    const response = await relay({ Records: records }, { getRemainingTimeInMillis: () => 30_000 });

    expect(response).toEqual({ batchItemFailures: [] });
    expect(records.filter((r) => r.dynamodb?.NewImage?.itemType?.S === 'USER')).toHaveLength(3); // ignored
    const sentU2First = putEventsRequests()
      .flat()
      .filter((e) => String(e.Detail).includes('"aggregateId":"U2","sequence":1'));
    expect(sentU2First).toHaveLength(2); // throttled once, then retried alone
    const accepted = acceptedEntries().map((entry) => {
      const detail = JSON.parse(String(entry.Detail)) as {
        metadata: { aggregateId: string; sequence: number };
      };
      return `${detail.metadata.aggregateId}#${detail.metadata.sequence}`;
    });
    expect([...accepted].sort()).toEqual(['U1#1', 'U1#2', 'U2#1', 'U2#2', 'U3#1', 'U3#2']);
    for (const user of ['U1', 'U2', 'U3']) {
      expect(accepted.filter((a) => a.startsWith(`${user}#`))).toEqual([`${user}#1`, `${user}#2`]);
    }
    const u1 = (await outboxItemsOf('U1')).find((i) => i.sequence === 1);
    const u1Entry = acceptedEntries()
      .map((entry) => ({
        ...entry,
        Detail: JSON.parse(String(entry.Detail)) as { metadata: { id: string } },
      }))
      .find((entry) => entry.Detail.metadata.id === u1?.eventId);
    expect(u1Entry).toEqual({
      Source: 'outboxed.users',
      DetailType: 'UserCreated',
      EventBusName: 'users-events',
      Time: Date.parse(String(u1?.occurredAt)) / 1000,
      Detail: {
        metadata: {
          id: u1?.eventId,
          type: 'UserCreated',
          version: 1,
          occurredAt: u1?.occurredAt,
          aggregateId: 'U1',
          sequence: 1,
          correlationId: 'corr-U1-1',
        },
        data: { userId: 'U1', email: 'U1@example.com', name: 'Ada' },
      },
    });
    expect(putEventsRequests().every((request) => request.length <= 10)).toBe(true);
    expect(
      sqsMessages().map((m) => [
        m.MessageAttributes?.reason?.StringValue,
        m.MessageAttributes?.eventId?.StringValue,
      ]),
    ).toEqual([['contract-violation', 'POISON1']]);
  });
});

describe('outbox writer outcomes on DynamoDB Local', () => {
  const ddb = sharedDynamoDbLocal();
  let dynamo: DynamoDBClient;
  const createTable = (tableName: string, keys: { partitionKey: string; sortKey: string }) =>
    dynamo.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: keys.partitionKey, AttributeType: 'S' },
          { AttributeName: keys.sortKey, AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: keys.partitionKey, KeyType: 'HASH' },
          { AttributeName: keys.sortKey, KeyType: 'RANGE' },
        ],
      }),
    );
  const itemsOf = async (tableName: string, partitionKey: string, value: string) =>
    (
      await dynamo.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': partitionKey },
          ExpressionAttributeValues: { ':pk': { S: value } },
        }),
      )
    ).Items?.map((item) => unmarshall(item)) ?? [];
  const put = <TName extends string>(name: TName, tableName: string, item: Record<string, string>) => ({
    name,
    write: {
      Put: {
        TableName: tableName,
        Item: marshall(item),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  });

  beforeAll(() => {
    dynamo = new DynamoDBClient(ddb.clientConfig);
  });
  afterAll(() => dynamo?.destroy());

  it('guarantee 1: a duplicate email is the email item failing its condition, named so, and nothing is written', async () => {
    const table = uniqueTableName('outbox-outcome');
    await createTable(table, { partitionKey: 'pk', sortKey: 'sk' });
    const writer = createOutboxWriter({ tableName: table }, { dynamoDb: dynamo });
    const register = (userId: string) =>
      writer.write({
        writes: [
          put('email', table, { pk: 'EMAIL#ada', sk: 'EMAIL', userId }),
          put('user', table, { pk: `USER#${userId}`, sk: 'PROFILE', userId }),
        ],
        events: [userCreated(userId)],
      });
    expect((await register('U1')).outcome).toBe('written');

    const outcome = await register('U2');

    expect(outcome).toMatchObject({
      outcome: 'condition-failed',
      item: 'email',
      reason: { Code: 'ConditionalCheckFailed' },
      cancellations: [{ item: 'email', code: 'ConditionalCheckFailed' }],
      attempts: 1,
    });
    expect(await itemsOf(table, 'pk', 'USER#U2')).toEqual([]);
    expect(await itemsOf(table, 'pk', 'EMAIL#ada')).toEqual([{ pk: 'EMAIL#ada', sk: 'EMAIL', userId: 'U1' }]);
  });

  it('decodes the cancellation by item: the second of three writes failing is named, not counted', async () => {
    const table = uniqueTableName('outbox-outcome');
    await createTable(table, { partitionKey: 'pk', sortKey: 'sk' });
    await dynamo.send(new PutItemCommand({ TableName: table, Item: marshall({ pk: 'B', sk: 'B' }) }));
    const writer = createOutboxWriter({ tableName: table }, { dynamoDb: dynamo });

    const outcome = await writer.write({
      writes: [
        put('first', table, { pk: 'A', sk: 'A' }),
        put('second', table, { pk: 'B', sk: 'B' }),
        put('third', table, { pk: 'C', sk: 'C' }),
      ],
      events: [userCreated('U7')],
    });

    expect(outcome).toMatchObject({
      outcome: 'condition-failed',
      item: 'second',
      cancellations: [{ item: 'second', code: 'ConditionalCheckFailed' }],
    });
    expect(await itemsOf(table, 'pk', 'A')).toEqual([]);
    expect(await itemsOf(table, 'pk', 'C')).toEqual([]);
    expect(await itemsOf(table, 'pk', 'USER#U7')).toEqual([]);
  });

  it("writes outbox items under the table's own key names, and a writer told other names is refused, not silently wrong", async () => {
    const keys = { partitionKey: 'PK', sortKey: 'SK' };
    const table = uniqueTableName('outbox-keys');
    await createTable(table, keys);

    const outcome = await createOutboxWriter({ tableName: table, keys }, { dynamoDb: dynamo }).write({
      events: [userCreated('U8')],
    });
    const misnamed = await createOutboxWriter({ tableName: table }, { dynamoDb: dynamo })
      .write({ events: [userCreated('U9')] })
      .catch((error: unknown) => error);

    if (outcome.outcome !== 'written') throw new Error(`not written: ${outcome.outcome}`);
    const stored = await itemsOf(table, 'PK', 'USER#U8');
    expect(stored.map((item) => parseOutboxItem(item, keys))).toEqual(outcome.items);
    expect(misnamed).toMatchObject({ name: 'ValidationException' });
  });
});
