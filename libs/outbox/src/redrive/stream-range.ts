import type { _Record, DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import type { StreamBatchInfo } from './on-failure-record';

/** Errors of DynamoDB Streams that mean the range can no longer be read: trimmed (older than 24 h) or gone. */
const GONE_ERRORS = new Set([
  'TrimmedDataAccessException',
  'ResourceNotFoundException',
  'ExpiredIteratorException',
]);

/** The outcome of reading a stream range again. */
export type StreamRangeResult =
  | { readonly kind: 'records'; readonly records: readonly _Record[] }
  | { readonly kind: 'gone'; readonly reason: string };

/** Options of {@link readStreamRange}. */
export interface ReadStreamRangeOptions {
  /** Consecutive empty `GetRecords` pages after which an open shard is taken as read to its end. @default 5 */
  readonly maxEmptyPages?: number;
}

/**
 * Reads the records of one on-failure pointer again, from `startSequenceNumber` to `endSequenceNumber` inclusive
 * (`GetShardIterator` `AT_SEQUENCE_NUMBER`, then `GetRecords` until past the end). Resolves `{ kind: 'gone' }`
 * when the stream no longer holds the range (DynamoDB Streams keeps records 24 hours; a disabled or replaced
 * stream is gone at once): the caller then falls back to the table.
 *
 * @example
 * const range = await readStreamRange(streams, pointer.DDBStreamBatchInfo);
 * if (range.kind === 'records') for (const r of range.records) console.log(r.dynamodb?.SequenceNumber);
 */
export async function readStreamRange(
  streams: Pick<DynamoDBStreamsClient, 'send'>,
  info: StreamBatchInfo,
  options: ReadStreamRangeOptions = {},
): Promise<StreamRangeResult> {
  const end = BigInt(info.endSequenceNumber);
  const maxEmptyPages = options.maxEmptyPages ?? 5;
  const records: _Record[] = [];
  try {
    const { ShardIterator } = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: info.streamArn,
        ShardId: info.shardId,
        ShardIteratorType: 'AT_SEQUENCE_NUMBER',
        SequenceNumber: info.startSequenceNumber,
      }),
    );
    let iterator = ShardIterator;
    let emptyPages = 0;
    while (iterator && emptyPages < maxEmptyPages) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      const pageRecords = page.Records ?? [];
      emptyPages = pageRecords.length === 0 ? emptyPages + 1 : 0;
      for (const record of pageRecords) {
        const sequence = BigInt(record.dynamodb?.SequenceNumber ?? '0');
        if (sequence > end) return { kind: 'records', records };
        records.push(record);
      }
      iterator = page.NextShardIterator;
    }
    return { kind: 'records', records };
  } catch (error) {
    const name = (error as { name?: string }).name ?? '';
    if (GONE_ERRORS.has(name)) return { kind: 'gone', reason: name };
    throw error;
  }
}
