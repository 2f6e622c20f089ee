/**
 * Per-entry `ErrorCode`s of `PutEvents` that EventBridge documents as retryable (`PutEventsResultEntry`):
 * `InternalFailure` and `ThrottlingException`. Every other code (`AccessDeniedException`,
 * `InvalidAccountIdException`, `InvalidArgument`, `MalformedDetail`, `RedactionFailure`,
 * `NotAuthorizedForSourceException`, `NotAuthorizedForDetailTypeException`) fails the same way again.
 *
 * @example
 * if (RETRYABLE_ENTRY_ERROR_CODES.has(result.ErrorCode ?? '')) retryLater(entry);
 */
export const RETRYABLE_ENTRY_ERROR_CODES: ReadonlySet<string> = new Set([
  'InternalFailure',
  'ThrottlingException',
]);

/**
 * Per-entry codes that say the entry itself is bad (not the caller's permissions): such an entry is poison and
 * goes to the poison DLQ instead of blocking its aggregate.
 *
 * @example
 * if (POISON_ENTRY_ERROR_CODES.has(code)) await deadLetter(entry, 'rejected-by-eventbridge');
 */
export const POISON_ENTRY_ERROR_CODES: ReadonlySet<string> = new Set(['InvalidArgument', 'MalformedDetail']);

const RETRYABLE_REQUEST_ERRORS = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'InternalFailure',
  'InternalException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
]);

/**
 * Whether a whole request that threw may succeed when sent again: throttling, 5xx, time-outs and network
 * errors (no HTTP status) are retryable; any other 4xx (access denied, validation, unknown bus) is not.
 *
 * @example
 * isRetryableRequestError(Object.assign(new Error('x'), { name: 'ThrottlingException' })); // true
 */
export function isRetryableRequestError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return true;
  const { name, $metadata, $retryable } = error as {
    name?: string;
    $metadata?: { httpStatusCode?: number };
    $retryable?: unknown;
  };
  if ($retryable) return true;
  if (name && RETRYABLE_REQUEST_ERRORS.has(name)) return true;
  const status = $metadata?.httpStatusCode;
  if (status === undefined) return true;
  return status >= 500 || status === 429;
}

/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"):
 * a delay drawn uniformly from `[0, min(maxDelayMs, baseDelayMs × 2^retry))`.
 *
 * @param retry 0 for the first retry.
 * @param random a uniform number in [0, 1).
 * @example
 * await sleep(fullJitterDelay(attempt, 50, 2_000, Math.random));
 */
export function fullJitterDelay(
  retry: number,
  baseDelayMs: number,
  maxDelayMs: number,
  random: () => number,
): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(retry, 30));
  return Math.floor(random() * ceiling);
}
