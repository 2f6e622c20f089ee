import {
  DescribeStreamCommand,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import type { _Record, Shard, ShardIteratorType } from '@aws-sdk/client-dynamodb-streams';
import { FunctionInvocationError } from '../errors';
import { readBatchItemFailures } from './batch-item-failures';
import { onFailureRecord } from './on-failure-record';
import type { DiscardCondition } from './on-failure-record';
import { StreamRecordTimes } from './stream-record-times';
import type { LambdaStreamRecord, StreamMappingConfig, StreamMappingDeps } from './dynamodb-stream-config';
import type { RecordFilter } from './types';

export type { LambdaStreamRecord, StreamMappingConfig, StreamMappingDeps } from './dynamodb-stream-config';

/** Records asked for by each GetRecords call (the API's maximum). */
const GET_RECORDS_LIMIT = 1000;

interface Batch {
  records: LambdaStreamRecord[];
  /** Retries these records have used: a half of a split batch starts with its batch's; splitting adds none. */
  retries: number;
  /** Invocations of this batch itself (the on-failure record's `approximateInvokeCount`). */
  invocations: number;
}

type Outcome =
  | { kind: 'ok' }
  | { kind: 'partial'; from: number; reason: string }
  | { kind: 'function-error'; reason: string }
  | { kind: 'invalid-response'; reason: string };

/**
 * Lambda's DynamoDB stream event source mapping, run locally against DynamoDB Local's streams
 * (DescribeStream → GetShardIterator → GetRecords, iterators renewed when they expire). Hand-written: the poller
 * is internal to Lambda. It follows the Lambda developer guide's pages on DynamoDB event source mappings
 * ("Using AWS Lambda with Amazon DynamoDB", "Lambda parameters for Amazon DynamoDB event source mappings",
 * "Configuring partial batch response with DynamoDB and Lambda", "Retaining discarded records for a DynamoDB event
 * source in Lambda"):
 * - each shard is read in order, one batch in flight per shard, a child shard only after its parent is finished;
 * - up to `BatchSize` records, gathered for at most `MaximumBatchingWindowInSeconds`;
 * - records not matching `FilterCriteria` are dropped (and checkpointed);
 * - `ReportBatchItemFailures`: the checkpoint moves to just before the lowest reported `itemIdentifier` and the
 *   rest of the batch is retried; an empty, null or unknown identifier, or an entry without `itemIdentifier`, fails
 *   the whole batch; an empty or null list, or an empty or null response, is a success;
 * - on a function error with `BisectBatchOnFunctionError`, the batch is split in two and each half invoked; splitting
 *   does not consume the retry quota, so it happens with `MaximumRetryAttempts: 0` too. A half starts with the
 *   retries its batch had used (the runtime's choice: AWS does not say; this way no record is retried more than
 *   `MaximumRetryAttempts` times in all);
 * - after `MaximumRetryAttempts` retries, or once records are older than `MaximumRecordAgeInSeconds` (ages to the
 *   second, see {@link StreamRecordTimes}), the records are discarded: the on-failure destination gets the
 *   documented invocation record, and the mapping moves on.
 *
 * @example
 * const mapping = new DynamoDbStreamMapping(config, deps);
 * mapping.start();
 * await mapping.stop();
 */
export class DynamoDbStreamMapping {
  private stopped = false;
  private readonly filters: RecordFilter[];
  private readonly running = new Map<string, Promise<void>>();
  private readonly finished = new Set<string>();
  private discovery?: Promise<void>;
  private readonly sleepers = new Set<() => void>();
  private readonly now: () => number;

  constructor(
    readonly config: StreamMappingConfig,
    private readonly deps: StreamMappingDeps,
  ) {
    this.filters = (config.filterPatterns ?? []).map((p) => deps.compileFilter(p));
    this.now = deps.now ?? Date.now;
  }

  /** Starts polling every shard of the stream. */
  start(): void {
    this.discovery = this.discoverLoop();
  }

  /** Stops polling once the batches in flight are done. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const wake of this.sleepers) wake();
    await this.discovery;
    await Promise.all(this.running.values());
  }

  private async discoverLoop(): Promise<void> {
    const initial = new Set<string>();
    // a shard first listed by one DescribeStream holds only records written after the previous one was sent
    const writtenAfter = new Map<string, number>();
    let previousListingSentAt: number | undefined;
    while (!this.stopped) {
      const sentAt = this.now();
      try {
        const shards = await this.listShards();
        for (const s of shards) {
          const id = s.ShardId as string;
          if (previousListingSentAt === undefined) initial.add(id);
          else if (!initial.has(id) && !writtenAfter.has(id)) writtenAfter.set(id, previousListingSentAt);
        }
        previousListingSentAt = sentAt;
        const known = new Set(shards.map((s) => s.ShardId as string));
        for (const shard of shards) {
          const id = shard.ShardId as string;
          if (this.running.has(id) || this.finished.has(id)) continue;
          const parent = shard.ParentShardId;
          if (parent && known.has(parent) && !this.finished.has(parent)) continue;
          const position = initial.has(id) ? this.config.startingPosition : 'TRIM_HORIZON';
          this.running.set(
            id,
            this.pollShardUntilDone(id, position, writtenAfter.get(id)).finally(() => {
              this.finished.add(id);
              this.running.delete(id);
            }),
          );
        }
      } catch (error) {
        this.deps.log({
          kind: 'esm.error',
          message: `DescribeStream failed: ${(error as Error).message}`,
          details: { mapping: this.config.uuid },
        });
      }
      await this.sleep(this.deps.shardDiscoveryMs ?? 5000);
    }
  }

  private async listShards(): Promise<Shard[]> {
    const shards: Shard[] = [];
    let start: string | undefined;
    do {
      const out = await this.deps.streams.send(
        new DescribeStreamCommand({ StreamArn: this.config.eventSourceArn, ExclusiveStartShardId: start }),
      );
      shards.push(...(out.StreamDescription?.Shards ?? []));
      start = out.StreamDescription?.LastEvaluatedShardId;
    } while (start);
    return shards;
  }

  private checkpointKey(shardId: string): string {
    return `${this.config.uuid}/${shardId}`;
  }

  private async iterator(
    shardId: string,
    position: ShardIteratorType,
    after?: string,
  ): Promise<string | undefined> {
    const out = await this.deps.streams.send(
      new GetShardIteratorCommand({
        StreamArn: this.config.eventSourceArn,
        ShardId: shardId,
        ShardIteratorType: after ? 'AFTER_SEQUENCE_NUMBER' : position,
        ...(after ? { SequenceNumber: after } : {}),
      }),
    );
    return out.ShardIterator;
  }

  /** Polls a shard until it is closed and drained, restarting from the checkpoint after an unexpected error. */
  private async pollShardUntilDone(
    shardId: string,
    startingPosition: ShardIteratorType,
    writtenAfterMs?: number,
  ): Promise<void> {
    const times = new StreamRecordTimes(writtenAfterMs);
    while (!this.stopped) {
      try {
        await this.pollShard(shardId, startingPosition, times);
        return;
      } catch (error) {
        this.deps.log({
          kind: 'esm.error',
          message: `reading shard ${shardId} failed (${(error as Error).message}); resuming from its checkpoint in 1 s`,
          details: { mapping: this.config.uuid, shardId },
        });
        await this.sleep(1000);
      }
    }
  }

  private async pollShard(
    shardId: string,
    startingPosition: ShardIteratorType,
    times: StreamRecordTimes,
  ): Promise<void> {
    const batchSize = this.config.batchSize ?? 100;
    const windowMs = (this.config.maximumBatchingWindowInSeconds ?? 0) * 1000;
    const key = this.checkpointKey(shardId);
    let lastFetched = this.deps.checkpoints.get(key);
    // only a checkpoint that moves is stored: an idle shard's empty reads would rewrite the same one forever
    let committed = lastFetched;
    const commit = (sequenceNumber: string) => {
      if (sequenceNumber === committed) return;
      committed = sequenceNumber;
      this.deps.checkpoints.set(key, sequenceNumber);
    };
    let iterator = await this.iterator(shardId, startingPosition, lastFetched);
    const buffer: LambdaStreamRecord[] = [];
    let firstBufferedAt = 0;
    while (!this.stopped) {
      if (iterator && buffer.length < batchSize) {
        try {
          const sentAt = this.now();
          const out = await this.deps.streams.send(
            new GetRecordsCommand({ ShardIterator: iterator, Limit: GET_RECORDS_LIMIT }),
          );
          iterator = out.NextShardIterator;
          for (const record of out.Records ?? []) {
            const lambdaRecord = this.toLambdaRecord(record, times);
            lastFetched = lambdaRecord.dynamodb.SequenceNumber;
            if (this.filters.length > 0 && !this.filters.some((f) => f.matches(lambdaRecord))) continue;
            if (buffer.length === 0) firstBufferedAt = this.now();
            buffer.push(lambdaRecord);
          }
          times.afterRead(sentAt, out.Records?.length ?? 0, GET_RECORDS_LIMIT);
          if (buffer.length === 0 && lastFetched) commit(lastFetched);
        } catch (error) {
          if (error instanceof ExpiredIteratorException || error instanceof TrimmedDataAccessException) {
            const after = buffer.at(-1)?.dynamodb.SequenceNumber ?? lastFetched;
            iterator = await this.iterator(shardId, 'TRIM_HORIZON', after);
            this.deps.log({
              kind: 'esm.iterator-renewed',
              message: `renewed the shard iterator of ${shardId}`,
              details: { shardId },
            });
            continue;
          }
          throw error;
        }
      }
      if (buffer.length === 0) {
        if (!iterator) return;
        await this.sleep(this.deps.pollIntervalMs ?? 250);
        continue;
      }
      const waited = this.now() - firstBufferedAt;
      if (buffer.length < batchSize && iterator && waited < windowMs) {
        await this.sleep(Math.min(this.deps.pollIntervalMs ?? 250, windowMs - waited));
        continue;
      }
      const batch = buffer.splice(0, batchSize);
      firstBufferedAt = this.now();
      if (!(await this.deliver(shardId, batch, commit))) return;
    }
  }

  private toLambdaRecord(record: _Record, times: StreamRecordTimes): LambdaStreamRecord {
    const created = times.creationSeconds(record.dynamodb?.ApproximateCreationDateTime);
    return {
      eventID: record.eventID,
      eventName: record.eventName,
      eventVersion: record.eventVersion ?? '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      dynamodb: {
        ...record.dynamodb,
        ...(created !== undefined ? { ApproximateCreationDateTime: created } : {}),
        SequenceNumber: record.dynamodb?.SequenceNumber as string,
      },
      eventSourceARN: this.config.eventSourceArn,
      ...(record.userIdentity ? { userIdentity: record.userIdentity } : {}),
    } as LambdaStreamRecord;
  }

  /**
   * Delivers one batch until every record succeeded or was discarded, checkpointing as records are done; false when
   * stopped before that.
   */
  private async deliver(
    shardId: string,
    records: LambdaStreamRecord[],
    commit: (sequenceNumber: string) => void,
  ): Promise<boolean> {
    const maxRetries = this.config.maximumRetryAttempts ?? -1;
    const queue: Batch[] = [{ records, retries: 0, invocations: 0 }];
    const done = (rs: readonly LambdaStreamRecord[]) => {
      const last = rs.at(-1);
      if (last) commit(last.dynamodb.SequenceNumber);
    };
    while (queue.length > 0) {
      const batch = queue[0] as Batch;
      const expired = this.expiredPrefix(batch.records);
      if (expired.length > 0) {
        await this.discard(shardId, batch, expired, 'RecordAgeExceeded');
        done(expired);
        batch.records = batch.records.slice(expired.length);
        if (batch.records.length === 0) {
          queue.shift();
          continue;
        }
      }
      const outcome = await this.invoke(batch.records);
      batch.invocations += 1;
      if (outcome.kind === 'ok') {
        done(batch.records);
        queue.shift();
        continue;
      }
      if (outcome.kind === 'partial') {
        done(batch.records.slice(0, outcome.from));
        batch.records = batch.records.slice(outcome.from);
      }
      if (
        outcome.kind === 'function-error' &&
        this.config.bisectBatchOnFunctionError &&
        batch.records.length > 1
      ) {
        // "Splitting batches doesn't consume the retry quota" (Retaining discarded records for a DynamoDB event source)
        const half = Math.ceil(batch.records.length / 2);
        queue.splice(
          0,
          1,
          { records: batch.records.slice(0, half), retries: batch.retries, invocations: 0 },
          { records: batch.records.slice(half), retries: batch.retries, invocations: 0 },
        );
        this.deps.log({
          kind: 'esm.bisect',
          message: `split a failed batch of ${batch.records.length} into ${half} + ${batch.records.length - half} (${outcome.reason})`,
          details: { function: this.config.functionArn, shardId },
        });
        continue;
      }
      if (maxRetries >= 0 && batch.retries >= maxRetries) {
        queue.shift();
        await this.discard(shardId, batch, batch.records, 'RetryAttemptsExhausted');
        done(batch.records);
        continue;
      }
      batch.retries += 1;
      this.deps.log({
        kind: 'esm.retry',
        message: `retrying ${batch.records.length} record(s) (retry ${batch.retries}${maxRetries >= 0 ? ` of ${maxRetries}` : ''}): ${outcome.reason}`,
        details: { function: this.config.functionArn, shardId },
      });
      if (this.stopped) return false;
      await this.sleep(Math.min(2000, (this.deps.retryBackoffMs ?? 100) * 2 ** (batch.retries - 1)));
      if (this.stopped) return false;
    }
    return true;
  }

  /** The leading records older than `MaximumRecordAgeInSeconds` (records of a shard are in creation order). */
  private expiredPrefix(records: readonly LambdaStreamRecord[]): LambdaStreamRecord[] {
    const maxAge = this.config.maximumRecordAgeInSeconds ?? -1;
    if (maxAge < 0) return [];
    const nowSeconds = this.now() / 1000;
    const expired: LambdaStreamRecord[] = [];
    for (const record of records) {
      const created = record.dynamodb.ApproximateCreationDateTime;
      if (created === undefined || nowSeconds - created <= maxAge) break;
      expired.push(record);
    }
    return expired;
  }

  private async invoke(records: LambdaStreamRecord[]): Promise<Outcome> {
    let result: unknown;
    try {
      result = await this.deps.invoke(this.config.functionArn, { Records: records });
    } catch (error) {
      const reason =
        error instanceof FunctionInvocationError
          ? `${error.errorType}: ${error.errorMessage}`
          : (error as Error).message;
      return { kind: 'function-error', reason };
    }
    this.deps.log({
      kind: 'stream.delivered',
      message: `${this.config.label ?? this.config.functionArn}: ${records.length} record(s) handled (${summarize(records)})`,
      details: {
        function: this.config.functionArn,
        records: records.length,
        // the items' keys (ids, e.g. `USER#01…|OUTBOX#01…`), so a trace can follow an item to the relay
        keys: records.map(keysOf).join(','),
        firstSequenceNumber: records[0]?.dynamodb.SequenceNumber,
        lastSequenceNumber: records.at(-1)?.dynamodb.SequenceNumber,
      },
    });
    if (!this.config.reportBatchItemFailures) return { kind: 'ok' };
    const sequenceNumbers = records.map((r) => r.dynamodb.SequenceNumber);
    const report = readBatchItemFailures(result, sequenceNumbers);
    if (report.kind === 'ok') return report;
    if (report.kind === 'failed') return { kind: 'invalid-response', reason: report.reason };
    const from = Math.min(...report.itemIdentifiers.map((id) => sequenceNumbers.indexOf(id)));
    return {
      kind: 'partial',
      from,
      reason: `partial batch failure from ${sequenceNumbers[from]}`,
    };
  }

  private async discard(
    shardId: string,
    batch: Batch,
    records: readonly LambdaStreamRecord[],
    condition: DiscardCondition,
  ): Promise<void> {
    const first = records[0] as LambdaStreamRecord;
    const destination = this.config.onFailureDestinationArn;
    this.deps.log({
      kind: 'esm.discarded',
      message: `discarded ${records.length} stream record(s) (${condition}) ${destination ? `→ on-failure destination ${destination.split(':').at(-1)}` : 'with no on-failure destination'}`,
      details: {
        function: this.config.functionArn,
        shardId,
        condition,
        startSequenceNumber: first.dynamodb.SequenceNumber,
      },
    });
    if (!destination) return;
    const message = onFailureRecord(
      {
        functionArn: this.config.functionArn,
        streamArn: this.config.eventSourceArn,
        shardId,
        condition,
        invocations: batch.invocations,
        records,
      },
      new Date(this.now()),
    );
    await this.deps.sendToDestination(destination, message);
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}

/** `INSERT×2, MODIFY×1`: what a batch holds, without any attribute value. */
/** A record's key values (`S`/`N`/`B` of `dynamodb.Keys`), joined by `|`: `USER#01…|OUTBOX#01…`. */
function keysOf(record: LambdaStreamRecord): string {
  const keys = (record.dynamodb as { Keys?: Record<string, Record<string, unknown>> }).Keys ?? {};
  return Object.values(keys)
    .map((value) => String(Object.values(value)[0] ?? ''))
    .join('|');
}

function summarize(records: readonly LambdaStreamRecord[]): string {
  const counts = new Map<string, number>();
  for (const r of records) counts.set(String(r.eventName), (counts.get(String(r.eventName)) ?? 0) + 1);
  return [...counts].map(([name, n]) => `${name}×${n}`).join(', ');
}
