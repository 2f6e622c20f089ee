import {
  DynamoDBClient,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  type CancellationReason,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidOutboxEventError, InvalidOutboxWriteError, TransactionLimitError } from '../errors';
import { anEventContract } from '../testing/factories';
import { outboxEvent, type OutboxAggregate, type OutboxEvent } from './outbox-event';
import { createOutboxWriter, type OutboxWriterOptions } from './outbox-writer';
import { MAX_TRANSACTION_BYTES, type NamedWrite } from './transaction';

const NOW = new Date('2026-11-29T12:00:00.000Z');
const userCreated = anEventContract<{ userId: string; big?: string }>();
type EventOverrides = Partial<OutboxAggregate> & {
  data?: { userId: string; big?: string };
  contract?: Partial<{ source: string; detailType: string; version: number }>;
};
const anEvent = ({ data, contract, ...aggregate }: EventOverrides = {}): OutboxEvent =>
  outboxEvent(contract ? anEventContract(contract) : userCreated, data ?? { userId: 'U1' }, {
    aggregateType: 'User',
    aggregateId: 'U1',
    partitionKey: 'USER#U1',
    sequence: 1,
    correlationId: 'corr-1',
    ...aggregate,
  });
const aUserPut = (): NamedWrite<'user'> => ({
  name: 'user',
  write: { Put: { TableName: 'users', Item: marshall({ pk: 'USER#U1', sk: 'PROFILE' }) } },
});
const anEmailPut = (): NamedWrite<'email'> => ({
  name: 'email',
  write: { Put: { TableName: 'users', Item: marshall({ pk: 'EMAIL#e', sk: 'EMAIL' }) } },
});

function aWriter(options: Partial<OutboxWriterOptions> = {}) {
  let n = 0;
  const sleeps: number[] = [];
  const dynamoDb = new DynamoDBClient({ region: 'eu-west-1' });
  const writer = createOutboxWriter(
    { tableName: 'users', ...options },
    {
      dynamoDb,
      now: () => NOW,
      newEventId: () => `01EVENT${++n}`,
      random: () => 0.5,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    },
  );
  return { writer, dynamoDb, sleeps };
}

function cancelled(...codes: (string | CancellationReason)[]): TransactionCanceledException {
  return new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((code) => (typeof code === 'string' ? { Code: code } : code)),
  });
}

describe('createOutboxWriter', () => {
  let dynamoMock: ReturnType<typeof mockClient>;
  beforeEach(() => {
    dynamoMock = mockClient(DynamoDBClient);
  });
  // the mock patches the client's prototype: restored, so other files sharing this worker (isolate: false) get a real one
  afterEach(() => dynamoMock.restore());

  describe('buildTransaction', () => {
    it('builds one transaction: the state writes, then one conditional outbox Put per event', () => {
      const { writer } = aWriter();

      const transaction = writer.buildTransaction({ writes: [aUserPut()], events: [anEvent()] });

      expect(transaction.names).toEqual(['user', 'events[0]']);
      expect(transaction.input).toEqual({
        TransactItems: [
          aUserPut().write,
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

    it("writes the outbox item under the table's own key attribute names", () => {
      const { writer } = aWriter({ keys: { partitionKey: 'PK', sortKey: 'SK' } });

      const put = writer.buildTransaction({ events: [anEvent()] }).input.TransactItems?.[0]?.Put;

      expect(put?.Item).toMatchObject({ PK: { S: 'USER#U1' }, SK: { S: 'OUTBOX#01EVENT1' } });
      expect(put?.Item).not.toHaveProperty('pk');
      expect(put?.ExpressionAttributeNames).toEqual({ '#pk': 'PK' });
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
      const writes = Array.from({ length: 100 }, (_, i) => ({ ...aUserPut(), name: `user-${i}` }));

      expect(() => writer.buildTransaction({ writes, events: [anEvent()] })).toThrow(
        new TransactionLimitError(
          'A transaction holds at most 100 items; this one has 101 (100 writes + 1 events). Split the change or record fewer events.',
          'items',
          101,
          100,
        ),
      );
    });

    it.each([
      ['twice', [aUserPut(), aUserPut()], 'writes[1].name', '"user"'],
      ['empty', [{ ...aUserPut(), name: '' }], 'writes[0].name', '""'],
      ['like an outbox item', [{ ...aUserPut(), name: 'events[0]' }], 'writes[0].name', '"events[0]"'],
    ])('rejects a write name given %s', (_, writes, field, received) => {
      const { writer } = aWriter();

      const act = () => writer.buildTransaction({ writes, events: [anEvent()] });

      expect(act).toThrow(InvalidOutboxWriteError);
      expect(act).toThrow(`${field} must be a non-empty name used once per transaction`);
      expect(act).toThrow(`received ${received}.`);
    });

    it('rejects an outbox item over 400 KB', () => {
      const { writer } = aWriter();

      const act = () =>
        writer.buildTransaction({ events: [anEvent({ data: { userId: 'U1', big: 'x'.repeat(410_000) } })] });

      expect(act).toThrow(
        /^events\[0\] makes an outbox item of \d+ bytes; a DynamoDB item may have at most 409600 bytes/,
      );
    });

    it('rejects a transaction whose items total more than 4 MB', () => {
      const { writer } = aWriter();
      const big = 'x'.repeat(390_000);
      const events = Array.from({ length: 11 }, (_, i) =>
        anEvent({ sequence: i + 1, data: { userId: 'U1', big } }),
      );

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
      [
        'contract.version',
        { contract: { version: 1.5 } },
        'events[0].contract.version must be an integer ≥ 1; received 1.5.',
      ],
      [
        'contract.source',
        { contract: { source: '' } },
        'events[0].contract.source must be a non-empty string; received "".',
      ],
      [
        'occurredAt',
        { occurredAt: 'yesterday' },
        'events[0].occurredAt must be an ISO 8601 instant; received "yesterday".',
      ],
    ])('rejects an event with an invalid %s', (field, overrides: EventOverrides, message) => {
      const { writer } = aWriter();

      expect(() => writer.buildTransaction({ events: [anEvent(overrides)] })).toThrow(
        new InvalidOutboxEventError(message, `events[0].${field}`),
      );
    });
  });

  describe('write', () => {
    it('sends the built transaction with TransactWriteItems and reports it written', async () => {
      const { writer } = aWriter();
      dynamoMock.on(TransactWriteItemsCommand).resolves({});

      const outcome = await writer.write({
        writes: [aUserPut()],
        events: [anEvent()],
        clientRequestToken: 'tok',
      });

      expect(outcome.outcome).toBe('written');
      if (outcome.outcome !== 'written') return;
      expect(dynamoMock.commandCalls(TransactWriteItemsCommand).map((c) => c.args[0].input)).toEqual([
        outcome.input,
      ]);
      expect(outcome.input.ClientRequestToken).toBe('tok');
      expect(outcome.items.map((item) => item.eventId)).toEqual(['01EVENT1']);
      expect(outcome.attempts).toBe(1);
    });

    it('decodes cancellation reasons by item: the write named by the caller whose condition failed', async () => {
      const { writer } = aWriter();
      const old = marshall({ pk: 'EMAIL#e', sk: 'EMAIL', userId: 'U0' });
      const error = cancelled('None', { Code: 'ConditionalCheckFailed', Item: old }, 'None');
      dynamoMock.on(TransactWriteItemsCommand).rejects(error);

      const outcome = await writer.write({ writes: [aUserPut(), anEmailPut()], events: [anEvent()] });

      expect(outcome).toEqual({
        outcome: 'condition-failed',
        item: 'email',
        reason: { Code: 'ConditionalCheckFailed', Item: old },
        cancellations: [
          {
            item: 'email',
            code: 'ConditionalCheckFailed',
            reason: { Code: 'ConditionalCheckFailed', Item: old },
          },
        ],
        attempts: 1,
      });
      expect(dynamoMock.commandCalls(TransactWriteItemsCommand)).toHaveLength(1);
    });

    it('names the outbox item of an event by its index when its condition fails', async () => {
      const { writer } = aWriter();
      dynamoMock.on(TransactWriteItemsCommand).rejects(cancelled('None', 'None', 'ConditionalCheckFailed'));

      const outcome = await writer.write({
        writes: [aUserPut()],
        events: [anEvent(), anEvent({ sequence: 2 })],
      });

      expect(outcome).toMatchObject({ outcome: 'condition-failed', item: 'events[1]' });
    });

    it('retries a TransactionConflict with the very same input after a full-jitter wait, then reports it written', async () => {
      const { writer, sleeps } = aWriter();
      dynamoMock
        .on(TransactWriteItemsCommand)
        .rejectsOnce(cancelled('TransactionConflict', 'None'))
        .rejectsOnce(cancelled('None', 'TransactionConflict'))
        .resolves({});

      const outcome = await writer.write({ writes: [aUserPut()], events: [anEvent()] });

      expect(outcome).toMatchObject({ outcome: 'written', attempts: 3 });
      const inputs = dynamoMock.commandCalls(TransactWriteItemsCommand).map((c) => c.args[0].input);
      expect(inputs).toHaveLength(3);
      expect(inputs[1]).toEqual(inputs[0]);
      expect(inputs[2]).toEqual(inputs[0]);
      // random() = 0.5: half of min(1000, 50 × 2^retry)
      expect(sleeps).toEqual([25, 50]);
    });

    it('gives up after its attempts with a transaction-conflict outcome naming the items', async () => {
      const { writer, sleeps } = aWriter({ retry: { maxAttempts: 4, baseDelayMs: 400, maxDelayMs: 1000 } });
      dynamoMock.on(TransactWriteItemsCommand).rejects(cancelled('TransactionConflict', 'None'));

      const outcome = await writer.write({ writes: [aUserPut()], events: [anEvent()] });

      expect(outcome).toEqual({
        outcome: 'transaction-conflict',
        cancellations: [
          { item: 'user', code: 'TransactionConflict', reason: { Code: 'TransactionConflict' } },
        ],
        attempts: 4,
      });
      expect(dynamoMock.commandCalls(TransactWriteItemsCommand)).toHaveLength(4);
      // bounded: the ceiling stops growing at maxDelayMs
      expect(sleeps).toEqual([200, 400, 500]);
    });

    it('does not retry when a condition failed beside a conflict: the condition decides', async () => {
      const { writer } = aWriter();
      dynamoMock
        .on(TransactWriteItemsCommand)
        .rejects(cancelled('TransactionConflict', 'ConditionalCheckFailed'));

      const outcome = await writer.write({ writes: [aUserPut(), anEmailPut()], events: [] });

      expect(outcome).toMatchObject({ outcome: 'condition-failed', item: 'email', attempts: 1 });
    });

    it.each([
      'ThrottlingError',
      'ValidationError',
      'ItemCollectionSizeLimitExceeded',
      'ProvisionedThroughputExceeded',
    ])('reports a cancellation for %s as cancelled, by item, without retrying', async (code) => {
      const { writer } = aWriter();
      dynamoMock.on(TransactWriteItemsCommand).rejects(cancelled('None', code));

      const outcome = await writer.write({ writes: [aUserPut()], events: [anEvent()] });

      expect(outcome).toEqual({
        outcome: 'cancelled',
        cancellations: [{ item: 'events[0]', code, reason: { Code: code } }],
        attempts: 1,
      });
      expect(dynamoMock.commandCalls(TransactWriteItemsCommand)).toHaveLength(1);
    });

    it('refuses an event whose detail breaks its contract, and sends nothing', async () => {
      const { writer } = aWriter();
      const strict = anEventContract<{ userId: string }>({}, (detail) =>
        (detail as { data: { userId: string } }).data.userId.startsWith('U')
          ? []
          : [{ path: 'detail.data.userId', message: 'must start with U' }],
      );
      const bad = outboxEvent(strict, { userId: 'X1' }, { ...anEvent(), correlationId: 'corr-1' });

      const outcome = await writer.write({ events: [anEvent(), bad] });

      expect(outcome).toEqual({
        outcome: 'invalid-event',
        item: 'events[1]',
        violations: [{ path: 'detail.data.userId', message: 'must start with U' }],
      });
      expect(dynamoMock.commandCalls(TransactWriteItemsCommand)).toHaveLength(0);
    });

    it('throws an error that is not a cancellation as it is', async () => {
      const { writer } = aWriter();
      const failure = Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
      dynamoMock.on(TransactWriteItemsCommand).rejects(failure);

      await expect(writer.write({ events: [anEvent()] })).rejects.toBe(failure);
    });
  });

  it('rejects retry options without an attempt', () => {
    expect(() => createOutboxWriter({ tableName: 'users', retry: { maxAttempts: 0 } })).toThrow(
      new InvalidOutboxEventError(
        'retry.maxAttempts must be an integer ≥ 1 (sends of one transaction); received 0.',
        'retry.maxAttempts',
      ),
    );
  });
});
