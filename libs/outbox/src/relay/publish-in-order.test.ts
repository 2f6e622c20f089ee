import {
  EventBridgeClient,
  EventBridgeServiceException,
  PutEventsCommand,
  type PutEventsCommandInput,
  type PutEventsRequestEntry,
  type PutEventsResultEntry,
} from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { RelayConfigurationError } from '../errors';
import { fakeClock } from '../testing/factories';
import { putEventsEntrySize } from './entry-size';
import { publishInOrder, type OrderedEntry } from './publish-in-order';

const anEntry = (orderingKey: string, n: number, detail = ''): OrderedEntry => ({
  orderingKey,
  entry: {
    Source: 'outboxed.users',
    DetailType: 'UserCreated',
    Detail: JSON.stringify({ key: orderingKey, n, detail }),
    EventBusName: 'users-events',
  },
});
const idOf = (entry: PutEventsRequestEntry | undefined): string => {
  const { key, n } = JSON.parse(entry?.Detail ?? '{}') as { key: string; n: number };
  return `${key}${n}`;
};
const ok = (input: PutEventsCommandInput) => ({
  FailedEntryCount: 0,
  Entries: (input.Entries ?? []).map((_, i) => ({ EventId: `eb-${i}` })),
});
const serviceError = (name: string, status: number) =>
  new EventBridgeServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message: name,
  });

describe('publishInOrder', () => {
  const eventBridgeMock = mockClient(EventBridgeClient);
  // the mock patches the client's prototype: restored, so other files sharing this worker (isolate: false) get a real one
  afterAll(() => eventBridgeMock.restore());
  const eventBridge = new EventBridgeClient({ region: 'eu-west-1' });
  let clock: ReturnType<typeof fakeClock>;
  const sent = () =>
    eventBridgeMock.commandCalls(PutEventsCommand).map((c) => (c.args[0].input.Entries ?? []).map(idOf));
  const deps = () => ({ eventBridge, now: clock.now, sleep: clock.sleep, random: () => 0.5 });

  beforeEach(() => {
    eventBridgeMock.reset();
    clock = fakeClock();
  });

  it('packs entries into requests of at most 10 entries, exactly as given', async () => {
    const entries = Array.from({ length: 25 }, (_, i) => anEntry(`A${i}-`, 1));
    eventBridgeMock.on(PutEventsCommand).callsFake(ok);

    const result = await publishInOrder(entries, {}, deps());

    const inputs = eventBridgeMock.commandCalls(PutEventsCommand).map((c) => c.args[0].input);
    expect(inputs).toEqual([
      { Entries: entries.slice(0, 10).map((e) => e.entry) },
      { Entries: entries.slice(10, 20).map((e) => e.entry) },
      { Entries: entries.slice(20).map((e) => e.entry) },
    ]);
    expect(result).toEqual({
      outcomes: entries.map(() => ({ status: 'published', attempts: 1 })),
      requests: 3,
      retriedEntries: 0,
      failedEntries: 0,
    });
  });

  it('keeps each request within maxRequestBytes by the entry-size formula', async () => {
    const entries = Array.from({ length: 6 }, (_, i) => anEntry(`K${i}-`, 1, 'x'.repeat(100)));
    const size = putEventsEntrySize(anEntry('K0-', 1, 'x'.repeat(100)).entry);
    eventBridgeMock.on(PutEventsCommand).callsFake(ok);

    await publishInOrder(entries, { maxRequestBytes: size * 2 }, deps());

    expect(sent()).toEqual([
      ['K0-1', 'K1-1'],
      ['K2-1', 'K3-1'],
      ['K4-1', 'K5-1'],
    ]);
  });

  it('guarantee 4: sends at most one event of an aggregate at a time, in commit order', async () => {
    const entries = [anEntry('A', 1), anEntry('B', 1), anEntry('A', 2), anEntry('A', 3), anEntry('B', 2)];
    eventBridgeMock.on(PutEventsCommand).callsFake(ok);

    const result = await publishInOrder(entries, {}, deps());

    expect(sent()).toEqual([['A1', 'B1'], ['A2', 'B2'], ['A3']]);
    expect(result.outcomes.every((o) => o.status === 'published')).toBe(true);
  });

  it('retries only the failed entries of a partial failure', async () => {
    const entries = [anEntry('A', 1), anEntry('B', 1), anEntry('C', 1)];
    eventBridgeMock
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 1,
        Entries: [{ EventId: 'x' }, { ErrorCode: 'InternalFailure', ErrorMessage: 'oops' }, { EventId: 'y' }],
      })
      .callsFake(ok);

    const result = await publishInOrder(entries, { baseDelayMs: 100 }, deps());

    expect(sent()).toEqual([['A1', 'B1', 'C1'], ['B1']]);
    expect(clock.sleeps).toEqual([50]);
    expect(result).toEqual({
      outcomes: [
        { status: 'published', attempts: 1 },
        { status: 'published', attempts: 2 },
        { status: 'published', attempts: 1 },
      ],
      requests: 2,
      retriedEntries: 1,
      failedEntries: 1,
    });
  });

  it('retries throttled entries with exponential backoff and full jitter', async () => {
    const throttled: PutEventsResultEntry = { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' };
    eventBridgeMock
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 1, Entries: [throttled] })
      .resolvesOnce({ FailedEntryCount: 1, Entries: [throttled] })
      .resolvesOnce({ FailedEntryCount: 1, Entries: [throttled] })
      .callsFake(ok);

    const result = await publishInOrder([anEntry('A', 1)], { baseDelayMs: 100, maxDelayMs: 300 }, deps());

    // random() = 0.5 of min(cap, base × 2^retry): 0.5 × 100, 0.5 × 200, 0.5 × 300 (capped)
    expect(clock.sleeps).toEqual([50, 100, 150]);
    expect(result.outcomes).toEqual([{ status: 'published', attempts: 4 }]);
  });

  it('retries a whole request that failed with a retryable error', async () => {
    eventBridgeMock.on(PutEventsCommand).rejectsOnce(serviceError('InternalException', 500)).callsFake(ok);

    const result = await publishInOrder([anEntry('A', 1), anEntry('B', 1)], {}, deps());

    expect(sent()).toEqual([
      ['A1', 'B1'],
      ['A1', 'B1'],
    ]);
    expect(result.outcomes).toEqual([
      { status: 'published', attempts: 2 },
      { status: 'published', attempts: 2 },
    ]);
    expect(result.failedEntries).toBe(2);
  });

  it('does not retry a whole request refused for good, and sends no later event of those aggregates', async () => {
    eventBridgeMock.on(PutEventsCommand).rejects(serviceError('AccessDeniedException', 400));

    const result = await publishInOrder([anEntry('A', 1), anEntry('A', 2)], {}, deps());

    expect(sent()).toEqual([['A1']]);
    expect(result.outcomes).toEqual([
      {
        status: 'failed',
        errorCode: 'AccessDeniedException',
        errorMessage: 'AccessDeniedException',
        retryable: false,
        attempts: 1,
      },
      { status: 'not-sent', reason: 'ordering-key-blocked' },
    ]);
  });

  it('gives every entry up after maxAttempts when every entry fails, other aggregates unaffected', async () => {
    eventBridgeMock.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => ({
      FailedEntryCount: input.Entries?.length,
      Entries: (input.Entries ?? []).map(() => ({ ErrorCode: 'InternalFailure', ErrorMessage: 'down' })),
    }));

    const result = await publishInOrder(
      [anEntry('A', 1), anEntry('A', 2), anEntry('B', 1)],
      { maxAttempts: 3 },
      deps(),
    );

    expect(sent()).toEqual([
      ['A1', 'B1'],
      ['A1', 'B1'],
      ['A1', 'B1'],
    ]);
    expect(result.outcomes).toEqual([
      {
        status: 'failed',
        errorCode: 'InternalFailure',
        errorMessage: 'down (gave up after 3 attempts)',
        retryable: true,
        attempts: 3,
      },
      { status: 'not-sent', reason: 'ordering-key-blocked' },
      {
        status: 'failed',
        errorCode: 'InternalFailure',
        errorMessage: 'down (gave up after 3 attempts)',
        retryable: true,
        attempts: 3,
      },
    ]);
    expect(result.failedEntries).toBe(6);
  });

  it('guarantee 4: stops an aggregate at its first failure while other aggregates go on', async () => {
    eventBridgeMock.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => ({
      Entries: (input.Entries ?? []).map((e) =>
        idOf(e).startsWith('A')
          ? { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'no' }
          : { EventId: 'ok' },
      ),
    }));

    const result = await publishInOrder(
      [anEntry('A', 1), anEntry('B', 1), anEntry('A', 2), anEntry('B', 2)],
      {},
      deps(),
    );

    expect(sent()).toEqual([['A1', 'B1'], ['B2']]);
    expect(result.outcomes.map((o) => o.status)).toEqual(['failed', 'published', 'not-sent', 'published']);
  });

  it('stops when the time budget runs out before the next attempt', async () => {
    eventBridgeMock.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' }],
    });

    const result = await publishInOrder(
      [anEntry('A', 1), anEntry('A', 2)],
      { baseDelayMs: 1_000, deadline: clock.time + 400 },
      deps(),
    );

    expect(sent()).toEqual([['A1']]);
    expect(result.outcomes).toEqual([
      {
        status: 'failed',
        errorCode: 'ThrottlingException',
        errorMessage: 'slow down (time budget exhausted before the next attempt)',
        retryable: true,
        attempts: 1,
      },
      { status: 'not-sent', reason: 'ordering-key-blocked' },
    ]);
  });

  it('starts no request once the deadline has passed', async () => {
    const result = await publishInOrder([anEntry('A', 1)], { deadline: clock.time - 1 }, deps());

    expect(sent()).toEqual([]);
    expect(result.outcomes).toEqual([{ status: 'not-sent', reason: 'time-budget-exhausted' }]);
  });

  it('hands an entry EventBridge rejects for good to onRejected and goes on with its aggregate when handled', async () => {
    eventBridgeMock
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 1,
        Entries: [{ ErrorCode: 'MalformedDetail', ErrorMessage: 'bad json' }],
      })
      .callsFake(ok);
    const rejected: [number, string, string][] = [];

    const result = await publishInOrder(
      [anEntry('A', 1), anEntry('A', 2)],
      {
        onRejected: async (...args) => {
          rejected.push(args);
          return true;
        },
      },
      deps(),
    );

    expect(rejected).toEqual([[0, 'MalformedDetail', 'bad json']]);
    expect(sent()).toEqual([['A1'], ['A2']]);
    expect(result.outcomes).toEqual([
      { status: 'dead-lettered', errorCode: 'MalformedDetail', attempts: 1 },
      { status: 'published', attempts: 1 },
    ]);
  });

  it('rejects an entry larger than maxRequestBytes without sending it', async () => {
    eventBridgeMock.on(PutEventsCommand).callsFake(ok);
    const big = anEntry('A', 1, 'x'.repeat(500));
    const rejected: string[] = [];

    const result = await publishInOrder(
      [big, anEntry('A', 2), anEntry('B', 1)],
      {
        maxRequestBytes: 300,
        onRejected: async (_i, code, message) => {
          rejected.push(`${code}: ${message}`);
          return false;
        },
      },
      deps(),
    );

    expect(rejected).toEqual([
      `EntryTooLarge: The entry is ${putEventsEntrySize(big.entry)} bytes by EventBridge's entry-size formula; a request allows at most 300.`,
    ]);
    expect(sent()).toEqual([['B1']]);
    expect(result.outcomes.map((o) => o.status)).toEqual(['failed', 'not-sent', 'published']);
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    let inFlight = 0;
    let highest = 0;
    eventBridgeMock.on(PutEventsCommand).callsFake(async (input: PutEventsCommandInput) => {
      inFlight += 1;
      highest = Math.max(highest, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight -= 1;
      return ok(input);
    });
    const entries = Array.from({ length: 100 }, (_, i) => anEntry(`K${i}-`, 1));

    const result = await publishInOrder(entries, { concurrency: 3 }, deps());

    expect(highest).toBe(3);
    expect(result.requests).toBe(10);
  });

  it.each([
    [{ maxEntriesPerRequest: 11 }, 'maxEntriesPerRequest must be an integer from 1 to 10; received 11.'],
    [{ concurrency: 0 }, 'concurrency must be an integer from 1 to 1000; received 0.'],
    [
      { maxRequestBytes: 1.5 },
      `maxRequestBytes must be an integer from 1 to ${Number.MAX_SAFE_INTEGER}; received 1.5.`,
    ],
  ])('rejects the option %j', async (options, message) => {
    await expect(publishInOrder([], options, deps())).rejects.toThrow(new RelayConfigurationError(message));
  });
});
