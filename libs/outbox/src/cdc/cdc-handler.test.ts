import {
  CreateTableCommand,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import type { PutEventsCommand, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
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
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { DynamoDbLocal } from '@outboxed/dynamodb-local';
import { startDynamoDbLocal } from '@outboxed/dynamodb-local';
import type { Edge } from '@outboxed/local-aws';
import { startEdge } from '@outboxed/local-aws';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeRecord } from './change-record';
import { toChangeRecord } from './change-record';
import type { ChangeMapper } from './cdc-handler';
import { createChangeDataCaptureHandler } from './cdc-handler';

const SOURCE = 'outboxed.test-accounts';
const TABLE = 'accounts';

interface Account {
  readonly pk: string;
  readonly sk: string;
  readonly accountId: string;
  readonly plan: string;
  readonly seats: number;
}

let ddb: DynamoDbLocal;
let edge: Edge;
let sqs: SQSClient;
let eventBridge: EventBridgeClient;
let records: DynamoDBRecord[];
let observerUrl: string;
let poisonQueueUrl: string;

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const context = { getRemainingTimeInMillis: () => 30_000 };

/** A stream record as the AWS SDK returns it, in the shape Lambda hands to a function. */
function toLambdaRecord(record: _Record): DynamoDBRecord {
  const stream = record.dynamodb;
  return {
    eventID: record.eventID as string,
    eventName: record.eventName as 'INSERT' | 'MODIFY' | 'REMOVE',
    eventVersion: record.eventVersion as string,
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion as string,
    dynamodb: {
      ApproximateCreationDateTime: Math.floor((stream?.ApproximateCreationDateTime as Date).getTime() / 1000),
      Keys: stream?.Keys as never,
      ...(stream?.NewImage ? { NewImage: stream.NewImage as never } : {}),
      ...(stream?.OldImage ? { OldImage: stream.OldImage as never } : {}),
      SequenceNumber: stream?.SequenceNumber as string,
      SizeBytes: stream?.SizeBytes as number,
      StreamViewType: stream?.StreamViewType as 'NEW_AND_OLD_IMAGES',
    },
  };
}

/** The REMOVE record DynamoDB writes when TTL deletes an item (DynamoDB Local runs no TTL, so it is shaped by hand). */
const asTtlExpiry = (record: DynamoDBRecord): DynamoDBRecord => ({
  ...record,
  userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' },
});

const key = (accountId: string) => ({ pk: { S: `ACCOUNT#${accountId}` }, sk: { S: 'ACCOUNT' } });
const account = (accountId: string, plan: string, seats: number) => ({
  ...key(accountId),
  accountId: { S: accountId },
  plan: { S: plan },
  seats: { N: String(seats) },
});

beforeAll(async () => {
  [ddb, edge] = await Promise.all([startDynamoDbLocal(), startEdge()]);
  const dynamodb = new DynamoDBClient(ddb.clientConfig);
  const streams = new DynamoDBStreamsClient(ddb.clientConfig);
  const edgeConfig = { endpoint: edge.endpoint, region: edge.region, credentials: edge.credentials };
  sqs = new SQSClient(edgeConfig);
  eventBridge = new EventBridgeClient(edgeConfig);

  const created = await dynamodb.send(
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
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    }),
  );
  await dynamodb.send(new PutItemCommand({ TableName: TABLE, Item: account('a1', 'free', 1) }));
  await dynamodb.send(
    new UpdateItemCommand({
      TableName: TABLE,
      Key: key('a1'),
      UpdateExpression: 'SET #plan = :plan, seats = :seats',
      ExpressionAttributeNames: { '#plan': 'plan' },
      ExpressionAttributeValues: { ':plan': { S: 'team' }, ':seats': { N: '5' } },
    }),
  );
  await dynamodb.send(new DeleteItemCommand({ TableName: TABLE, Key: key('a1') }));
  await dynamodb.send(new PutItemCommand({ TableName: TABLE, Item: account('a2', 'trial', 1) }));
  await dynamodb.send(new DeleteItemCommand({ TableName: TABLE, Key: key('a2') }));

  const streamArn = created.TableDescription?.LatestStreamArn as string;
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  const { ShardIterator } = await streams.send(
    new GetShardIteratorCommand({
      StreamArn: streamArn,
      ShardId: StreamDescription?.Shards?.[0]?.ShardId,
      ShardIteratorType: 'TRIM_HORIZON',
    }),
  );
  const page = await streams.send(new GetRecordsCommand({ ShardIterator }));
  const lambdaRecords = (page.Records ?? []).map(toLambdaRecord);
  records = [...lambdaRecords.slice(0, 4), asTtlExpiry(lambdaRecords[4] as DynamoDBRecord)];

  await eventBridge.send(new CreateEventBusCommand({ Name: 'accounts' }));
  const queue = async (name: string) =>
    (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl as string;
  [observerUrl, poisonQueueUrl] = await Promise.all([queue('cdc-observer'), queue('cdc-poison')]);
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: observerUrl, AttributeNames: ['QueueArn'] }),
  );
  await eventBridge.send(
    new PutRuleCommand({
      Name: 'all',
      EventBusName: 'accounts',
      EventPattern: JSON.stringify({ source: [SOURCE] }),
    }),
  );
  await eventBridge.send(
    new PutTargetsCommand({
      Rule: 'all',
      EventBusName: 'accounts',
      Targets: [{ Id: 'o', Arn: Attributes?.QueueArn }],
    }),
  );
});

afterAll(async () => {
  await Promise.all([ddb?.stop(), edge?.stop()]);
});

async function drain(queueUrl: string): Promise<Record<string, unknown>[]> {
  await edge.settle();
  const bodies: Record<string, unknown>[] = [];
  for (;;) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
    );
    if (!Messages?.length) return bodies;
    for (const m of Messages) {
      bodies.push(JSON.parse(m.Body as string) as Record<string, unknown>);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
    }
  }
}

type ObservedEvent = { 'detail-type': string; detail: Record<string, unknown> };

/** Events per account, in the order the bus received them (order holds per item, not across items). */
function perAccount(events: ObservedEvent[]): Record<string, [string, Record<string, unknown>][]> {
  const groups: Record<string, [string, Record<string, unknown>][]> = {};
  for (const e of events) {
    const record = records.find((r) => r.eventID === e.detail.id);
    const id = (record?.dynamodb?.Keys?.pk?.S ?? '').replace('ACCOUNT#', '');
    (groups[id] ??= []).push([e['detail-type'], e.detail]);
  }
  return groups;
}

/** The mapper of the tests: one event per change, named for what happened. */
const accountEvents: ChangeMapper<Account> = (change) => {
  const base = { source: SOURCE, orderingKey: String(change.keys.pk) };
  switch (change.eventName) {
    case 'INSERT':
      return {
        ...base,
        detailType: 'AccountOpened',
        detail: { id: change.streamEventId, account: change.newImage },
      };
    case 'MODIFY':
      return {
        ...base,
        detailType: 'AccountPlanChanged',
        detail: { id: change.streamEventId, from: change.oldImage?.plan, to: change.newImage.plan },
      };
    case 'REMOVE':
      return {
        ...base,
        detailType: change.expiredByTtl ? 'AccountExpired' : 'AccountClosed',
        detail: { id: change.streamEventId, accountId: change.oldImage?.accountId },
      };
  }
};

describe('toChangeRecord', () => {
  it('reads real DynamoDB Local INSERT, MODIFY, REMOVE and a TTL-expiry REMOVE as typed, unmarshalled changes', () => {
    const changes = records.map((record) => toChangeRecord<Account>(record));
    const base = (i: number) => ({
      sequenceNumber: records[i]?.dynamodb?.SequenceNumber,
      streamEventId: records[i]?.eventID,
      approximateCreationDateTime: expect.any(Date),
    });
    const a1 = { pk: 'ACCOUNT#a1', sk: 'ACCOUNT' };
    const a2 = { pk: 'ACCOUNT#a2', sk: 'ACCOUNT' };
    expect(changes).toEqual<ChangeRecord<Account>[]>([
      {
        ...base(0),
        eventName: 'INSERT',
        keys: a1,
        newImage: { ...a1, accountId: 'a1', plan: 'free', seats: 1 },
      },
      {
        ...base(1),
        eventName: 'MODIFY',
        keys: a1,
        oldImage: { ...a1, accountId: 'a1', plan: 'free', seats: 1 },
        newImage: { ...a1, accountId: 'a1', plan: 'team', seats: 5 },
      },
      {
        ...base(2),
        eventName: 'REMOVE',
        keys: a1,
        expiredByTtl: false,
        oldImage: { ...a1, accountId: 'a1', plan: 'team', seats: 5 },
      },
      {
        ...base(3),
        eventName: 'INSERT',
        keys: a2,
        newImage: { ...a2, accountId: 'a2', plan: 'trial', seats: 1 },
      },
      {
        ...base(4),
        eventName: 'REMOVE',
        keys: a2,
        expiredByTtl: true,
        oldImage: { ...a2, accountId: 'a2', plan: 'trial', seats: 1 },
      },
    ] as never);
  });

  it('rejects an image its parser refuses, naming the record', () => {
    expect(() =>
      toChangeRecord(records[0] as DynamoDBRecord, () => {
        throw new Error('plan must be one of free, team');
      }),
    ).toThrow(
      `The NewImage of record ${records[0]?.dynamodb?.SequenceNumber} does not parse: plan must be one of free, team`,
    );
  });
});

describe('createChangeDataCaptureHandler', () => {
  it('guarantee 4: publishes the events of every change, in stream order per item, to the bus (real stream records, local EventBridge)', async () => {
    const handler = createChangeDataCaptureHandler<Account>(
      { map: accountEvents, eventBusName: 'accounts', poisonQueueUrl },
      { eventBridge, sqs, logger: silent },
    );

    const response = await handler({ Records: records }, context);

    expect(response).toEqual({ batchItemFailures: [] });
    const published = (await drain(observerUrl)) as ObservedEvent[];
    expect(perAccount(published)).toEqual({
      a1: [
        [
          'AccountOpened',
          {
            id: records[0]?.eventID,
            account: { pk: 'ACCOUNT#a1', sk: 'ACCOUNT', accountId: 'a1', plan: 'free', seats: 1 },
          },
        ],
        ['AccountPlanChanged', { id: records[1]?.eventID, from: 'free', to: 'team' }],
        ['AccountClosed', { id: records[2]?.eventID, accountId: 'a1' }],
      ],
      a2: [
        [
          'AccountOpened',
          {
            id: records[3]?.eventID,
            account: { pk: 'ACCOUNT#a2', sk: 'ACCOUNT', accountId: 'a2', plan: 'trial', seats: 1 },
          },
        ],
        ['AccountExpired', { id: records[4]?.eventID, accountId: 'a2' }],
      ],
    });
  });

  it('guarantee 5: sends a record whose mapper throws to the poison DLQ with the reason and moves on', async () => {
    const handler = createChangeDataCaptureHandler<Account>(
      {
        map: (change) => {
          if (change.eventName === 'MODIFY') throw new Error('no event for seat changes yet');
          return accountEvents(change);
        },
        eventBusName: 'accounts',
        poisonQueueUrl,
      },
      { eventBridge, sqs, logger: silent },
    );

    const response = await handler({ Records: records }, context);

    expect(response).toEqual({ batchItemFailures: [] });
    const published = perAccount((await drain(observerUrl)) as ObservedEvent[]);
    expect({ a1: published.a1?.map(([type]) => type), a2: published.a2?.map(([type]) => type) }).toEqual({
      a1: ['AccountOpened', 'AccountClosed'],
      a2: ['AccountOpened', 'AccountExpired'],
    });
    const poison = await drain(poisonQueueUrl);
    expect(poison).toEqual([
      expect.objectContaining({
        reason: 'unparseable-item',
        message: 'The change could not be mapped: no event for seat changes yet',
        keys: { pk: 'ACCOUNT#a1', sk: 'ACCOUNT' },
        sequenceNumber: records[1]?.dynamodb?.SequenceNumber,
        truncated: false,
      }),
    ]);
  });

  it('guarantee 2: reports the first record whose event was not accepted, so the stream resumes there', async () => {
    const sent: PutEventsRequestEntry[][] = [];
    const refusing = {
      send: async (command: PutEventsCommand) => {
        const entries = command.input.Entries ?? [];
        sent.push(entries);
        return {
          Entries: entries.map((e) =>
            e.DetailType === 'AccountClosed'
              ? { ErrorCode: 'AccessDeniedException', ErrorMessage: 'not authorized' }
              : { EventId: 'e' },
          ),
        };
      },
    };
    const handler = createChangeDataCaptureHandler<Account>(
      { map: accountEvents, eventBusName: 'accounts', poisonQueueUrl },
      { eventBridge: refusing as never, sqs, logger: silent },
    );

    const response = await handler({ Records: records }, context);

    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: records[2]?.dynamodb?.SequenceNumber }],
    });
    expect(sent.flat().map((e) => e.DetailType)).toEqual(
      expect.arrayContaining(['AccountOpened', 'AccountPlanChanged', 'AccountClosed', 'AccountExpired']),
    );
  });
});

describe('createChangeDataCaptureHandler when the poison DLQ fails', () => {
  it('guarantee 2: never drops the poison record: it and the later changes of its item are reported for retry', async () => {
    const published: string[] = [];
    const accepting = {
      send: async (command: PutEventsCommand) => {
        const entries = command.input.Entries ?? [];
        published.push(...entries.map((e) => e.DetailType as string));
        return { Entries: entries.map(() => ({ EventId: 'e' })) };
      },
    };
    const failingSqs = {
      send: async () => {
        throw Object.assign(new Error('queue unavailable'), { name: 'ServiceUnavailable' });
      },
    };
    const handler = createChangeDataCaptureHandler<Account>(
      {
        map: (change) => {
          if (change.eventName === 'MODIFY') throw new Error('unmappable');
          return accountEvents(change);
        },
        eventBusName: 'accounts',
        poisonQueueUrl,
      },
      { eventBridge: accepting as never, sqs: failingSqs as never, logger: silent },
    );

    const response = await handler({ Records: records }, context);

    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: records[1]?.dynamodb?.SequenceNumber }],
    });
    // a1's later change (AccountClosed) waits behind its poison record; a2 goes on.
    expect(published.sort()).toEqual(['AccountExpired', 'AccountOpened', 'AccountOpened']);
  });
});
