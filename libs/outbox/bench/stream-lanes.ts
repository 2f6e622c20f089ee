// How a DynamoDB stream event source mapping drives the relay, for the shard simulation and the throttling test:
// each shard's records in commit order; with ParallelizationFactor P, Lambda processes up to P batches of one shard
// at once, records with the same partition key always in the same lane, in order ("Lambda processes records with
// the same partition key in order" with a parallelization factor above 1); a lane invokes the function with up to
// BatchSize records from its checkpoint and, when the function reports batchItemFailures, resumes at the reported
// SequenceNumber. Hand-written model, benchmark and test only.
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';

/** The relay handler as the lanes call it. */
export type StreamHandler = (
  event: DynamoDBStreamEvent,
  context: { getRemainingTimeInMillis(): number },
) => Promise<DynamoDBBatchResponse>;

/** What the lanes did. */
export interface LaneResult {
  readonly invocations: number;
  /** Invocations that reported a failure and were resumed from their checkpoint. */
  readonly retriedInvocations: number;
  /** Records still unprocessed when a lane gave up after `maxInvocations`. */
  readonly abandonedRecords: number;
}

/** Lane of a record: a stable hash of its partition key modulo the parallelization factor. */
export function laneOf(record: DynamoDBRecord, parallelizationFactor: number): number {
  const key = JSON.stringify(record.dynamodb?.Keys?.pk ?? '');
  let hash = 2166136261;
  for (let i = 0; i < key.length; i += 1) hash = Math.imul(hash ^ key.charCodeAt(i), 16777619);
  return (hash >>> 0) % parallelizationFactor;
}

async function runLane(
  records: readonly DynamoDBRecord[],
  handler: StreamHandler,
  batchSize: number,
  maxInvocations: number,
  remainingMs: number,
): Promise<LaneResult> {
  let position = 0;
  let invocations = 0;
  let retriedInvocations = 0;
  while (position < records.length && invocations < maxInvocations) {
    const batch = records.slice(position, position + batchSize);
    invocations += 1;
    const { batchItemFailures } = await handler(
      { Records: batch },
      { getRemainingTimeInMillis: () => remainingMs },
    );
    const failed = batchItemFailures
      .map((f) => batch.findIndex((r) => r.dynamodb?.SequenceNumber === f.itemIdentifier))
      .filter((i) => i >= 0);
    if (failed.length === 0) {
      position += batch.length;
    } else {
      retriedInvocations += 1;
      position += Math.min(...failed);
    }
  }
  return { invocations, retriedInvocations, abandonedRecords: records.length - position };
}

/**
 * Runs one shard's records through `parallelizationFactor` lanes at once and resolves when every lane is done.
 * `handler` may be a factory called once per lane (`{ perLane }`): on Lambda each concurrent batch runs in its own
 * execution environment, with its own SDK client and sockets.
 *
 * @example const result = await runShard(records, handler, { batchSize: 100, parallelizationFactor: 2 });
 */
export async function runShard(
  records: readonly DynamoDBRecord[],
  handler: StreamHandler | { readonly perLane: (lane: number) => StreamHandler },
  options: {
    readonly batchSize: number;
    readonly parallelizationFactor: number;
    readonly maxInvocations?: number;
    readonly remainingMs?: number;
  },
): Promise<LaneResult> {
  const lanes: DynamoDBRecord[][] = Array.from({ length: options.parallelizationFactor }, () => []);
  for (const record of records) lanes[laneOf(record, options.parallelizationFactor)]?.push(record);
  const results = await Promise.all(
    lanes.map((lane, index) =>
      runLane(
        lane,
        'perLane' in handler ? handler.perLane(index) : handler,
        options.batchSize,
        options.maxInvocations ?? 1_000,
        options.remainingMs ?? 60_000,
      ),
    ),
  );
  return results.reduce(
    (sum, r) => ({
      invocations: sum.invocations + r.invocations,
      retriedInvocations: sum.retriedInvocations + r.retriedInvocations,
      abandonedRecords: sum.abandonedRecords + r.abandonedRecords,
    }),
    { invocations: 0, retriedInvocations: 0, abandonedRecords: 0 },
  );
}
