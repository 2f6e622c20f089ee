import * as z from 'zod';

/**
 * What Lambda sends to a stream event source mapping's on-failure destination when a batch exhausts its
 * retries or grows older than `MaximumRecordAgeInSeconds`: a pointer, not the records. Shape from the AWS Lambda
 * Developer Guide ("Retaining discarded batches for a DynamoDB event source in Lambda"):
 *
 * ```json
 * { "requestContext": { "requestId": "…", "functionArn": "…", "condition": "RetryAttemptsExhausted", "approximateInvokeCount": 11 },
 *   "responseContext": { "statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled" },
 *   "version": "1.0", "timestamp": "2026-11-29T18:22:26.479Z",
 *   "DDBStreamBatchInfo": { "shardId": "shardId-…", "startSequenceNumber": "…", "endSequenceNumber": "…",
 *     "approximateArrivalOfFirstRecord": "2026-11-29T18:21:49Z", "approximateArrivalOfLastRecord": "2026-11-29T18:21:49Z",
 *     "batchSize": 1, "streamArn": "arn:aws:dynamodb:…:table/…/stream/…" } }
 * ```
 *
 * `condition` is `RetryAttemptsExhausted`, `RecordAgeExceeded` or `EventSizeTooLarge`… ; only the batch info is
 * needed to find the records again, so everything else is optional.
 */
export const onFailureRecordSchema = z.object({
  requestContext: z
    .object({
      requestId: z.string().optional(),
      functionArn: z.string().optional(),
      condition: z.string().optional(),
      approximateInvokeCount: z.number().optional(),
    })
    .optional(),
  timestamp: z.string().optional(),
  DDBStreamBatchInfo: z.object({
    shardId: z.string().min(1),
    startSequenceNumber: z.string().regex(/^\d+$/),
    endSequenceNumber: z.string().regex(/^\d+$/),
    approximateArrivalOfFirstRecord: z.string(),
    approximateArrivalOfLastRecord: z.string(),
    batchSize: z.number().int().nonnegative(),
    streamArn: z.string().min(1),
  }),
});

/** A parsed on-failure destination message (see {@link onFailureRecordSchema}). */
export type OnFailureRecord = z.infer<typeof onFailureRecordSchema>;

/** The stream range an on-failure record points at. */
export type StreamBatchInfo = OnFailureRecord['DDBStreamBatchInfo'];

/**
 * Parses an on-failure destination message body; `undefined` when it is not one (malformed JSON or shape).
 *
 * @example
 * const pointer = parseOnFailureRecord(message.Body);
 * if (pointer) console.log(pointer.DDBStreamBatchInfo.shardId);
 */
export function parseOnFailureRecord(body: string | undefined): OnFailureRecord | undefined {
  if (body === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  const parsed = onFailureRecordSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}
