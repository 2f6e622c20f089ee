import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import type { ContractViolationLike } from './contract-resolver';
import { mapLimited } from './map-limited';
import type { PoisonReason } from './map-record';
import { buildPoisonMessage, sendPoisonMessage } from './poison';
import {
  publishInOrder,
  type EntryOutcome,
  type OrderedEntry,
  type PublishDeps,
  type PublishOptions,
  type PublishResult,
} from './publish-in-order';
import type { RelayLogger } from './relay-handler';
import { POISON_ENTRY_ERROR_CODES } from './retry';

/**
 * What a stream handler made of one record: the entries to publish (`[]` when there is nothing to publish, which
 * makes the record done at once), or the reason it is poison.
 *
 * @example
 * const mapping: BatchRecordMapping = { kind: 'events', entries: [{ orderingKey: 'USER#U1', entry }], eventId };
 */
export type BatchRecordMapping =
  | {
      readonly kind: 'events';
      readonly entries: readonly OrderedEntry[];
      /** Put in the poison message (and, with `logEventId`, the logs) if EventBridge rejects an entry for good. */
      readonly eventId?: string;
    }
  | {
      readonly kind: 'poison';
      readonly reason: PoisonReason;
      readonly message: string;
      /** While this record is not in the DLQ, later records' entries of this key wait; none when `undefined`. */
      readonly orderingKey?: string;
      /** @default [] */
      readonly violations?: readonly ContractViolationLike[];
      readonly eventId?: string;
    };

type PoisonMapping = Extract<BatchRecordMapping, { kind: 'poison' }>;
type FailedOutcome = Extract<EntryOutcome, { status: 'failed' }>;

/** What differs between the stream handlers that call {@link processBatch}. */
export interface ProcessBatchOptions {
  readonly poisonQueueUrl: string;
  /** DLQ sends before publishing, and `PutEvents` requests, in flight at once. */
  readonly concurrency: number;
  /** Tuning of {@link publishInOrder} (its `deadline` included). */
  readonly publish: Omit<PublishOptions, 'concurrency' | 'onRejected'>;
  /** @default `DEFAULT_POISON_MESSAGE_MAX_BYTES` */
  readonly poisonMessageMaxBytes?: number;
  /** The warning logged once a record is in the poison DLQ. */
  readonly deadLetteredMessage: string;
  /** Start the poison log attributes with the mapping's `eventId` (present even when unknown). @default false */
  readonly logEventId?: boolean;
  /** An entry EventBridge refused with a code that is not poison (its record will be retried). */
  readonly onRefused?: (recordIndex: number, errorCode: string) => void;
  /** An entry given up as `failed` in this invocation, after publishing. */
  readonly onFailed?: (recordIndex: number, outcome: FailedOutcome) => void;
}

/** Side effects of {@link processBatch}. */
export interface ProcessBatchDeps extends PublishDeps {
  readonly sqs: Pick<SQSClient, 'send'>;
  readonly logger: RelayLogger;
  readonly now: () => number;
}

/** Counts of one batch, for the handler's log line and metrics. */
export interface BatchCounts {
  /** Entries handed to {@link publishInOrder} (those held back behind a poison record left out). */
  readonly entries: number;
  readonly published: number;
  /** Records poison before publishing that are now in the DLQ. */
  readonly poisonRecords: number;
  /** Entries EventBridge rejected for good whose record is now in the DLQ. */
  readonly deadLetteredEntries: number;
  /** DLQ sends that failed (their records are retried). */
  readonly poisonSendFailures: number;
  readonly requests: number;
  readonly failedEntries: number;
  readonly retriedEntries: number;
  /** Records not done: the checkpoint and every record not done after it. */
  readonly notProcessed: number;
}

/** Result of {@link processBatch}. */
export interface BatchResult extends DynamoDBBatchResponse {
  /** SequenceNumber of the first record not done, if any. */
  readonly checkpoint: string | undefined;
  readonly counts: BatchCounts;
}

/**
 * The relay's batch orchestration (internal). It sends the poison
 * records to the poison DLQ first (`concurrency` at once); a record whose send fails holds back the later records
 * of its ordering key. It then publishes the other entries through {@link publishInOrder}, dead-lettering an
 * entry EventBridge rejects for good (`POISON_ENTRY_ERROR_CODES`, `EntryTooLarge`). A record is done once all
 * its entries are published or dead-lettered; `batchItemFailures` names the first record not done, so the event
 * source mapping resumes exactly there. It never throws for AWS failures.
 *
 * @example
 * const { batchItemFailures, counts } = await processBatch(records, records.map(toMapping), {
 *   poisonQueueUrl, concurrency: 8, publish: { deadline }, deadLetteredMessage: 'change record sent to the poison DLQ',
 * }, { eventBridge, sqs, logger, now: Date.now });
 */
export async function processBatch(
  records: readonly DynamoDBRecord[],
  mappings: readonly BatchRecordMapping[],
  options: ProcessBatchOptions,
  deps: ProcessBatchDeps,
): Promise<BatchResult> {
  const batch: BatchContext = { records, mappings, options, deps };
  const prepared = await deadLetterPoisonRecords(batch);
  const plan = planEntries(mappings, prepared.blockedFrom);
  const published = await publishPlannedEntries(batch, plan);
  return settleBatch(batch, prepared, plan, published);
}

/** The inputs every step of {@link processBatch} reads (none of them changes). */
interface BatchContext {
  readonly records: readonly DynamoDBRecord[];
  readonly mappings: readonly BatchRecordMapping[];
  readonly options: ProcessBatchOptions;
  readonly deps: ProcessBatchDeps;
}

/** What the poison step hands on: which poison records are in the DLQ, which ordering keys they block. */
export interface PoisonStepResult {
  /** Record indices now in the poison DLQ. */
  readonly deadLettered: ReadonlySet<number>;
  /** Ordering key → index of the first poison record of that key whose DLQ send failed. */
  readonly blockedFrom: ReadonlyMap<string, number>;
  readonly sendFailures: number;
}

/** The entries to publish and, for each, the index of the record it came from. */
export interface EntryPlan {
  readonly entries: readonly OrderedEntry[];
  readonly entryRecord: readonly number[];
}

/** What the publish step hands on. */
interface PublishStepResult {
  readonly result: PublishResult;
  readonly sendFailures: number;
}

type PoisonDetails = { reason: PoisonReason; message: string; violations: readonly ContractViolationLike[] };

/** Sends one record, whole, to the poison DLQ and logs it; `false` (logged) when the send fails. */
async function deadLetterRecord(batch: BatchContext, index: number, poison: PoisonDetails): Promise<boolean> {
  const { options, deps } = batch;
  const record = batch.records[index] as DynamoDBRecord;
  const { eventId } = batch.mappings[index] as BatchRecordMapping;
  const ids = {
    ...(options.logEventId ? { eventId } : {}),
    reason: poison.reason,
    sequenceNumber: record.dynamodb?.SequenceNumber,
  };
  try {
    const message = buildPoisonMessage(
      record,
      { ...poison, eventId },
      new Date(deps.now()),
      options.poisonMessageMaxBytes,
    );
    await sendPoisonMessage(deps.sqs, options.poisonQueueUrl, message);
    deps.logger.warn(options.deadLetteredMessage, ids);
    return true;
  } catch (error) {
    deps.logger.error('poison DLQ send failed; the record will be retried', {
      ...ids,
      errorName: (error as Error | undefined)?.name,
    });
    return false;
  }
}

/** Step 1 (prepare): poison records to the DLQ first; a failed send blocks the later records of its key. */
async function deadLetterPoisonRecords(batch: BatchContext): Promise<PoisonStepResult> {
  const { mappings, options } = batch;
  const poisonIndices = mappings.flatMap((m, i) => (m.kind === 'poison' ? [i] : []));
  const sent = await mapLimited(poisonIndices, options.concurrency, (i) => {
    const m = mappings[i] as PoisonMapping;
    return deadLetterRecord(batch, i, {
      reason: m.reason,
      message: m.message,
      violations: m.violations ?? [],
    });
  });
  const deadLettered = new Set<number>();
  const blockedFrom = new Map<string, number>();
  poisonIndices.forEach((recordIndex, k) => {
    if (sent[k]) deadLettered.add(recordIndex);
    else {
      const key = (mappings[recordIndex] as PoisonMapping).orderingKey;
      if (key !== undefined && !blockedFrom.has(key)) blockedFrom.set(key, recordIndex);
    }
  });
  return { deadLettered, blockedFrom, sendFailures: poisonIndices.length - deadLettered.size };
}

/**
 * Step 2 (plan): every entry of the `events` records, in stream order, except those of a key blocked by an
 * earlier poison record still out of the DLQ.
 *
 * @example
 * planEntries(mappings, new Map([['User#1', 0]])); // leaves out User#1's entries of records after 0
 */
export function planEntries(
  mappings: readonly BatchRecordMapping[],
  blockedFrom: ReadonlyMap<string, number>,
): EntryPlan {
  const entryRecord: number[] = [];
  const entries: OrderedEntry[] = [];
  mappings.forEach((m, i) => {
    if (m.kind !== 'events') return;
    for (const entry of m.entries) {
      const blocked = blockedFrom.get(entry.orderingKey);
      if (blocked !== undefined && blocked < i) continue;
      entryRecord.push(i);
      entries.push(entry);
    }
  });
  return { entries, entryRecord };
}

/** Step 3 (process): publishes the plan, dead-lettering the record of an entry EventBridge rejects for good. */
async function publishPlannedEntries(batch: BatchContext, plan: EntryPlan): Promise<PublishStepResult> {
  const { options, deps } = batch;
  let sendFailures = 0;
  const onRejected = async (k: number, errorCode: string, errorMessage: string): Promise<boolean> => {
    const recordIndex = plan.entryRecord[k] as number;
    if (!POISON_ENTRY_ERROR_CODES.has(errorCode) && errorCode !== 'EntryTooLarge') {
      options.onRefused?.(recordIndex, errorCode);
      return false;
    }
    const sent = await deadLetterRecord(batch, recordIndex, {
      reason: errorCode === 'EntryTooLarge' ? 'entry-too-large' : 'rejected-by-eventbridge',
      message: `EventBridge rejected the entry: ${errorCode} ${errorMessage}`.trim(),
      violations: [],
    });
    if (!sent) sendFailures += 1;
    return sent;
  };
  const result = await publishInOrder(
    plan.entries,
    { ...options.publish, concurrency: options.concurrency, onRejected },
    { eventBridge: deps.eventBridge, now: deps.now, sleep: deps.sleep, random: deps.random },
  );
  return { result, sendFailures };
}

/**
 * Step 4 (clean): which records are done (no entries, in the DLQ, or every entry published or dead-lettered),
 * the checkpoint (the first record not done: the event source mapping resumes there) and the counts.
 */
function settleBatch(
  batch: BatchContext,
  prepared: PoisonStepResult,
  plan: EntryPlan,
  { result, sendFailures }: PublishStepResult,
): BatchResult {
  const { mappings, records, options } = batch;
  // Entries of each record published or dead-lettered; an entry held back (not in the plan) is never counted.
  const settled = new Map<number, number>();
  result.outcomes.forEach((outcome, k) => {
    const recordIndex = plan.entryRecord[k] as number;
    if (outcome.status === 'published' || outcome.status === 'dead-lettered') {
      settled.set(recordIndex, (settled.get(recordIndex) ?? 0) + 1);
    } else if (outcome.status === 'failed') options.onFailed?.(recordIndex, outcome);
  });
  const done = mappings.map((m, i) =>
    m.kind === 'poison' ? prepared.deadLettered.has(i) : (settled.get(i) ?? 0) === m.entries.length,
  );
  const firstNotDone = done.indexOf(false);
  const checkpoint = firstNotDone === -1 ? undefined : records[firstNotDone]?.dynamodb?.SequenceNumber;
  const count = (status: EntryOutcome['status']) => result.outcomes.filter((o) => o.status === status).length;
  return {
    // A record without SequenceNumber cannot come from a stream; an empty identifier makes Lambda retry the whole batch.
    batchItemFailures: firstNotDone === -1 ? [] : [{ itemIdentifier: checkpoint ?? '' }],
    checkpoint,
    counts: {
      entries: plan.entries.length,
      published: count('published'),
      poisonRecords: prepared.deadLettered.size,
      deadLetteredEntries: count('dead-lettered'),
      poisonSendFailures: prepared.sendFailures + sendFailures,
      requests: result.requests,
      failedEntries: result.failedEntries,
      retriedEntries: result.retriedEntries,
      notProcessed: done.filter((x) => !x).length,
    },
  };
}
