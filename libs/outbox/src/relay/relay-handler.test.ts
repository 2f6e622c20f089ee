import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsCommandInput,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { RelayConfigurationError } from '../errors';
import {
  anInsertRecord,
  anOutboxItem,
  fakeClock,
  fakeContracts,
  recordingLogger,
  recordingMetrics,
  seq,
  STREAM_ARN,
} from '../testing/factories';
import type { OutboxItem } from '../item/outbox-item';
import { createRelayHandler, type RelayOptions } from './relay-handler';

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/relay-poison';
const ok = (input: PutEventsCommandInput) => ({
  FailedEntryCount: 0,
  Entries: (input.Entries ?? []).map((_, i) => ({ EventId: `eb-${i}` })),
});
const eventIdOf = (entry: PutEventsRequestEntry): string =>
  (JSON.parse(entry.Detail ?? '{}') as { metadata: { id: string } }).metadata.id;
const streamEvent = (...records: DynamoDBRecord[]): DynamoDBStreamEvent => ({ Records: records });
const context = (remainingMs = 60_000) => ({ getRemainingTimeInMillis: () => remainingMs });

describe('createRelayHandler', () => {
  const eventBridgeMock = mockClient(EventBridgeClient);
  const sqsMock = mockClient(SQSClient);
  // the mocks patch the clients' prototypes: restored, so other files sharing this worker (isolate: false) get real ones
  afterAll(() => {
    eventBridgeMock.restore();
    sqsMock.restore();
  });
  let clock: ReturnType<typeof fakeClock>;
  let logger: ReturnType<typeof recordingLogger>;
  let metrics: ReturnType<typeof recordingMetrics>;

  const aHandler = (options: Partial<RelayOptions> = {}) =>
    createRelayHandler(
      { contracts: fakeContracts, eventBusName: 'users-events', poisonQueueUrl: QUEUE_URL, ...options },
      {
        eventBridge: new EventBridgeClient({ region: 'eu-west-1' }),
        sqs: new SQSClient({ region: 'eu-west-1' }),
        logger,
        metrics,
        now: clock.now,
        sleep: clock.sleep,
        random: () => 0.5,
        env: {},
      },
    );
  const published = () =>
    eventBridgeMock.commandCalls(PutEventsCommand).map((c) => (c.args[0].input.Entries ?? []).map(eventIdOf));
  const poisonBodies = () =>
    sqsMock
      .commandCalls(SendMessageCommand)
      .map((c) => JSON.parse(c.args[0].input.MessageBody ?? '{}') as Record<string, unknown>);

  beforeEach(() => {
    eventBridgeMock.reset();
    sqsMock.reset();
    clock = fakeClock();
    logger = recordingLogger();
    metrics = recordingMetrics();
    eventBridgeMock.on(PutEventsCommand).callsFake(ok);
    sqsMock.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
  });

  it('publishes an outbox INSERT as a PutEvents entry with Source, DetailType, Detail { metadata, data }, bus and Time', async () => {
    const item = anOutboxItem();

    const response = await aHandler()(streamEvent(anInsertRecord(item, seq(1))), context());

    expect(response).toEqual({ batchItemFailures: [] });
    expect(eventBridgeMock.commandCalls(PutEventsCommand).map((c) => c.args[0].input)).toEqual([
      {
        Entries: [
          {
            Source: 'outboxed.users',
            DetailType: 'UserCreated',
            EventBusName: 'users-events',
            Time: new Date('2026-11-29T12:00:00.000Z'),
            Detail: JSON.stringify({
              metadata: {
                id: 'EVT-U1-1',
                type: 'UserCreated',
                version: 1,
                occurredAt: '2026-11-29T12:00:00.000Z',
                aggregateId: 'U1',
                sequence: 1,
                correlationId: 'corr-EVT-U1-1',
              },
              data: { userId: 'U1', email: 'U1@example.com', name: 'Ada' },
            }),
          },
        ],
      },
    ]);
  });

  it.each<[string, DynamoDBRecord]>([
    ['a MODIFY', anInsertRecord(anOutboxItem(), seq(1), { eventName: 'MODIFY' })],
    ['a REMOVE', anInsertRecord(anOutboxItem(), seq(1), { eventName: 'REMOVE' })],
    [
      'a TTL deletion',
      anInsertRecord(anOutboxItem(), seq(1), {
        eventName: 'REMOVE',
        userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' },
      }),
    ],
    [
      'an INSERT of another item type',
      {
        eventName: 'INSERT',
        eventSourceARN: STREAM_ARN,
        dynamodb: { SequenceNumber: seq(1), NewImage: { pk: { S: 'USER#U1' }, sk: { S: 'PROFILE' } } },
      },
    ],
  ])('ignores %s', async (_name, record) => {
    const response = await aHandler()(streamEvent(record), context());

    expect(response).toEqual({ batchItemFailures: [] });
    expect(eventBridgeMock.commandCalls(PutEventsCommand)).toEqual([]);
    expect(sqsMock.commandCalls(SendMessageCommand)).toEqual([]);
  });

  it('guarantee 5: sends a payload that fails its contract, whole and with the reason, to the poison DLQ and moves on', async () => {
    const bad = anOutboxItem({ aggregateId: 'U1', payload: { userId: 'U1' } });
    const good = anOutboxItem({ aggregateId: 'U1', sequence: 2 });
    const badRecord = anInsertRecord(bad, seq(1));

    const response = await aHandler()(streamEvent(badRecord, anInsertRecord(good, seq(2))), context());

    expect(response).toEqual({ batchItemFailures: [] });
    expect(published()).toEqual([['EVT-U1-2']]);
    expect(sqsMock.commandCalls(SendMessageCommand).map((c) => c.args[0].input)).toEqual([
      {
        QueueUrl: QUEUE_URL,
        MessageBody: JSON.stringify({
          reason: 'contract-violation',
          message: 'The detail of UserCreated v1 violates its contract at detail.data.email.',
          violations: [{ path: 'detail.data.email', message: 'must be string' }],
          eventId: 'EVT-U1-1',
          tableName: 'users',
          keys: { pk: 'USER#U1', sk: 'OUTBOX#EVT-U1-1' },
          eventSourceARN: STREAM_ARN,
          sequenceNumber: seq(1),
          deadLetteredAt: new Date(clock.time).toISOString(),
          record: badRecord,
          truncated: false,
        }),
        MessageAttributes: {
          reason: { DataType: 'String', StringValue: 'contract-violation' },
          eventId: { DataType: 'String', StringValue: 'EVT-U1-1' },
        },
      },
    ]);
  });

  it.each<[string, OutboxItem | DynamoDBRecord, Partial<RelayOptions>, string]>([
    ['an unknown event type', anOutboxItem({ eventType: 'UserDeleted' }), {}, 'unknown-event-type'],
    ['an unknown version', anOutboxItem({ eventVersion: 9 }), {}, 'unknown-event-type'],
    [
      'a source other than the contract’s',
      anOutboxItem({ source: 'someone.else' }),
      {},
      'contract-violation',
    ],
    ['an entry over the byte limit', anOutboxItem(), { maxRequestBytes: 200 }, 'entry-too-large'],
    [
      'an unparseable item',
      anInsertRecord(anOutboxItem(), seq(1), {
        dynamodb: {
          SequenceNumber: seq(1),
          Keys: { pk: { S: 'USER#U1' }, sk: { S: 'OUTBOX#X' } },
          NewImage: {
            pk: { S: 'USER#U1' },
            sk: { S: 'OUTBOX#X' },
            itemType: { S: 'OUTBOX' },
            eventId: { S: 'X' },
          },
        },
      }),
      {},
      'unparseable-item',
    ],
  ])('guarantee 5: dead-letters %s with its reason', async (_name, itemOrRecord, options, reason) => {
    const record =
      'eventName' in itemOrRecord ? itemOrRecord : anInsertRecord(itemOrRecord as OutboxItem, seq(1));

    const response = await aHandler(options)(streamEvent(record), context());

    expect(response).toEqual({ batchItemFailures: [] });
    expect(published()).toEqual([]);
    expect(poisonBodies()).toEqual([expect.objectContaining({ reason, record, truncated: false })]);
    expect(metrics.published).toEqual([expect.objectContaining({ PoisonRecords: 1, EventsPublished: 0 })]);
  });

  it('dead-letters an entry EventBridge rejects as MalformedDetail and publishes the aggregate’s next event', async () => {
    eventBridgeMock
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'MalformedDetail', ErrorMessage: 'bad' }] })
      .callsFake(ok);

    const response = await aHandler()(
      streamEvent(
        anInsertRecord(anOutboxItem(), seq(1)),
        anInsertRecord(anOutboxItem({ sequence: 2 }), seq(2)),
      ),
      context(),
    );

    expect(response).toEqual({ batchItemFailures: [] });
    expect(published()).toEqual([['EVT-U1-1'], ['EVT-U1-2']]);
    expect(poisonBodies()).toEqual([
      expect.objectContaining({
        reason: 'rejected-by-eventbridge',
        message: 'EventBridge rejected the entry: MalformedDetail bad',
      }),
    ]);
  });

  it('guarantee 2: reports a poison record whose DLQ send fails and holds back its aggregate’s later events', async () => {
    sqsMock
      .on(SendMessageCommand)
      .rejects(Object.assign(new Error('queue down'), { name: 'ServiceUnavailable' }));
    const records = [
      anInsertRecord(anOutboxItem({ aggregateId: 'B' }), seq(1)),
      anInsertRecord(anOutboxItem({ aggregateId: 'A', payload: {} }), seq(2)),
      anInsertRecord(anOutboxItem({ aggregateId: 'A', sequence: 2 }), seq(3)),
      anInsertRecord(anOutboxItem({ aggregateId: 'C' }), seq(4)),
    ];

    const response = await aHandler()(streamEvent(...records), context());

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: seq(2) }] });
    expect(published()).toEqual([['EVT-B-1', 'EVT-C-1']]);
    expect(metrics.published).toEqual([expect.objectContaining({ PoisonRecords: 0, PoisonSendFailures: 1 })]);
  });

  it('guarantee 2: reports the first record not published after a partial failure that exhausts its retries', async () => {
    eventBridgeMock.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => ({
      Entries: (input.Entries ?? []).map((e) =>
        eventIdOf(e) === 'EVT-B-1' ? { ErrorCode: 'InternalFailure', ErrorMessage: 'x' } : { EventId: 'ok' },
      ),
    }));
    const records = ['A', 'B', 'C'].map((id, i) =>
      anInsertRecord(anOutboxItem({ aggregateId: id }), seq(i + 1)),
    );

    const response = await aHandler({ maxAttempts: 3 })(streamEvent(...records), context());

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: seq(2) }] });
    expect(published()).toEqual([['EVT-A-1', 'EVT-B-1', 'EVT-C-1'], ['EVT-B-1'], ['EVT-B-1']]);
    expect(metrics.published).toEqual([
      expect.objectContaining({
        EventsPublished: 2,
        FailedEntries: 3,
        RetriedEntries: 2,
        PutEventsRequests: 3,
      }),
    ]);
    expect(logger.lines).toContainEqual({
      level: 'error',
      message: 'event not published in this invocation',
      attributes: {
        eventId: 'EVT-B-1',
        correlationId: 'corr-EVT-B-1',
        errorCode: 'InternalFailure',
        attempts: 3,
      },
    });
  });

  it('guarantee 2: reports the first record when the time budget runs out under throttling', async () => {
    eventBridgeMock.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' }],
    });

    const response = await aHandler({ baseDelayMs: 2_000, timeBudgetMarginMs: 3_000 })(
      streamEvent(
        anInsertRecord(anOutboxItem(), seq(1)),
        anInsertRecord(anOutboxItem({ sequence: 2 }), seq(2)),
      ),
      context(3_500),
    );

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: seq(1) }] });
    expect(published()).toEqual([['EVT-U1-1']]);
  });

  it('reports the first record when a whole request fails for good', async () => {
    eventBridgeMock.on(PutEventsCommand).rejects(
      Object.assign(new Error('denied'), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 400 },
      }),
    );

    const response = await aHandler()(
      streamEvent(
        anInsertRecord(anOutboxItem({ aggregateId: 'A' }), seq(1)),
        anInsertRecord(anOutboxItem({ aggregateId: 'B' }), seq(2)),
      ),
      context(),
    );

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: seq(1) }] });
  });

  it('emits counts and the age of the oldest record, and logs ids and counts only (no emails or names)', async () => {
    const createdSecondsAgo = (record: DynamoDBRecord, seconds: number): DynamoDBRecord => ({
      ...record,
      dynamodb: { ...record.dynamodb, ApproximateCreationDateTime: clock.time / 1000 - seconds },
    });
    const records = [
      createdSecondsAgo(anInsertRecord(anOutboxItem({ aggregateId: 'A' }), seq(1)), 7),
      createdSecondsAgo(anInsertRecord(anOutboxItem({ aggregateId: 'B' }), seq(2)), 2),
    ];

    await aHandler()(streamEvent(...records), context());

    expect(metrics.published).toEqual([
      {
        OldestRecordAge: 7_000,
        EventsPublished: 2,
        FailedEntries: 0,
        RetriedEntries: 0,
        PoisonRecords: 0,
        PoisonSendFailures: 0,
        PutEventsRequests: 1,
      },
    ]);
    expect(logger.lines).toEqual([
      {
        level: 'info',
        message: 'relay batch processed',
        attributes: {
          records: 2,
          ignored: 0,
          entries: 2,
          published: 2,
          poison: 0,
          poisonSendFailures: 0,
          requests: 1,
          failedEntries: 0,
          retriedEntries: 0,
          notProcessed: 0,
        },
      },
    ]);
    expect(JSON.stringify(logger.lines)).not.toMatch(/example\.com|Ada/);
  });

  it('reads the bus and queue from the environment variables when not given', async () => {
    const handler = createRelayHandler(
      { contracts: fakeContracts },
      {
        eventBridge: new EventBridgeClient({ region: 'eu-west-1' }),
        sqs: new SQSClient({ region: 'eu-west-1' }),
        logger,
        metrics,
        env: { EVENT_BUS_NAME: 'from-env', POISON_QUEUE_URL: QUEUE_URL },
      },
    );

    await handler(streamEvent(anInsertRecord(anOutboxItem(), seq(1))), context());

    expect(eventBridgeMock.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0]?.EventBusName).toBe(
      'from-env',
    );
  });

  it.each([
    [{}, 'The relay needs the event bus: pass eventBusName or set EVENT_BUS_NAME; received nothing.'],
    [
      { EVENT_BUS_NAME: 'b' },
      'The relay needs the poison DLQ: pass poisonQueueUrl or set POISON_QUEUE_URL; received nothing.',
    ],
    [
      { EVENT_BUS_NAME: 'b', POISON_QUEUE_URL: 'q', OUTBOX_PUBLISH_CONCURRENCY: 'many' },
      'concurrency must be a positive integer; received "many".',
    ],
  ])('fails the invocation when configured with %j', async (env, message) => {
    const handler = createRelayHandler({ contracts: fakeContracts }, { logger, metrics, env });

    await expect(handler(streamEvent(), context())).rejects.toThrow(new RelayConfigurationError(message));
  });
});
