import {
  PutEventsCommand,
  type EventBridgeClient,
  type PutEventsCommandOutput,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { RelayConfigurationError } from '../errors';
import { DEFAULT_MAX_REQUEST_BYTES, MAX_PUT_EVENTS_ENTRIES, putEventsEntrySize } from './entry-size';
import { MinHeap } from './min-heap';
import { fullJitterDelay, isRetryableRequestError, RETRYABLE_ENTRY_ERROR_CODES } from './retry';

/**
 * One entry to publish. Entries sharing an `orderingKey` (an aggregate) are published in the order given.
 *
 * @example
 * const entry: OrderedEntry = { orderingKey: 'User#01J…', entry: { Source, DetailType, Detail, EventBusName, Time } };
 */
export interface OrderedEntry {
  /** Entries with the same key reach the bus in array order; at most one of them is in flight at a time. */
  readonly orderingKey: string;
  /** The `PutEvents` entry, complete (`EventBusName` included). */
  readonly entry: PutEventsRequestEntry;
}

/**
 * What became of one entry:
 * - `published`: EventBridge accepted it;
 * - `dead-lettered`: EventBridge rejected it for good and `onRejected` handled it (e.g. sent it to a DLQ);
 * - `failed`: it failed and was given up in this call (non-retryable error, attempts or time budget exhausted);
 * - `not-sent`: never sent, because an earlier entry of its ordering key failed or the time budget ran out.
 *
 * @example
 * const done = outcome.status === 'published' || outcome.status === 'dead-lettered';
 */
export type EntryOutcome =
  | { readonly status: 'published'; readonly attempts: number }
  | { readonly status: 'dead-lettered'; readonly errorCode: string; readonly attempts: number }
  | {
      readonly status: 'failed';
      readonly errorCode: string;
      readonly errorMessage: string;
      readonly retryable: boolean;
      readonly attempts: number;
    }
  | { readonly status: 'not-sent'; readonly reason: 'ordering-key-blocked' | 'time-budget-exhausted' };

/** Result of {@link publishInOrder}: one outcome per entry (same order as the input) and counters. */
export interface PublishResult {
  readonly outcomes: readonly EntryOutcome[];
  /** `PutEvents` calls made. */
  readonly requests: number;
  /** Entries sent again after a retryable failure. */
  readonly retriedEntries: number;
  /** Failed entry attempts (per-entry `ErrorCode`s plus the entries of requests that threw). */
  readonly failedEntries: number;
}

/** Tuning of {@link publishInOrder}. */
export interface PublishOptions {
  /** Entries per request, 1–10. @default 10 */
  readonly maxEntriesPerRequest?: number;
  /** Total entry size of a request (EventBridge's entry-size formula). @default 262144 (256 KB) */
  readonly maxRequestBytes?: number;
  /** Requests in flight at once. @default 8 */
  readonly concurrency?: number;
  /** Sends of one entry before it is given up as `failed`. @default 8 */
  readonly maxAttempts?: number;
  /** Backoff base (full jitter: uniform in [0, min(max, base × 2^retry))). @default 50 */
  readonly baseDelayMs?: number;
  /** Backoff cap. @default 2000 */
  readonly maxDelayMs?: number;
  /** Epoch milliseconds after which no request starts and no retry is scheduled. @default no deadline */
  readonly deadline?: number;
  /**
   * Called for an entry EventBridge rejects with a non-retryable per-entry `ErrorCode` (or one larger than
   * `maxRequestBytes`, code `EntryTooLarge`). Resolve `true` once it is safely set aside (e.g. in a DLQ): the
   * entry becomes `dead-lettered` and its ordering key goes on. Resolve `false` (or reject) to fail it and stop
   * its ordering key. @default fail the entry
   */
  readonly onRejected?: (index: number, errorCode: string, errorMessage: string) => Promise<boolean>;
}

/** Side effects of {@link publishInOrder}. */
export interface PublishDeps {
  readonly eventBridge: Pick<EventBridgeClient, 'send'>;
  /** @default Date.now */
  readonly now?: () => number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Uniform in [0, 1), for the jitter. @default Math.random */
  readonly random?: () => number;
}

/**
 * The relay's publishing engine (internal: the relay's batch processing calls it with the entries it mapped). It
 * packs entries into `PutEvents` requests of at most 10 entries and
 * `maxRequestBytes` (EventBridge's entry-size formula), sends up to `concurrency` requests at once, and keeps
 * each ordering key's entries in order: at most one entry per key is in flight, and once a key's entry fails no
 * later entry of that key is sent in this call. Only failed entries are retried (per-entry `ErrorCode`
 * `InternalFailure`/`ThrottlingException`, or a whole request that threw a retryable error), with exponential
 * backoff and full jitter, until `maxAttempts` or the `deadline`. It never throws for AWS failures: every entry
 * gets an {@link EntryOutcome}; report the first entry that is neither `published` nor `dead-lettered` as the
 * stream's checkpoint (`batchItemFailures`).
 *
 * @example
 * const { outcomes } = await publishInOrder(
 *   records.map((r) => ({ orderingKey: r.aggregateId, entry: toEntry(r) })),
 *   { concurrency: 8, deadline: Date.now() + context.getRemainingTimeInMillis() - 3_000 },
 *   { eventBridge: new EventBridgeClient({}) },
 * );
 * const firstNotDone = outcomes.findIndex((o) => o.status !== 'published' && o.status !== 'dead-lettered');
 */
export async function publishInOrder(
  entries: readonly OrderedEntry[],
  options: PublishOptions,
  deps: PublishDeps,
): Promise<PublishResult> {
  const settings = resolvePublishSettings(options, deps);
  return new Promise<PublishResult>((resolve, reject) => {
    const run = startRun(entries, settings, { resolve, reject });
    pump(run);
  });
}

/** The validated tuning and side effects of one {@link publishInOrder} call. */
export interface PublishSettings {
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly concurrency: number;
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly deadline: number;
  readonly onRejected: PublishOptions['onRejected'];
  readonly eventBridge: PublishDeps['eventBridge'];
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
}

/** The entries of one ordering key, in input order; `pos` is the next one to send. */
export interface Lane {
  readonly indices: number[];
  pos: number;
}

/**
 * The state of one {@link publishInOrder} call, handed explicitly to each step: the entries' outcomes and
 * attempts, the ordering lanes (the `ready` heap holds the lanes whose next entry may be sent, oldest first),
 * what is in flight or waiting, and the counters of the result.
 */
interface PublishRun {
  readonly entries: readonly OrderedEntry[];
  readonly settings: PublishSettings;
  readonly sizes: readonly number[];
  readonly outcomes: (EntryOutcome | undefined)[];
  readonly attempts: number[];
  readonly laneOf: readonly Lane[];
  readonly ready: MinHeap<Lane>;
  /** Requests in flight, and waits (retry back-offs, `onRejected` calls) not yet over. */
  readonly activity: { inFlight: number; pending: number; settled: boolean };
  readonly counters: { requests: number; retriedEntries: number; failedEntries: number };
  readonly settle: { resolve: (result: PublishResult) => void; reject: (error: unknown) => void };
}

/**
 * What one send of an entry came to: `published`; `retry` (a retryable code, or a request that threw a retryable
 * error); `rejected` (a non-retryable per-entry code: `onRejected` decides); `failed` (a request that threw a
 * non-retryable error).
 */
export type SendResult =
  | { readonly kind: 'published' }
  | {
      readonly kind: 'retry' | 'rejected' | 'failed';
      readonly errorCode: string;
      readonly errorMessage: string;
    };

/** An entry that failed a send, with its code and message. */
export interface EntryFailure {
  readonly index: number;
  readonly errorCode: string;
  readonly errorMessage: string;
}

/** What to do with entries that failed retryably: give some up, send the others again after `delay` ms. */
export interface RetryPlan {
  /** In order; `errorMessage` says why the entry is given up. */
  readonly giveUp: readonly EntryFailure[];
  readonly again: readonly number[];
  readonly delay: number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function requireInteger(name: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RelayConfigurationError(
      `${name} must be an integer from ${min} to ${max}; received ${JSON.stringify(value)}.`,
    );
  }
  return value;
}

/** Validates the options (throws {@link RelayConfigurationError}) and fills in the defaults. */
function resolvePublishSettings(options: PublishOptions, deps: PublishDeps): PublishSettings {
  const maxEntries = options.maxEntriesPerRequest ?? MAX_PUT_EVENTS_ENTRIES;
  const maxBytes = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
  return {
    maxEntries: requireInteger('maxEntriesPerRequest', maxEntries, 1, MAX_PUT_EVENTS_ENTRIES),
    maxBytes: requireInteger('maxRequestBytes', maxBytes, 1, Number.MAX_SAFE_INTEGER),
    concurrency: requireInteger('concurrency', options.concurrency ?? 8, 1, 1000),
    maxAttempts: requireInteger('maxAttempts', options.maxAttempts ?? 8, 1, 1000),
    baseDelayMs: options.baseDelayMs ?? 50,
    maxDelayMs: options.maxDelayMs ?? 2_000,
    deadline: options.deadline ?? Number.POSITIVE_INFINITY,
    onRejected: options.onRejected,
    eventBridge: deps.eventBridge,
    now: deps.now ?? Date.now,
    sleep: deps.sleep ?? defaultSleep,
    random: deps.random ?? Math.random,
  };
}

/**
 * Groups entries into one lane per ordering key, in input order.
 *
 * @example
 * planLanes([{ orderingKey: 'A' }, { orderingKey: 'B' }, { orderingKey: 'A' }]).lanes; // [[0, 2], [1]] as lanes
 */
export function planLanes(entries: readonly Pick<OrderedEntry, 'orderingKey'>[]): {
  readonly lanes: readonly Lane[];
  readonly laneOf: readonly Lane[];
} {
  const laneOf: Lane[] = [];
  const byKey = new Map<string, Lane>();
  entries.forEach((e, index) => {
    let lane = byKey.get(e.orderingKey);
    if (!lane) {
      lane = { indices: [], pos: 0 };
      byKey.set(e.orderingKey, lane);
    }
    lane.indices.push(index);
    laneOf.push(lane);
  });
  return { lanes: [...byKey.values()], laneOf };
}

const headOf = (lane: Lane): number => lane.indices[lane.pos] as number;

function startRun(
  entries: readonly OrderedEntry[],
  settings: PublishSettings,
  settle: PublishRun['settle'],
): PublishRun {
  const { lanes, laneOf } = planLanes(entries);
  const ready = new MinHeap<Lane>(headOf);
  for (const lane of lanes) ready.push(lane);
  return {
    entries,
    settings,
    sizes: entries.map((e) => putEventsEntrySize(e.entry)),
    outcomes: new Array<EntryOutcome | undefined>(entries.length),
    attempts: new Array<number>(entries.length).fill(0),
    laneOf,
    ready,
    activity: { inFlight: 0, pending: 0, settled: false },
    counters: { requests: 0, retriedEntries: 0, failedEntries: 0 },
    settle,
  };
}

/** Starts requests while there is room, ready entries and time; resolves the call once nothing is left to do. */
function pump(run: PublishRun): void {
  const { activity, settings, ready } = run;
  while (!activity.settled && activity.inFlight < settings.concurrency && ready.size > 0) {
    if (settings.now() >= settings.deadline) break;
    const { batch, tooLarge } = takeBatch(ready, run.sizes, settings);
    for (const index of tooLarge) {
      const size = run.sizes[index] ?? 0;
      rejectEntry(
        run,
        index,
        'EntryTooLarge',
        `The entry is ${size} bytes by EventBridge's entry-size formula; a request allows at most ${settings.maxBytes}.`,
      );
    }
    if (batch.length === 0) break;
    sendBatch(run, batch);
  }
  finishIfDone(run);
}

/**
 * Takes the next request's entries off the ready lanes, oldest head first: at most `maxEntries` entries and
 * `maxBytes` bytes. A head entry larger than `maxBytes` alone is taken off too and returned in `tooLarge`.
 *
 * @example
 * const { batch, tooLarge } = takeBatch(ready, sizes, { maxEntries: 10, maxBytes: 262_144 });
 */
export function takeBatch(
  ready: MinHeap<Lane>,
  sizes: readonly number[],
  limits: Pick<PublishSettings, 'maxEntries' | 'maxBytes'>,
): { readonly batch: number[]; readonly tooLarge: number[] } {
  const batch: number[] = [];
  const tooLarge: number[] = [];
  let bytes = 0;
  while (ready.size > 0 && batch.length < limits.maxEntries) {
    const index = headOf(ready.peek() as Lane);
    const size = sizes[index] ?? 0;
    if (size > limits.maxBytes) {
      ready.pop();
      tooLarge.push(index);
      continue;
    }
    if (bytes + size > limits.maxBytes) break;
    ready.pop();
    batch.push(index);
    bytes += size;
  }
  return { batch, tooLarge };
}

/** Sends one `PutEvents` request; its results go to {@link applySendResults}. */
function sendBatch(run: PublishRun, batch: readonly number[]): void {
  run.activity.inFlight += 1;
  run.counters.requests += 1;
  const command = new PutEventsCommand({
    Entries: batch.map((i) => (run.entries[i] as OrderedEntry).entry),
  });
  Promise.resolve()
    .then(() => run.settings.eventBridge.send(command))
    .then(
      (output) => applySendResults(run, batch, classifyResponse(batch.length, output)),
      (error: unknown) => applySendResults(run, batch, classifyRequestError(batch.length, error)),
    )
    .finally(() => {
      run.activity.inFlight -= 1;
      pump(run);
    })
    .catch(run.settle.reject);
}

/**
 * What each entry of a `PutEvents` response came to, in request order. An entry without a result (a response
 * shorter than the request) is retried as `InternalFailure`.
 *
 * @example
 * classifyResponse(2, { Entries: [{ EventId: 'e1' }, { ErrorCode: 'ThrottlingException' }] }); // published, retry
 */
export function classifyResponse(
  size: number,
  output: Pick<PutEventsCommandOutput, 'Entries'>,
): SendResult[] {
  const results = output.Entries ?? [];
  return Array.from({ length: size }, (_, k): SendResult => {
    const result = results[k];
    if (result && !result.ErrorCode) return { kind: 'published' };
    const errorCode = result?.ErrorCode ?? 'InternalFailure';
    const errorMessage =
      result?.ErrorMessage ?? (result ? '' : 'PutEvents returned no result for this entry');
    const kind = RETRYABLE_ENTRY_ERROR_CODES.has(errorCode) || !result ? 'retry' : 'rejected';
    return { kind, errorCode, errorMessage };
  });
}

/**
 * What each entry of a request that threw came to: all `retry` when the error is retryable
 * ({@link isRetryableRequestError}), else all `failed`, with the error's name and message.
 *
 * @example
 * classifyRequestError(3, Object.assign(new Error('slow down'), { name: 'ThrottlingException' })); // 3 × retry
 */
export function classifyRequestError(size: number, error: unknown): SendResult[] {
  const errorCode = (error as { name?: string } | undefined)?.name ?? 'Error';
  const errorMessage = (error as { message?: string } | undefined)?.message ?? String(error);
  const kind = isRetryableRequestError(error) ? 'retry' : 'failed';
  return Array.from({ length: size }, () => ({ kind, errorCode, errorMessage }));
}

/** Counts the attempt of each entry of a request and acts on what it came to. */
function applySendResults(run: PublishRun, batch: readonly number[], results: readonly SendResult[]): void {
  const retries: EntryFailure[] = [];
  batch.forEach((index, k) => {
    run.attempts[index] = (run.attempts[index] ?? 0) + 1;
    const result = results[k] ?? { kind: 'retry', errorCode: 'InternalFailure', errorMessage: '' };
    if (result.kind === 'published') {
      run.outcomes[index] = { status: 'published', attempts: run.attempts[index] };
      advance(run, index);
      return;
    }
    run.counters.failedEntries += 1;
    const { errorCode, errorMessage } = result;
    if (result.kind === 'retry') retries.push({ index, errorCode, errorMessage });
    else if (result.kind === 'rejected') rejectEntry(run, index, errorCode, errorMessage);
    else failEntry(run, index, errorCode, errorMessage, false);
  });
  scheduleRetry(run, retries);
}

/** The entry's lane may send its next entry. */
function advance(run: PublishRun, index: number): void {
  const lane = run.laneOf[index] as Lane;
  lane.pos += 1;
  if (lane.pos < lane.indices.length) run.ready.push(lane);
}

/** Gives the entry up as `failed`; the later entries of its lane are `not-sent`. */
function failEntry(
  run: PublishRun,
  index: number,
  errorCode: string,
  errorMessage: string,
  retryable: boolean,
): void {
  const attempts = run.attempts[index] ?? 0;
  run.outcomes[index] = { status: 'failed', errorCode, errorMessage, retryable, attempts };
  const lane = run.laneOf[index] as Lane;
  for (let p = lane.pos + 1; p < lane.indices.length; p += 1) {
    run.outcomes[lane.indices[p] as number] = { status: 'not-sent', reason: 'ordering-key-blocked' };
  }
}

/** A non-retryable rejection: `onRejected` may set the entry aside (`dead-lettered`), else it fails. */
function rejectEntry(run: PublishRun, index: number, errorCode: string, errorMessage: string): void {
  const { onRejected } = run.settings;
  if (!onRejected) {
    failEntry(run, index, errorCode, errorMessage, false);
    return;
  }
  run.activity.pending += 1;
  onRejected(index, errorCode, errorMessage)
    .then(
      (handled) => {
        if (handled) {
          run.outcomes[index] = { status: 'dead-lettered', errorCode, attempts: run.attempts[index] ?? 0 };
          advance(run, index);
        } else failEntry(run, index, errorCode, errorMessage, false);
      },
      () => failEntry(run, index, errorCode, errorMessage, false),
    )
    .finally(() => {
      run.activity.pending -= 1;
      pump(run);
    })
    .catch(run.settle.reject);
}

/**
 * Decides the fate of entries that failed retryably: those out of attempts are given up; the others wait one
 * full-jitter back-off (from the highest attempt count among them), unless it would end past the deadline, in
 * which case they are given up too.
 *
 * @example
 * planRetry([{ index: 0, errorCode: 'ThrottlingException', errorMessage: '' }], [1], settings); // again [0]
 */
export function planRetry(
  failures: readonly EntryFailure[],
  attempts: readonly number[],
  settings: Pick<
    PublishSettings,
    'maxAttempts' | 'baseDelayMs' | 'maxDelayMs' | 'deadline' | 'now' | 'random'
  >,
): RetryPlan {
  const giveUp: EntryFailure[] = [];
  const again: EntryFailure[] = [];
  for (const failure of failures) {
    if ((attempts[failure.index] ?? 0) < settings.maxAttempts) again.push(failure);
    else
      giveUp.push({
        ...failure,
        errorMessage: `${failure.errorMessage} (gave up after ${settings.maxAttempts} attempts)`,
      });
  }
  if (again.length === 0) return { giveUp, again: [], delay: 0 };
  const retry = Math.max(...again.map((f) => attempts[f.index] ?? 1)) - 1;
  const delay = fullJitterDelay(retry, settings.baseDelayMs, settings.maxDelayMs, settings.random);
  if (settings.now() + delay < settings.deadline) return { giveUp, again: again.map((f) => f.index), delay };
  const late = again.map((f) => ({
    ...f,
    errorMessage: `${f.errorMessage} (time budget exhausted before the next attempt)`,
  }));
  return { giveUp: [...giveUp, ...late], again: [], delay };
}

/** Applies {@link planRetry}: fails what is given up, puts the others back on their lanes after the back-off. */
function scheduleRetry(run: PublishRun, failures: readonly EntryFailure[]): void {
  if (failures.length === 0) return;
  const plan = planRetry(failures, run.attempts, run.settings);
  for (const f of plan.giveUp) failEntry(run, f.index, f.errorCode, f.errorMessage, true);
  if (plan.again.length === 0) return;
  run.activity.pending += 1;
  run.counters.retriedEntries += plan.again.length;
  run.settings
    .sleep(plan.delay)
    .then(() => {
      for (const index of plan.again) run.ready.push(run.laneOf[index] as Lane);
    })
    .finally(() => {
      run.activity.pending -= 1;
      pump(run);
    })
    .catch(run.settle.reject);
}

/** Resolves the call once nothing is in flight or waiting and no entry can still be sent in time. */
function finishIfDone(run: PublishRun): void {
  const { activity, settings } = run;
  if (activity.settled || activity.inFlight > 0 || activity.pending > 0) return;
  if (run.ready.size > 0 && settings.now() < settings.deadline) return;
  activity.settled = true;
  // Array.from visits the holes of the sparse array too (map would skip them).
  const outcomes = Array.from(
    run.outcomes,
    (o): EntryOutcome => o ?? { status: 'not-sent', reason: 'time-budget-exhausted' },
  );
  run.settle.resolve({ outcomes, ...run.counters });
}
