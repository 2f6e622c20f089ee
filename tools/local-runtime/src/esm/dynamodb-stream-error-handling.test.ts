// AWS's documented error handling of DynamoDB stream event source mappings, each case checked against a scripted
// function over a mocked stream (one shard, records a, b, c, … with sequence numbers 100, 200, 300, …). Pages cited:
// - ERRORS: Lambda developer guide, "Retaining discarded records for a DynamoDB event source in Lambda"
//   https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html
// - PARTIAL: "Configuring partial batch response with DynamoDB and Lambda"
//   https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html
// - PARAMS: "Lambda parameters for Amazon DynamoDB event source mappings"
//   https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-params.html
// - STREAM-RECORD: Amazon DynamoDB Streams API Reference, "StreamRecord" (ApproximateCreationDateTime)
//   https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_StreamRecord.html
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { compileEventPattern } from '@outboxed/local-aws';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FunctionInvocationError } from '../errors';
import { DynamoDbStreamMapping } from './dynamodb-stream-mapping';
import type { LambdaStreamRecord, StreamMappingConfig } from './dynamodb-stream-mapping';
import { memoryCheckpoints } from './types';

const streamArn = 'arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/2026-12-04T00:00:00.000';
const functionArn = 'arn:aws:lambda:us-east-1:000000000000:function:Stack-Consumer-ABC';
const dlqArn = 'arn:aws:sqs:us-east-1:000000000000:dlq';
const T0 = Date.parse('2026-12-04T12:00:00Z');
const streams = mockClient(DynamoDBStreamsClient);
afterEach(() => streams.reset());
// the mock patches the client's prototype: restored, so other files sharing this worker (isolate: false) get a real one
afterAll(() => streams.restore());

const seq = (id: string) => String((id.charCodeAt(0) - 96) * 100);

/** What a scripted function does with one record, per time it sees it (the last entry repeats). */
type Action = 'ok' | 'throw' | 'report';

/** A function that throws when any record's action is `throw`, else reports the `report` records as failures. */
function scripted(actions: Readonly<Record<string, readonly Action[]>>) {
  const seen = new Map<string, number>();
  return (ids: readonly string[]): unknown => {
    const now = ids.map((id) => {
      const n = seen.get(id) ?? 0;
      seen.set(id, n + 1);
      const list = actions[id] ?? ['ok'];
      return list[Math.min(n, list.length - 1)] as Action;
    });
    if (now.includes('throw'))
      throw new FunctionInvocationError('Stack-Consumer-ABC', 'Error', 'a scripted poison record');
    const reported = ids.filter((_, i) => now[i] === 'report');
    return { batchItemFailures: reported.map((id) => ({ itemIdentifier: seq(id) })) };
  };
}

interface Run {
  readonly ids: string;
  readonly config?: Partial<StreamMappingConfig>;
  readonly fn: (ids: readonly string[], call: number) => unknown;
  /** ApproximateCreationDateTime of every record as the stream reports it. @default T0 */
  readonly createdAt?: Date;
  /** The clock; `onInvoke` (called as each invocation starts) may move it. @default T0 */
  readonly clock?: { now: number };
  readonly onInvoke?: (clock: { now: number }) => void;
}

/** Runs the mapping over one closed shard until every record is checkpointed (handled or discarded). */
async function run({ ids, config, fn, createdAt = new Date(T0), clock = { now: T0 }, onInvoke }: Run) {
  const records = [...ids].map((id) => ({
    eventID: `e-${id}`,
    eventName: 'INSERT' as const,
    dynamodb: {
      SequenceNumber: seq(id),
      ApproximateCreationDateTime: createdAt,
      NewImage: { id: { S: id } },
    },
  }));
  streams.on(DescribeStreamCommand).resolves({ StreamDescription: { Shards: [{ ShardId: 'shard-1' }] } });
  streams.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it-1' });
  streams.on(GetRecordsCommand).resolves({ Records: records, NextShardIterator: undefined });
  const invocations: string[][] = [];
  const events: LambdaStreamRecord[][] = [];
  const destination: Record<string, unknown>[] = [];
  const checkpoints = memoryCheckpoints();
  const mapping = new DynamoDbStreamMapping(
    { uuid: 'm', functionArn, eventSourceArn: streamArn, startingPosition: 'TRIM_HORIZON', ...config },
    {
      streams: new DynamoDBStreamsClient({ region: 'us-east-1' }),
      invoke: async (_arn, event) => {
        const batch = (event as { Records: LambdaStreamRecord[] }).Records;
        const batchIds = batch.map(
          (r) => (r.dynamodb as unknown as { NewImage: { id: { S: string } } }).NewImage.id.S,
        );
        invocations.push(batchIds);
        events.push(batch);
        onInvoke?.(clock);
        return fn(batchIds, invocations.length);
      },
      sendToDestination: async (_arn, message) => void destination.push(message),
      compileFilter: compileEventPattern,
      checkpoints,
      log: () => undefined,
      pollIntervalMs: 5,
      retryBackoffMs: 1,
      shardDiscoveryMs: 50,
      now: () => clock.now,
    },
  );
  mapping.start();
  await expect.poll(() => checkpoints.get('m/shard-1'), { timeout: 10_000 }).toBe(seq(ids.at(-1) as string));
  await mapping.stop();
  return { invocations, events, destination };
}

const onFailure = (records: string, condition: string, approximateInvokeCount: number) => ({
  requestContext: { requestId: expect.any(String), functionArn, condition, approximateInvokeCount },
  ...(approximateInvokeCount > 0
    ? { responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' } }
    : {}),
  version: '1.0',
  timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
  DDBStreamBatchInfo: {
    shardId: 'shard-1',
    startSequenceNumber: seq(records[0] as string),
    endSequenceNumber: seq(records.at(-1) as string),
    approximateArrivalOfFirstRecord: '2026-12-04T12:00:00Z',
    approximateArrivalOfLastRecord: '2026-12-04T12:00:00Z',
    batchSize: records.length,
    streamArn,
  },
});

describe('DynamoDbStreamMapping: BisectBatchOnFunctionError (ERRORS: "Splitting batches doesn\'t consume the retry quota")', () => {
  it('splits down to the poison record and retries only it, so healthy c-neighbours are processed (MaximumRetryAttempts 1)', async () => {
    const { invocations, destination } = await run({
      ids: 'abcd',
      config: { bisectBatchOnFunctionError: true, maximumRetryAttempts: 1, onFailureDestinationArn: dlqArn },
      fn: scripted({ c: ['throw'] }),
    });

    expect(invocations).toEqual([['a', 'b', 'c', 'd'], ['a', 'b'], ['c', 'd'], ['c'], ['c'], ['d']]);
    expect(destination).toEqual([onFailure('c', 'RetryAttemptsExhausted', 2)]);
  });

  it('still splits with MaximumRetryAttempts 0, discarding only the record that fails alone', async () => {
    const { invocations, destination } = await run({
      ids: 'abcd',
      config: { bisectBatchOnFunctionError: true, maximumRetryAttempts: 0, onFailureDestinationArn: dlqArn },
      fn: scripted({ b: ['throw'] }),
    });

    expect(invocations).toEqual([['a', 'b', 'c', 'd'], ['a', 'b'], ['a'], ['b'], ['c', 'd']]);
    expect(destination).toEqual([onFailure('b', 'RetryAttemptsExhausted', 1)]);
  });

  it("the runtime's choice where AWS is silent: a half starts with the retries its batch already used", async () => {
    // a partial response (a retry of c, d) and then a function error: the halves [c] and [d] inherit that one retry,
    // so with MaximumRetryAttempts 1 the failing [c] is discarded at once; no record is retried more than 1 time
    const { invocations, destination } = await run({
      ids: 'abcd',
      config: {
        bisectBatchOnFunctionError: true,
        reportBatchItemFailures: true,
        maximumRetryAttempts: 1,
        onFailureDestinationArn: dlqArn,
      },
      fn: scripted({ c: ['report', 'throw'] }),
    });

    expect(invocations).toEqual([['a', 'b', 'c', 'd'], ['c', 'd'], ['c'], ['d']]);
    expect(destination).toEqual([onFailure('c', 'RetryAttemptsExhausted', 1)]);
  });

  it('PARTIAL: with ReportBatchItemFailures a partial response is not split: only the records from the reported one are retried', async () => {
    const { invocations } = await run({
      ids: 'abcd',
      config: { bisectBatchOnFunctionError: true, reportBatchItemFailures: true },
      fn: scripted({ c: ['report', 'ok'] }),
    });

    expect(invocations).toEqual([
      ['a', 'b', 'c', 'd'],
      ['c', 'd'],
    ]);
  });
});

describe('DynamoDbStreamMapping: partial batch responses (PARTIAL, "Success and failure conditions")', () => {
  const first =
    (response: (seqOf: typeof seq) => unknown) =>
    (_ids: readonly string[], call: number): unknown =>
      call === 1 ? response(seq) : {};

  it.each([
    [
      'resumes at the lowest of several reported sequence numbers',
      (s: typeof seq) => ({ batchItemFailures: [{ itemIdentifier: s('d') }, { itemIdentifier: s('b') }] }),
      [
        ['a', 'b', 'c', 'd'],
        ['b', 'c', 'd'],
      ],
    ],
    [
      'treats an empty batchItemFailures list as complete success',
      () => ({ batchItemFailures: [] }),
      [['a', 'b', 'c', 'd']],
    ],
    [
      'treats a null batchItemFailures list as complete success',
      () => ({ batchItemFailures: null }),
      [['a', 'b', 'c', 'd']],
    ],
    ['treats an empty response as complete success', () => ({}), [['a', 'b', 'c', 'd']]],
    ['treats a null response as complete success', () => null, [['a', 'b', 'c', 'd']]],
    [
      'treats an empty string itemIdentifier as complete failure',
      () => ({ batchItemFailures: [{ itemIdentifier: '' }] }),
      [
        ['a', 'b', 'c', 'd'],
        ['a', 'b', 'c', 'd'],
      ],
    ],
    [
      'treats a null itemIdentifier as complete failure',
      () => ({ batchItemFailures: [{ itemIdentifier: null }] }),
      [
        ['a', 'b', 'c', 'd'],
        ['a', 'b', 'c', 'd'],
      ],
    ],
    [
      'treats an itemIdentifier with a bad key name as complete failure',
      (s: typeof seq) => ({ batchItemFailures: [{ itemId: s('c') }] }),
      [
        ['a', 'b', 'c', 'd'],
        ['a', 'b', 'c', 'd'],
      ],
    ],
    [
      "the runtime's choice where AWS is silent for streams: a sequence number not in the batch is complete failure (as AWS documents for SQS)",
      () => ({ batchItemFailures: [{ itemIdentifier: '999999' }] }),
      [
        ['a', 'b', 'c', 'd'],
        ['a', 'b', 'c', 'd'],
      ],
    ],
  ])('%s', async (_name, response, expected) => {
    const { invocations } = await run({
      ids: 'abcd',
      config: { reportBatchItemFailures: true },
      fn: first(response),
    });

    expect(invocations).toEqual(expected);
  });

  it('ignores batchItemFailures when the mapping does not turn ReportBatchItemFailures on', async () => {
    const { invocations } = await run({
      ids: 'abcd',
      fn: first((s) => ({ batchItemFailures: [{ itemIdentifier: s('b') }] })),
    });

    expect(invocations).toEqual([['a', 'b', 'c', 'd']]);
  });
});

describe('DynamoDbStreamMapping: MaximumRetryAttempts (PARAMS; ERRORS)', () => {
  it.each([
    [0, 1],
    [2, 3],
  ])(
    'with MaximumRetryAttempts %i invokes a failing batch %i time(s), then sends the documented on-failure record',
    async (maximumRetryAttempts, invocationsExpected) => {
      const { invocations, destination } = await run({
        ids: 'ab',
        config: { maximumRetryAttempts, onFailureDestinationArn: dlqArn },
        fn: scripted({ b: ['throw'] }),
      });

      expect(invocations).toEqual(Array.from({ length: invocationsExpected }, () => ['a', 'b']));
      expect(destination).toEqual([onFailure('ab', 'RetryAttemptsExhausted', invocationsExpected)]);
    },
  );

  it('discards with no destination configured and moves on (the shard is checkpointed past the records)', async () => {
    const { invocations, destination } = await run({
      ids: 'ab',
      config: { maximumRetryAttempts: 0 },
      fn: scripted({ a: ['throw'] }),
    });

    expect(invocations).toEqual([['a', 'b']]);
    expect(destination).toEqual([]);
  });
});

describe('DynamoDbStreamMapping: MaximumRecordAgeInSeconds (PARAMS: "Discard records older than the specified age")', () => {
  it.each([
    ['invokes a record exactly MaximumRecordAgeInSeconds old', 60_000, [['a']], []],
    [
      'discards a record one second older without invoking, with no responseContext',
      61_000,
      [],
      [onFailure('a', 'RecordAgeExceeded', 0)],
    ],
  ])('%s', async (_name, ageMs, invocationsExpected, destinationExpected) => {
    const { invocations, destination } = await run({
      ids: 'a',
      config: { maximumRecordAgeInSeconds: 60, onFailureDestinationArn: dlqArn },
      fn: () => ({}),
      clock: { now: T0 + ageMs },
    });

    expect(invocations).toEqual(invocationsExpected);
    expect(destination).toEqual(destinationExpected);
  });

  it('retries a failing record until it is older than MaximumRecordAgeInSeconds (MaximumRetryAttempts -1), then discards it', async () => {
    const { invocations, destination } = await run({
      ids: 'a',
      config: { maximumRecordAgeInSeconds: 60, onFailureDestinationArn: dlqArn },
      fn: scripted({ a: ['throw'] }),
      onInvoke: (clock) => void (clock.now += 25_000),
    });

    expect(invocations).toEqual([['a'], ['a'], ['a']]);
    expect(destination).toEqual([onFailure('a', 'RecordAgeExceeded', 3)]);
  });
});

describe('DynamoDbStreamMapping: record times to the second (STREAM-RECORD: "rounded down to the closest second")', () => {
  it('dates a record DynamoDB Local stamps to the minute by the last read that reached the end of the shard, so it is not discarded early', async () => {
    // the reader reaches the end of the shard at 12:00:41.300; the next read finds a record stamped 12:00:00
    // (DynamoDB Local rounds down to the minute): it was written after 12:00:41.300, so it is 12:00:41 to the second
    const clock = { now: T0 + 41_300 };
    const record = {
      eventID: 'e-a',
      eventName: 'INSERT' as const,
      dynamodb: {
        SequenceNumber: '100',
        ApproximateCreationDateTime: new Date(T0),
        NewImage: { id: { S: 'a' } },
      },
    };
    streams.on(DescribeStreamCommand).resolves({ StreamDescription: { Shards: [{ ShardId: 'shard-1' }] } });
    streams.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it-1' });
    streams
      .on(GetRecordsCommand, { ShardIterator: 'it-1' })
      .resolves({ Records: [], NextShardIterator: 'it-2' })
      .on(GetRecordsCommand, { ShardIterator: 'it-2' })
      .callsFake(() => {
        clock.now = T0 + 50_000;
        return { Records: [record], NextShardIterator: undefined };
      });
    const created: unknown[] = [];
    const destination: unknown[] = [];
    const checkpoints = memoryCheckpoints();
    const mapping = new DynamoDbStreamMapping(
      {
        uuid: 'm',
        functionArn,
        eventSourceArn: streamArn,
        startingPosition: 'TRIM_HORIZON',
        maximumRecordAgeInSeconds: 30,
        onFailureDestinationArn: dlqArn,
      },
      {
        streams: new DynamoDBStreamsClient({ region: 'us-east-1' }),
        invoke: async (_arn, event) => {
          created.push(
            ...(event as { Records: LambdaStreamRecord[] }).Records.map(
              (r) => r.dynamodb.ApproximateCreationDateTime,
            ),
          );
          return {};
        },
        sendToDestination: async (_arn, message) => void destination.push(message),
        compileFilter: compileEventPattern,
        checkpoints,
        log: () => undefined,
        pollIntervalMs: 5,
        now: () => clock.now,
      },
    );

    mapping.start();
    await expect.poll(() => checkpoints.get('m/shard-1'), { timeout: 10_000 }).toBe('100');
    await mapping.stop();

    expect(created).toEqual([(T0 + 41_000) / 1000]);
    expect(destination).toEqual([]);
  });

  it('keeps the time the stream reports when it is later than what the reader knows (DynamoDB itself, to the second)', async () => {
    const { events } = await run({ ids: 'a', fn: () => ({}), createdAt: new Date(T0 + 7_000) });

    expect(events.map((batch) => batch.map((r) => r.dynamodb.ApproximateCreationDateTime))).toEqual([
      [(T0 + 7_000) / 1000],
    ]);
  });

  it('dates the records of a shard that appeared later by the DescribeStream that did not list it yet', async () => {
    // DescribeStream at 12:00:20 lists shard-1 only; a later one lists its child shard-2, whose record DynamoDB Local
    // stamps 12:00:00: it was written after 12:00:20
    const clock = { now: T0 + 20_000 };
    const record = {
      eventID: 'e-a',
      eventName: 'INSERT' as const,
      dynamodb: {
        SequenceNumber: '100',
        ApproximateCreationDateTime: new Date(T0),
        NewImage: { id: { S: 'a' } },
      },
    };
    streams
      .on(DescribeStreamCommand)
      .resolvesOnce({ StreamDescription: { Shards: [{ ShardId: 'shard-1' }] } })
      .resolves({
        StreamDescription: {
          Shards: [{ ShardId: 'shard-1' }, { ShardId: 'shard-2', ParentShardId: 'shard-1' }],
        },
      });
    streams
      .on(GetShardIteratorCommand, { ShardId: 'shard-1' })
      .resolves({ ShardIterator: 'it-s1' })
      .on(GetShardIteratorCommand, { ShardId: 'shard-2' })
      .resolves({ ShardIterator: 'it-s2' });
    streams
      .on(GetRecordsCommand, { ShardIterator: 'it-s1' })
      .resolves({ Records: [], NextShardIterator: undefined })
      .on(GetRecordsCommand, { ShardIterator: 'it-s2' })
      .resolves({ Records: [record], NextShardIterator: undefined });
    const created: unknown[] = [];
    const checkpoints = memoryCheckpoints();
    const mapping = new DynamoDbStreamMapping(
      { uuid: 'm', functionArn, eventSourceArn: streamArn, startingPosition: 'LATEST' },
      {
        streams: new DynamoDBStreamsClient({ region: 'us-east-1' }),
        invoke: async (_arn, event) => {
          created.push(
            ...(event as { Records: LambdaStreamRecord[] }).Records.map(
              (r) => r.dynamodb.ApproximateCreationDateTime,
            ),
          );
          return {};
        },
        sendToDestination: async () => undefined,
        compileFilter: compileEventPattern,
        checkpoints,
        log: () => undefined,
        pollIntervalMs: 5,
        shardDiscoveryMs: 20,
        now: () => clock.now,
      },
    );

    mapping.start();
    await expect.poll(() => checkpoints.get('m/shard-2'), { timeout: 10_000 }).toBe('100');
    await mapping.stop();

    expect(created).toEqual([(T0 + 20_000) / 1000]);
  });
});
