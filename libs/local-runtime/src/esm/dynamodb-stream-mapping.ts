import { randomUUID } from 'node:crypto';
import {
  DescribeStreamCommand,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import type {
  _Record,
  DynamoDBStreamsClient,
  Shard,
  ShardIteratorType,
} from '@aws-sdk/client-dynamodb-streams';
import { FunctionInvocationError } from '../errors';
import type { CheckpointStore, CompileFilter, Invoke, RecordFilter, RuntimeLog } from './types';

/**
 * A DynamoDB stream event source mapping as its template (`AWS::Lambda::EventSourceMapping`) defines it.
 *
 * @example const config: StreamMappingConfig = { uuid, functionArn, eventSourceArn, startingPosition: 'TRIM_HORIZON', batchSize: 10 };
 */
export interface StreamMappingConfig {
  readonly uuid: string;
  readonly functionArn: string;
  readonly eventSourceArn: string;
  /** @default 100 */
  readonly batchSize?: number;
  /** @default 0 */
  readonly maximumBatchingWindowInSeconds?: number;
  readonly startingPosition: 'TRIM_HORIZON' | 'LATEST';
  /** `FilterCriteria.Filters[].Pattern`: a record is sent when ANY pattern matches. @default all records */
  readonly filterPatterns?: readonly string[];
  /** `FunctionResponseTypes` includes `ReportBatchItemFailures`. @default false */
  readonly reportBatchItemFailures?: boolean;
  /** @default false */
  readonly bisectBatchOnFunctionError?: boolean;
  /** -1 = until the record expires. @default -1 */
  readonly maximumRetryAttempts?: number;
  /** -1 = no limit. @default -1 */
  readonly maximumRecordAgeInSeconds?: number;
  /** `DestinationConfig.OnFailure.Destination`. @default discarded records are only logged */
  readonly onFailureDestinationArn?: string;
  /** How the live log names this mapping, e.g. `UsersTable stream → OutboxRelay`. @default the function ARN */
  readonly label?: string;
}

/**
 * What a {@link DynamoDbStreamMapping} needs from the outside.
 *
 * @example new DynamoDbStreamMapping(config, { streams, invoke, sendToDestination, compileFilter, checkpoints, log });
 */
export interface StreamMappingDeps {
  readonly streams: DynamoDBStreamsClient;
  readonly invoke: Invoke;
  /** Sends the on-failure record (an SQS message body) to the destination ARN. */
  readonly sendToDestination: (destinationArn: string, message: Record<string, unknown>) => Promise<void>;
  readonly compileFilter: CompileFilter;
  readonly checkpoints: CheckpointStore;
  readonly log: RuntimeLog;
  /** How often an idle shard is polled (Lambda: 4 times a second). @default 250 */
  readonly pollIntervalMs?: number;
  /** First retry delay, doubled on each retry up to 2 s. @default 100 */
  readonly retryBackoffMs?: number;
  /** How often DescribeStream looks for new shards. @default 5000 */
  readonly shardDiscoveryMs?: number;
}

/**
 * A record as Lambda hands it to the function.
 *
 * @example const sequenceNumber = record.dynamodb.SequenceNumber;
 */
export type LambdaStreamRecord = Record<string, unknown> & {
  dynamodb: { SequenceNumber: string; ApproximateCreationDateTime?: number };
};

interface Batch {
  records: LambdaStreamRecord[];
  attempts: number;
}

type Outcome = { kind: 'ok' } | { kind: 'partial'; from: number } | { kind: 'failed'; reason: string };

/**
 * Lambda's DynamoDB stream event source mapping, run locally against DynamoDB Local's streams
 * (DescribeStream → GetShardIterator → GetRecords, iterators renewed when they expire). Hand-written: the poller
 * is internal to Lambda. Semantics follow AWS's documentation of DynamoDB event source mappings:
 * - each shard is read in order, one batch in flight per shard, a child shard only after its parent is finished;
 * - up to `BatchSize` records, gathered for at most `MaximumBatchingWindowInSeconds`;
 * - records not matching `FilterCriteria` are dropped (and checkpointed);
 * - `ReportBatchItemFailures`: the checkpoint moves to just before the lowest reported `itemIdentifier` and the
 *   batch is retried from there; an empty, missing or unknown identifier fails the whole batch;
 * - on a function error with `BisectBatchOnFunctionError`, the batch is split in two and each half retried;
 *   the halves keep the retry count of the batch they came from (each failed invocation counts once);
 * - after `MaximumRetryAttempts` retries, or once records are older than `MaximumRecordAgeInSeconds`, the records
 *   are discarded: the on-failure destination gets an invocation record with `DDBStreamBatchInfo`, and the
 *   mapping moves on (a bad record never blocks the shard for longer than its retries).
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

  constructor(
    readonly config: StreamMappingConfig,
    private readonly deps: StreamMappingDeps,
  ) {
    this.filters = (config.filterPatterns ?? []).map((p) => deps.compileFilter(p));
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
    let first = true;
    while (!this.stopped) {
      try {
        const shards = await this.listShards();
        if (first) for (const s of shards) initial.add(s.ShardId as string);
        first = false;
        const known = new Set(shards.map((s) => s.ShardId as string));
        for (const shard of shards) {
          const id = shard.ShardId as string;
          if (this.running.has(id) || this.finished.has(id)) continue;
          const parent = shard.ParentShardId;
          if (parent && known.has(parent) && !this.finished.has(parent)) continue;
          const position = initial.has(id) ? this.config.startingPosition : 'TRIM_HORIZON';
          this.running.set(
            id,
            this.pollShardUntilDone(id, position).finally(() => {
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
  private async pollShardUntilDone(shardId: string, startingPosition: ShardIteratorType): Promise<void> {
    while (!this.stopped) {
      try {
        await this.pollShard(shardId, startingPosition);
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

  private async pollShard(shardId: string, startingPosition: ShardIteratorType): Promise<void> {
    const batchSize = this.config.batchSize ?? 100;
    const windowMs = (this.config.maximumBatchingWindowInSeconds ?? 0) * 1000;
    const key = this.checkpointKey(shardId);
    let lastFetched = this.deps.checkpoints.get(key);
    let iterator = await this.iterator(shardId, startingPosition, lastFetched);
    const buffer: LambdaStreamRecord[] = [];
    let firstBufferedAt = 0;
    while (!this.stopped) {
      if (iterator && buffer.length < batchSize) {
        try {
          const out = await this.deps.streams.send(
            new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }),
          );
          iterator = out.NextShardIterator;
          for (const record of out.Records ?? []) {
            const lambdaRecord = this.toLambdaRecord(record);
            lastFetched = lambdaRecord.dynamodb.SequenceNumber;
            if (this.filters.length > 0 && !this.filters.some((f) => f.matches(lambdaRecord))) continue;
            if (buffer.length === 0) firstBufferedAt = Date.now();
            buffer.push(lambdaRecord);
          }
          if (buffer.length === 0 && lastFetched) this.deps.checkpoints.set(key, lastFetched);
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
      const waited = Date.now() - firstBufferedAt;
      if (buffer.length < batchSize && iterator && waited < windowMs) {
        await this.sleep(Math.min(this.deps.pollIntervalMs ?? 250, windowMs - waited));
        continue;
      }
      const batch = buffer.splice(0, batchSize);
      firstBufferedAt = Date.now();
      if (!(await this.deliver(shardId, batch))) return;
      this.deps.checkpoints.set(key, (batch.at(-1) as LambdaStreamRecord).dynamodb.SequenceNumber);
    }
  }

  private toLambdaRecord(record: _Record): LambdaStreamRecord {
    const created = record.dynamodb?.ApproximateCreationDateTime;
    return {
      eventID: record.eventID,
      eventName: record.eventName,
      eventVersion: record.eventVersion ?? '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      dynamodb: {
        ...record.dynamodb,
        ...(created ? { ApproximateCreationDateTime: Math.floor(new Date(created).getTime() / 1000) } : {}),
        SequenceNumber: record.dynamodb?.SequenceNumber as string,
      },
      eventSourceARN: this.config.eventSourceArn,
      ...(record.userIdentity ? { userIdentity: record.userIdentity } : {}),
    } as LambdaStreamRecord;
  }

  /** Delivers one batch until every record succeeded or was discarded; false when stopped before that. */
  private async deliver(shardId: string, records: LambdaStreamRecord[]): Promise<boolean> {
    const maxRetries = this.config.maximumRetryAttempts ?? -1;
    const maxAge = this.config.maximumRecordAgeInSeconds ?? -1;
    const queue: Batch[] = [{ records, attempts: 0 }];
    while (queue.length > 0) {
      const batch = queue[0] as Batch;
      if (maxAge >= 0) {
        const cutoff = Date.now() / 1000 - maxAge;
        const expired = batch.records.filter(
          (r) => (r.dynamodb.ApproximateCreationDateTime ?? Infinity) < cutoff,
        );
        if (expired.length > 0) {
          await this.discard(shardId, expired, 'RecordAgeExceeded', batch.attempts);
          batch.records = batch.records.slice(expired.length);
          if (batch.records.length === 0) {
            queue.shift();
            continue;
          }
        }
      }
      const outcome = await this.invoke(batch.records);
      if (outcome.kind === 'ok') {
        queue.shift();
        continue;
      }
      batch.attempts += 1;
      if (outcome.kind === 'partial') {
        batch.records = batch.records.slice(outcome.from);
      }
      if (maxRetries >= 0 && batch.attempts > maxRetries) {
        queue.shift();
        await this.discard(shardId, batch.records, 'RetryAttemptsExhausted', batch.attempts);
        continue;
      }
      if (outcome.kind === 'failed' && this.config.bisectBatchOnFunctionError && batch.records.length > 1) {
        const half = Math.ceil(batch.records.length / 2);
        queue.splice(
          0,
          1,
          { records: batch.records.slice(0, half), attempts: batch.attempts },
          { records: batch.records.slice(half), attempts: batch.attempts },
        );
        this.deps.log({
          kind: 'esm.bisect',
          message: `split a failed batch of ${batch.records.length} into ${half} + ${batch.records.length - half}`,
          details: { function: this.config.functionArn, shardId },
        });
        continue;
      }
      this.deps.log({
        kind: 'esm.retry',
        message: `retrying ${batch.records.length} record(s) (attempt ${batch.attempts + 1}): ${outcome.kind === 'failed' ? outcome.reason : 'partial batch failure'}`,
        details: { function: this.config.functionArn, shardId },
      });
      if (this.stopped) return false;
      await this.sleep(Math.min(2000, (this.deps.retryBackoffMs ?? 100) * 2 ** (batch.attempts - 1)));
    }
    return true;
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
      return { kind: 'failed', reason };
    }
    this.deps.log({
      kind: 'stream.delivered',
      message: `${this.config.label ?? this.config.functionArn}: ${records.length} record(s) handled (${summarize(records)})`,
      details: { function: this.config.functionArn, records: records.length },
    });
    if (!this.config.reportBatchItemFailures) return { kind: 'ok' };
    const failures = (result as { batchItemFailures?: { itemIdentifier?: unknown }[] } | null)
      ?.batchItemFailures;
    if (failures === undefined || failures === null || (Array.isArray(failures) && failures.length === 0))
      return { kind: 'ok' };
    if (!Array.isArray(failures))
      return { kind: 'failed', reason: 'invalid batchItemFailures in the response' };
    let from = Infinity;
    for (const failure of failures) {
      const id = failure?.itemIdentifier;
      const index =
        typeof id === 'string' && id !== '' ? records.findIndex((r) => r.dynamodb.SequenceNumber === id) : -1;
      if (index < 0)
        return {
          kind: 'failed',
          reason: `batchItemFailures names ${JSON.stringify(id)}, which is not in the batch`,
        };
      from = Math.min(from, index);
    }
    return { kind: 'partial', from };
  }

  private async discard(
    shardId: string,
    records: LambdaStreamRecord[],
    condition: string,
    attempts: number,
  ): Promise<void> {
    const first = records[0] as LambdaStreamRecord;
    const last = records.at(-1) as LambdaStreamRecord;
    const iso = (s?: number) =>
      s === undefined ? undefined : new Date(s * 1000).toISOString().replace('.000Z', 'Z');
    const message = {
      requestContext: {
        requestId: randomUUID(),
        functionArn: this.config.functionArn,
        condition,
        approximateInvokeCount: attempts,
      },
      ...(attempts > 0
        ? { responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' } }
        : {}),
      version: '1.0',
      timestamp: new Date().toISOString(),
      DDBStreamBatchInfo: {
        shardId,
        startSequenceNumber: first.dynamodb.SequenceNumber,
        endSequenceNumber: last.dynamodb.SequenceNumber,
        approximateArrivalOfFirstRecord: iso(first.dynamodb.ApproximateCreationDateTime),
        approximateArrivalOfLastRecord: iso(last.dynamodb.ApproximateCreationDateTime),
        batchSize: records.length,
        streamArn: this.config.eventSourceArn,
      },
    };
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
    if (destination) await this.deps.sendToDestination(destination, message);
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
function summarize(records: readonly LambdaStreamRecord[]): string {
  const counts = new Map<string, number>();
  for (const r of records) counts.set(String(r.eventName), (counts.get(String(r.eventName)) ?? 0) + 1);
  return [...counts].map(([name, n]) => `${name}×${n}`).join(', ');
}
