/**
 * Base class of every error `@outboxed/local-aws` throws in the caller's process.
 *
 * @example
 * try { await startEdge({ port: 80 }); } catch (e) { if (e instanceof LocalAwsError) console.error(e.message); }
 */
export class LocalAwsError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * The edge endpoint could not listen (port taken, bad host).
 *
 * @example new EdgeStartError('port 4566 on 127.0.0.1 is taken: pass another `port` or 0 for a free one')
 */
export class EdgeStartError extends LocalAwsError {}

/**
 * An error an emulated AWS API answers with, rendered in AWS's wire shape (`__type` + `message`, HTTP status).
 * `code` is AWS's error code (`ResourceNotFoundException`, `QueueDoesNotExist` …).
 *
 * @example throw new AwsServiceError('ResourceNotFoundException', 'Rule r does not exist on EventBus default.');
 */
export class AwsServiceError extends LocalAwsError {
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode = 400,
    /** SQS only: the legacy query-protocol code sent in `x-amzn-query-error` (`AWS.SimpleQueueService.NonExistentQueue`). */
    readonly queryErrorCode?: string,
  ) {
    super(message);
  }
}

/**
 * Shorthand for the `ValidationException` most APIs answer a bad parameter with.
 *
 * @example throw validation('Value 11 at \'entries\' failed to satisfy constraint: Member must have length less than or equal to 10');
 */
export function validation(message: string): AwsServiceError {
  return new AwsServiceError('ValidationException', message);
}
