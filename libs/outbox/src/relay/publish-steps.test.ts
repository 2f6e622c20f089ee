import { describe, expect, it } from 'vitest';
import { MinHeap } from './min-heap';
import {
  classifyRequestError,
  classifyResponse,
  planLanes,
  planRetry,
  takeBatch,
  type Lane,
} from './publish-in-order';

/** The steps publishInOrder is made of: lanes, batches, outcome classification and retry planning. */

const readyOf = (keys: readonly string[]): MinHeap<Lane> => {
  const ready = new MinHeap<Lane>((lane) => lane.indices[lane.pos] as number);
  for (const lane of planLanes(keys.map((orderingKey) => ({ orderingKey }))).lanes) ready.push(lane);
  return ready;
};

describe('planLanes', () => {
  it('puts the entries of one ordering key in one lane, in input order, and maps each entry to its lane', () => {
    const { lanes, laneOf } = planLanes(['A', 'B', 'A', 'C', 'B'].map((orderingKey) => ({ orderingKey })));

    expect(lanes.map((l) => l.indices)).toEqual([[0, 2], [1, 4], [3]]);
    expect(laneOf.map((l) => l.indices[0])).toEqual([0, 1, 0, 3, 1]);
    expect(lanes.every((l) => l.pos === 0)).toBe(true);
  });
});

describe('takeBatch', () => {
  it('takes the oldest head entry of each ready lane, one entry per lane, up to maxEntries', () => {
    const ready = readyOf(['A', 'A', 'B', 'C', 'D']);

    const { batch, tooLarge } = takeBatch(ready, [1, 1, 1, 1, 1], { maxEntries: 3, maxBytes: 100 });

    expect(batch).toEqual([0, 2, 3]);
    expect(tooLarge).toEqual([]);
    expect(ready.size).toBe(1);
  });

  it('stops before the entry that would take the request over maxBytes, leaving it ready', () => {
    const ready = readyOf(['A', 'B', 'C']);

    const { batch } = takeBatch(ready, [40, 50, 20], { maxEntries: 10, maxBytes: 100 });

    expect(batch).toEqual([0, 1]);
    expect(ready.size).toBe(1);
  });

  it('takes an entry larger than maxBytes alone off its lane as tooLarge and goes on', () => {
    const ready = readyOf(['A', 'B', 'C']);

    const { batch, tooLarge } = takeBatch(ready, [10, 101, 10], { maxEntries: 10, maxBytes: 100 });

    expect(batch).toEqual([0, 2]);
    expect(tooLarge).toEqual([1]);
    expect(ready.size).toBe(0);
  });
});

describe('classifyResponse', () => {
  it.each([
    [{ EventId: 'e' }, { kind: 'published' }],
    [
      { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' },
      { kind: 'retry', errorCode: 'ThrottlingException', errorMessage: 'slow down' },
    ],
    [{ ErrorCode: 'InternalFailure' }, { kind: 'retry', errorCode: 'InternalFailure', errorMessage: '' }],
    [
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'bad' },
      { kind: 'rejected', errorCode: 'MalformedDetail', errorMessage: 'bad' },
    ],
    [
      { ErrorCode: 'AccessDeniedException', ErrorMessage: 'no' },
      { kind: 'rejected', errorCode: 'AccessDeniedException', errorMessage: 'no' },
    ],
  ])('classifies the result %j as %j', (result, expected) => {
    expect(classifyResponse(1, { Entries: [result] })).toEqual([expected]);
  });

  it('retries, as InternalFailure, an entry the response has no result for', () => {
    expect(classifyResponse(2, { Entries: [{ EventId: 'e' }] })).toEqual([
      { kind: 'published' },
      {
        kind: 'retry',
        errorCode: 'InternalFailure',
        errorMessage: 'PutEvents returned no result for this entry',
      },
    ]);
  });
});

describe('classifyRequestError', () => {
  const error = (name: string, status: number) =>
    Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status } });

  it('retries every entry of a request that threw a retryable error, with its name and message', () => {
    expect(classifyRequestError(2, error('ThrottlingException', 400))).toEqual([
      { kind: 'retry', errorCode: 'ThrottlingException', errorMessage: 'ThrottlingException happened' },
      { kind: 'retry', errorCode: 'ThrottlingException', errorMessage: 'ThrottlingException happened' },
    ]);
  });

  it('fails every entry of a request that threw a non-retryable error', () => {
    expect(classifyRequestError(1, error('ResourceNotFoundException', 400))).toEqual([
      {
        kind: 'failed',
        errorCode: 'ResourceNotFoundException',
        errorMessage: 'ResourceNotFoundException happened',
      },
    ]);
  });
});

describe('planRetry', () => {
  const settings = {
    maxAttempts: 3,
    baseDelayMs: 100,
    maxDelayMs: 1_000,
    deadline: Number.POSITIVE_INFINITY,
    now: () => 0,
    random: () => 0.5,
  };
  const failure = (index: number) => ({ index, errorCode: 'InternalFailure', errorMessage: 'oops' });

  it('sends again, after one full-jitter back-off from the highest attempt count, the entries with attempts left', () => {
    const plan = planRetry([failure(0), failure(1)], [1, 2], settings);

    // retry 1 (2 attempts − 1): uniform in [0, min(1000, 100 × 2¹)) → 0.5 × 200
    expect(plan).toEqual({ giveUp: [], again: [0, 1], delay: 100 });
  });

  it('gives up the entries that used every attempt, saying so', () => {
    const plan = planRetry([failure(0), failure(1)], [3, 1], settings);

    expect(plan.giveUp).toEqual([
      { index: 0, errorCode: 'InternalFailure', errorMessage: 'oops (gave up after 3 attempts)' },
    ]);
    expect(plan.again).toEqual([1]);
  });

  it('gives up every entry whose back-off would end past the deadline', () => {
    const plan = planRetry([failure(0)], [1], { ...settings, deadline: 50 });

    expect(plan.giveUp).toEqual([
      {
        index: 0,
        errorCode: 'InternalFailure',
        errorMessage: 'oops (time budget exhausted before the next attempt)',
      },
    ]);
    expect(plan.again).toEqual([]);
  });
});
