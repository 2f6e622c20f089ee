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
 * The orchestration the outbox relay and the change-data-capture handler share (internal). It sends the poison
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
  const done = mappings.map((m) => m.kind === 'events' && m.entries.length === 0);
  const tally = { poisonRecords: 0, deadLetteredEntries: 0, poisonSendFailures: 0 };

  const deadLetter = async (
    index: number,
    poison: { reason: PoisonReason; message: string; violations: readonly ContractViolationLike[] },
    counter: 'poisonRecords' | 'deadLetteredEntries',
  ): Promise<boolean> => {
    const record = records[index] as DynamoDBRecord;
    const { eventId } = mappings[index] as BatchRecordMapping;
    const ids = {
      ...(options.logEventId ? { eventId } : {}),
      reason: poison.reason,
      sequenceNumber: record.dynamodb?.SequenceNumber,
    };
    try {
      await sendPoisonMessage(
        deps.sqs,
        options.poisonQueueUrl,
        buildPoisonMessage(
          record,
          { ...poison, eventId },
          new Date(deps.now()),
          options.poisonMessageMaxBytes,
        ),
      );
      tally[counter] += 1;
      deps.logger.warn(options.deadLetteredMessage, ids);
      return true;
    } catch (error) {
      tally.poisonSendFailures += 1;
      deps.logger.error('poison DLQ send failed; the record will be retried', {
        ...ids,
        errorName: (error as Error | undefined)?.name,
      });
      return false;
    }
  };

  // 1. Poison first; a failed DLQ send blocks the later records of its ordering key.
  const poisonIndices = mappings.flatMap((m, i) => (m.kind === 'poison' ? [i] : []));
  const sent = await mapLimited(poisonIndices, options.concurrency, (i) => {
    const m = mappings[i] as PoisonMapping;
    return deadLetter(
      i,
      { reason: m.reason, message: m.message, violations: m.violations ?? [] },
      'poisonRecords',
    );
  });
  const blockedFrom = new Map<string, number>();
  poisonIndices.forEach((recordIndex, k) => {
    if (sent[k]) done[recordIndex] = true;
    else {
      const key = (mappings[recordIndex] as PoisonMapping).orderingKey;
      if (key !== undefined && !blockedFrom.has(key)) blockedFrom.set(key, recordIndex);
    }
  });

  // 2. Publish every entry not held back, in stream order per ordering key.
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
  const result = await publishInOrder(
    entries,
    {
      ...options.publish,
      concurrency: options.concurrency,
      onRejected: async (k, errorCode, errorMessage) => {
        const recordIndex = entryRecord[k] as number;
        if (!POISON_ENTRY_ERROR_CODES.has(errorCode) && errorCode !== 'EntryTooLarge') {
          options.onRefused?.(recordIndex, errorCode);
          return false;
        }
        return deadLetter(
          recordIndex,
          {
            reason: errorCode === 'EntryTooLarge' ? 'entry-too-large' : 'rejected-by-eventbridge',
            message: `EventBridge rejected the entry: ${errorCode} ${errorMessage}`.trim(),
            violations: [],
          },
          'deadLetteredEntries',
        );
      },
    },
    { eventBridge: deps.eventBridge, now: deps.now, sleep: deps.sleep, random: deps.random },
  );

  // 3. A record with entries is done once each of them is published or dead-lettered.
  const pending = new Map<number, number>();
  entryRecord.forEach((recordIndex) => pending.set(recordIndex, (pending.get(recordIndex) ?? 0) + 1));
  let published = 0;
  result.outcomes.forEach((outcome, k) => {
    const recordIndex = entryRecord[k] as number;
    if (outcome.status === 'published') published += 1;
    if (outcome.status === 'published' || outcome.status === 'dead-lettered') {
      pending.set(recordIndex, (pending.get(recordIndex) ?? 0) - 1);
    } else if (outcome.status === 'failed') options.onFailed?.(recordIndex, outcome);
  });
  mappings.forEach((m, i) => {
    if (m.kind === 'events' && m.entries.length > 0) done[i] = pending.get(i) === 0;
  });

  // 4. The checkpoint: the first record not done (ESM resumes there; Lambda keeps the lowest one).
  const firstNotDone = done.indexOf(false);
  const checkpoint = firstNotDone === -1 ? undefined : records[firstNotDone]?.dynamodb?.SequenceNumber;
  return {
    // A record without SequenceNumber cannot come from a stream; an empty identifier makes Lambda retry the whole batch.
    batchItemFailures: firstNotDone === -1 ? [] : [{ itemIdentifier: checkpoint ?? '' }],
    checkpoint,
    counts: {
      entries: entries.length,
      published,
      ...tally,
      requests: result.requests,
      failedEntries: result.failedEntries,
      retriedEntries: result.retriedEntries,
      notProcessed: done.filter((x) => !x).length,
    },
  };
}
