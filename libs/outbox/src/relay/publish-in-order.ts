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

interface Group {
  readonly indices: number[];
  pos: number;
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

/**
 * The relay's publishing engine, reusable by any stream-to-EventBridge mapper (the change-data-capture mode
 * calls it with entries it maps itself). It packs entries into `PutEvents` requests of at most 10 entries and
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
  const maxEntries = requireInteger(
    'maxEntriesPerRequest',
    options.maxEntriesPerRequest ?? MAX_PUT_EVENTS_ENTRIES,
    1,
    MAX_PUT_EVENTS_ENTRIES,
  );
  const maxBytes = requireInteger(
    'maxRequestBytes',
    options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES,
    1,
    Number.MAX_SAFE_INTEGER,
  );
  const concurrency = requireInteger('concurrency', options.concurrency ?? 8, 1, 1000);
  const maxAttempts = requireInteger('maxAttempts', options.maxAttempts ?? 8, 1, 1000);
  const baseDelayMs = options.baseDelayMs ?? 50;
  const maxDelayMs = options.maxDelayMs ?? 2_000;
  const deadline = options.deadline ?? Number.POSITIVE_INFINITY;
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? defaultSleep;
  const random = deps.random ?? Math.random;

  const outcomes: (EntryOutcome | undefined)[] = new Array<EntryOutcome | undefined>(entries.length);
  const sizes = entries.map((e) => putEventsEntrySize(e.entry));
  const attempts = new Array<number>(entries.length).fill(0);
  const groupOf: Group[] = new Array<Group>(entries.length);
  const groups = new Map<string, Group>();
  entries.forEach((e, index) => {
    let group = groups.get(e.orderingKey);
    if (!group) {
      group = { indices: [], pos: 0 };
      groups.set(e.orderingKey, group);
    }
    group.indices.push(index);
    groupOf[index] = group;
  });
  const head = (group: Group): number => group.indices[group.pos] as number;
  const ready = new MinHeap<Group>(head);
  for (const group of groups.values()) ready.push(group);

  let inFlight = 0;
  let pending = 0;
  let requests = 0;
  let retriedEntries = 0;
  let failedEntries = 0;
  let settled = false;

  return new Promise<PublishResult>((resolve, reject) => {
    const advance = (group: Group) => {
      group.pos += 1;
      if (group.pos < group.indices.length) ready.push(group);
    };
    const block = (group: Group) => {
      for (let p = group.pos + 1; p < group.indices.length; p += 1) {
        outcomes[group.indices[p] as number] = { status: 'not-sent', reason: 'ordering-key-blocked' };
      }
    };
    const fail = (index: number, errorCode: string, errorMessage: string, retryable: boolean) => {
      outcomes[index] = {
        status: 'failed',
        errorCode,
        errorMessage,
        retryable,
        attempts: attempts[index] ?? 0,
      };
      block(groupOf[index] as Group);
    };

    const finishIfDone = () => {
      if (settled || inFlight > 0 || pending > 0) return;
      if (ready.size > 0 && now() < deadline) return;
      settled = true;
      for (let i = 0; i < outcomes.length; i += 1) {
        outcomes[i] ??= { status: 'not-sent', reason: 'time-budget-exhausted' };
      }
      resolve({ outcomes: outcomes as EntryOutcome[], requests, retriedEntries, failedEntries });
    };

    const reject_ = (index: number, errorCode: string, errorMessage: string) => {
      if (!options.onRejected) {
        fail(index, errorCode, errorMessage, false);
        return;
      }
      pending += 1;
      options
        .onRejected(index, errorCode, errorMessage)
        .then(
          (handled) => {
            if (handled) {
              outcomes[index] = { status: 'dead-lettered', errorCode, attempts: attempts[index] ?? 0 };
              advance(groupOf[index] as Group);
            } else {
              fail(index, errorCode, errorMessage, false);
            }
          },
          () => fail(index, errorCode, errorMessage, false),
        )
        .finally(() => {
          pending -= 1;
          pump();
        })
        .catch(reject);
    };

    const scheduleRetry = (indices: readonly number[], codes: ReadonlyMap<number, [string, string]>) => {
      const again: number[] = [];
      for (const index of indices) {
        const [code, message] = codes.get(index) ?? ['InternalFailure', ''];
        if ((attempts[index] ?? 0) >= maxAttempts)
          fail(index, code, `${message} (gave up after ${maxAttempts} attempts)`, true);
        else again.push(index);
      }
      if (again.length === 0) return;
      const retry = Math.max(...again.map((i) => attempts[i] ?? 1)) - 1;
      const delay = fullJitterDelay(retry, baseDelayMs, maxDelayMs, random);
      if (now() + delay >= deadline) {
        for (const index of again) {
          const [code, message] = codes.get(index) ?? ['InternalFailure', ''];
          fail(index, code, `${message} (time budget exhausted before the next attempt)`, true);
        }
        return;
      }
      pending += 1;
      retriedEntries += again.length;
      sleep(delay)
        .then(() => {
          for (const index of again) ready.push(groupOf[index] as Group);
        })
        .finally(() => {
          pending -= 1;
          pump();
        })
        .catch(reject);
    };

    const onResponse = (batch: readonly number[], output: PutEventsCommandOutput) => {
      const results = output.Entries ?? [];
      const retry: number[] = [];
      const codes = new Map<number, [string, string]>();
      batch.forEach((index, k) => {
        attempts[index] = (attempts[index] ?? 0) + 1;
        const result = results[k];
        if (result && !result.ErrorCode) {
          outcomes[index] = { status: 'published', attempts: attempts[index] };
          advance(groupOf[index] as Group);
          return;
        }
        failedEntries += 1;
        const code = result?.ErrorCode ?? 'InternalFailure';
        const message = result?.ErrorMessage ?? (result ? '' : 'PutEvents returned no result for this entry');
        if (RETRYABLE_ENTRY_ERROR_CODES.has(code) || !result) {
          retry.push(index);
          codes.set(index, [code, message]);
        } else {
          reject_(index, code, message);
        }
      });
      scheduleRetry(retry, codes);
    };

    const onRequestError = (batch: readonly number[], error: unknown) => {
      const name = (error as { name?: string } | undefined)?.name ?? 'Error';
      const message = (error as { message?: string } | undefined)?.message ?? String(error);
      failedEntries += batch.length;
      for (const index of batch) attempts[index] = (attempts[index] ?? 0) + 1;
      if (isRetryableRequestError(error)) {
        scheduleRetry(batch, new Map(batch.map((i) => [i, [name, message]])));
      } else {
        for (const index of batch) fail(index, name, message, false);
      }
    };

    const takeBatch = (): number[] => {
      const batch: number[] = [];
      let bytes = 0;
      while (ready.size > 0 && batch.length < maxEntries) {
        const group = ready.peek() as Group;
        const index = head(group);
        const size = sizes[index] ?? 0;
        if (size > maxBytes) {
          ready.pop();
          reject_(
            index,
            'EntryTooLarge',
            `The entry is ${size} bytes by EventBridge's entry-size formula; a request allows at most ${maxBytes}.`,
          );
          continue;
        }
        if (bytes + size > maxBytes) break;
        ready.pop();
        batch.push(index);
        bytes += size;
      }
      return batch;
    };

    function pump(): void {
      while (!settled && inFlight < concurrency && ready.size > 0 && now() < deadline) {
        const batch = takeBatch();
        if (batch.length === 0) break;
        inFlight += 1;
        requests += 1;
        const command = new PutEventsCommand({
          Entries: batch.map((i) => (entries[i] as OrderedEntry).entry),
        });
        Promise.resolve()
          .then(() => deps.eventBridge.send(command))
          .then(
            (output) => onResponse(batch, output),
            (error: unknown) => onRequestError(batch, error),
          )
          .finally(() => {
            inFlight -= 1;
            pump();
          })
          .catch(reject);
      }
      finishIfDone();
    }

    pump();
  });
}
