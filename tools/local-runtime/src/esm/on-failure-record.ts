import { randomUUID } from 'node:crypto';

/**
 * Why a stream mapping discarded records, as the invocation record's `requestContext.condition` names it.
 *
 * @example const condition: DiscardCondition = 'RetryAttemptsExhausted';
 */
export type DiscardCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

/**
 * The discarded batch an on-failure record describes.
 *
 * @example const batch: DiscardedBatch = { functionArn, streamArn, shardId, condition, invocations: 3, records };
 */
export interface DiscardedBatch {
  readonly functionArn: string;
  readonly streamArn: string;
  readonly shardId: string;
  readonly condition: DiscardCondition;
  /** How many times this batch was invoked (0 when it expired before its first invocation). */
  readonly invocations: number;
  readonly records: readonly {
    readonly dynamodb: { readonly SequenceNumber: string; readonly ApproximateCreationDateTime?: number };
  }[];
}

/**
 * The invocation record Lambda sends to a DynamoDB stream mapping's on-failure destination (SQS or SNS), in the
 * shape of AWS's example (Lambda developer guide, "Retaining discarded records for a DynamoDB event source in
 * Lambda", "Example Amazon SNS and Amazon SQS invocation record"): `requestContext` with the function's ARN, the
 * condition and the approximate invoke count; `responseContext` of the last failed invocation (left out when the
 * records expired before any invocation); `version`, `timestamp`; and `DDBStreamBatchInfo` locating the records
 * (the records themselves are not included, as on AWS). Arrival times are ISO 8601 to the second.
 *
 * @example await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify(onFailureRecord(batch, new Date())) }));
 */
export function onFailureRecord(batch: DiscardedBatch, now: Date): Record<string, unknown> {
  const first = batch.records[0];
  const last = batch.records.at(-1);
  const iso = (seconds?: number) =>
    seconds === undefined ? undefined : new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    requestContext: {
      requestId: randomUUID(),
      functionArn: batch.functionArn,
      condition: batch.condition,
      approximateInvokeCount: batch.invocations,
    },
    ...(batch.invocations > 0
      ? { responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' } }
      : {}),
    version: '1.0',
    timestamp: now.toISOString(),
    DDBStreamBatchInfo: {
      shardId: batch.shardId,
      startSequenceNumber: first?.dynamodb.SequenceNumber,
      endSequenceNumber: last?.dynamodb.SequenceNumber,
      approximateArrivalOfFirstRecord: iso(first?.dynamodb.ApproximateCreationDateTime),
      approximateArrivalOfLastRecord: iso(last?.dynamodb.ApproximateCreationDateTime),
      batchSize: batch.records.length,
      streamArn: batch.streamArn,
    },
  };
}
