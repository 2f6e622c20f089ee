/**
 * What a function's response says about its batch, read the way Lambda reads a partial batch response
 * (`FunctionResponseTypes: ['ReportBatchItemFailures']`):
 * - `ok`: the whole batch succeeded;
 * - `failed`: the whole batch failed (the reason names what was wrong with the response);
 * - `partial`: these item identifiers failed, every one of them in the batch.
 *
 * @example const report = readBatchItemFailures(result, ['seq-1', 'seq-2']);
 */
export type BatchItemFailuresReport =
  | { readonly kind: 'ok' }
  | { readonly kind: 'failed'; readonly reason: string }
  | { readonly kind: 'partial'; readonly itemIdentifiers: readonly string[] };

/**
 * Reads a function's response as a partial batch response, following AWS's "Success and failure conditions"
 * (Lambda developer guide, "Configuring partial batch response with DynamoDB and Lambda" and "Handling errors for
 * an SQS event source in Lambda"): an empty or null `batchItemFailures` list, an empty or null response is a complete
 * success; an empty string or null `itemIdentifier`, an entry whose key is not `itemIdentifier`, or an identifier that
 * is not in the batch is a complete failure. A `batchItemFailures` that is not a list is a complete failure too
 * (the response is not the documented shape).
 *
 * @example
 * readBatchItemFailures({ batchItemFailures: [{ itemIdentifier: 'm-2' }] }, ['m-1', 'm-2']);
 * // { kind: 'partial', itemIdentifiers: ['m-2'] }
 */
export function readBatchItemFailures(
  response: unknown,
  batchIdentifiers: readonly string[],
): BatchItemFailuresReport {
  if (response === null || response === undefined || typeof response !== 'object') return { kind: 'ok' };
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return { kind: 'ok' };
  if (!Array.isArray(failures))
    return {
      kind: 'failed',
      reason: `batchItemFailures is ${JSON.stringify(failures)}, not a list of { itemIdentifier } entries`,
    };
  if (failures.length === 0) return { kind: 'ok' };
  const known = new Set(batchIdentifiers);
  const itemIdentifiers: string[] = [];
  for (const failure of failures as unknown[]) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || id === '')
      return {
        kind: 'failed',
        reason: `batchItemFailures has an entry ${JSON.stringify(failure)} without a non-empty itemIdentifier string`,
      };
    if (!known.has(id))
      return {
        kind: 'failed',
        reason: `batchItemFailures names ${JSON.stringify(id)}, which is not in the batch`,
      };
    itemIdentifiers.push(id);
  }
  return { kind: 'partial', itemIdentifiers };
}
