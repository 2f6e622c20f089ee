import {
  DynamoDBClient,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { InvalidOutboxEventError, OutboxTransactionCanceledError, TransactionLimitError } from '../errors';
import { createOutboxWriter, MAX_TRANSACTION_BYTES, type OutboxEventInput } from './outbox-writer';

const NOW = new Date('2026-11-29T12:00:00.000Z');
const anEvent = (overrides: Partial<OutboxEventInput> = {}): OutboxEventInput => ({
  source: 'outboxed.users',
  type: 'UserCreated',
  version: 1,
  aggregateType: 'User',
  aggregateId: 'U1',
  partitionKey: 'USER#U1',
  sequence: 1,
  data: { userId: 'U1' },
  correlationId: 'corr-1',
  ...overrides,
});
const aUserPut = (): TransactWriteItem => ({
  Put: { TableName: 'users', Item: marshall({ pk: 'USER#U1', sk: 'PROFILE' }) },
});

function aWriter(options: { ttlSeconds?: number } = {}) {
  let n = 0;
  const dynamoDb = new DynamoDBClient({ region: 'eu-west-1' });
  const writer = createOutboxWriter(
    { tableName: 'users', ...options },
    { dynamoDb, now: () => NOW, newEventId: () => `01EVENT${++n}` },
  );
  return { writer, dynamoDb };
}

describe('createOutboxWriter', () => {
  let dynamoMock: ReturnType<typeof mockClient>;
  beforeEach(() => {
    dynamoMock = mockClient(DynamoDBClient);
  });

  it('builds one transaction: the state writes, then one conditional outbox Put per event', () => {
    const { writer } = aWriter();

    const transaction = writer.buildTransaction({ writes: [aUserPut()], events: [anEvent()] });

    expect(transaction.input).toEqual({
      TransactItems: [
        aUserPut(),
        {
          Put: {
            TableName: 'users',
            Item: {
              pk: { S: 'USER#U1' },
              sk: { S: 'OUTBOX#01EVENT1' },
              itemType: { S: 'OUTBOX' },
              eventId: { S: '01EVENT1' },
              eventType: { S: 'UserCreated' },
              eventVersion: { N: '1' },
              source: { S: 'outboxed.users' },
              occurredAt: { S: '2026-11-29T12:00:00.000Z' },
              aggregateType: { S: 'User' },
              aggregateId: { S: 'U1' },
              sequence: { N: '1' },
              correlationId: { S: 'corr-1' },
              payload: { M: { userId: { S: 'U1' } } },
              ttl: { N: String(NOW.getTime() / 1000 + 7 * 24 * 3600) },
            },
            ConditionExpression: 'attribute_not_exists(#pk)',
            ExpressionAttributeNames: { '#pk': 'pk' },
          },
        },
      ],
    });
  });

  it('defaults the correlation id to the event id and honours a configured TTL', () => {
    const { writer } = aWriter({ ttlSeconds: 60 });

    const { items } = writer.buildTransaction({ events: [anEvent({ correlationId: undefined })] });

    expect(items).toEqual([
      expect.objectContaining({
        eventId: '01EVENT1',
        correlationId: '01EVENT1',
        ttl: NOW.getTime() / 1000 + 60,
      }),
    ]);
  });

  it('uses ULIDs from a monotonic factory by default', () => {
    const writer = createOutboxWriter({ tableName: 'users' }, { now: () => NOW });

    const { items } = writer.buildTransaction({ events: [anEvent(), anEvent({ sequence: 2 })] });

    const ids = items.map((i) => i.eventId);
    expect(ids.every((id) => /^[0-9A-HJKMNP-TV-Z]{26}$/.test(id))).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(ids[0]).not.toEqual(ids[1]);
  });

  it('rejects a transaction over 100 items', () => {
    const { writer } = aWriter();
    const writes = Array.from({ length: 100 }, aUserPut);

    expect(() => writer.buildTransaction({ writes, events: [anEvent()] })).toThrow(
      new TransactionLimitError(
        'A transaction holds at most 100 items; this one has 101 (100 writes + 1 events). Split the change or record fewer events.',
        'items',
        101,
        100,
      ),
    );
  });

  it('rejects an outbox item over 400 KB', () => {
    const { writer } = aWriter();

    const act = () => writer.buildTransaction({ events: [anEvent({ data: { big: 'x'.repeat(410_000) } })] });

    expect(act).toThrow(
      /^events\[0\] makes an outbox item of \d+ bytes; a DynamoDB item may have at most 409600 bytes/,
    );
  });

  it('rejects a transaction whose items total more than 4 MB', () => {
    const { writer } = aWriter();
    const big = 'x'.repeat(390_000);
    const events = Array.from({ length: 11 }, (_, i) => anEvent({ sequence: i + 1, data: { big } }));

    const act = () => writer.buildTransaction({ events });

    expect(act).toThrow(TransactionLimitError);
    expect(act).toThrow(/at most 4194304 bytes/);
    try {
      act();
    } catch (error) {
      expect((error as TransactionLimitError).limit).toBe('bytes');
      expect((error as TransactionLimitError).actual).toBeGreaterThan(MAX_TRANSACTION_BYTES);
    }
  });

  it.each([
    ['sequence', { sequence: 0 }, 'events[0].sequence must be an integer ≥ 1; received 0.'],
    ['version', { version: 1.5 }, 'events[0].version must be an integer ≥ 1; received 1.5.'],
    ['source', { source: '' }, 'events[0].source must be a non-empty string; received "".'],
    [
      'occurredAt',
      { occurredAt: 'yesterday' },
      'events[0].occurredAt must be an ISO 8601 instant; received "yesterday".',
    ],
  ])('rejects an event with an invalid %s', (field, overrides, message) => {
    const { writer } = aWriter();

    expect(() => writer.buildTransaction({ events: [anEvent(overrides)] })).toThrow(
      new InvalidOutboxEventError(message, `events[0].${field}`),
    );
  });

  it('sends the built transaction with TransactWriteItems', async () => {
    const { writer } = aWriter();
    dynamoMock.on(TransactWriteItemsCommand).resolves({});

    const result = await writer.write({
      writes: [aUserPut()],
      events: [anEvent()],
      clientRequestToken: 'tok',
    });

    expect(dynamoMock.commandCalls(TransactWriteItemsCommand).map((c) => c.args[0].input)).toEqual([
      result.input,
    ]);
    expect(result.input.ClientRequestToken).toBe('tok');
  });

  it('reports a cancelled transaction with its reasons by action index', async () => {
    const { writer } = aWriter();
    const cancelled = new TransactionCanceledException({
      message: 'Transaction cancelled',
      $metadata: {},
      CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
    });
    dynamoMock.on(TransactWriteItemsCommand).rejects(cancelled);

    const error = await writer.write({ writes: [aUserPut()], events: [anEvent()] }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(OutboxTransactionCanceledError);
    expect((error as OutboxTransactionCanceledError).cancellationReasons).toEqual([
      { Code: 'ConditionalCheckFailed' },
      { Code: 'None' },
    ]);
    expect((error as Error).message).toContain('0:ConditionalCheckFailed, 1:None');
    expect((error as Error).cause).toBe(cancelled);
  });
});
