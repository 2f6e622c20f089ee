/**
 * Base class of every error `@outboxed/outbox` throws on purpose. Catch it to tell the library's own,
 * documented failures from everything else.
 *
 * @example
 * try {
 *   await writer.write({ writes, events });
 * } catch (error) {
 *   if (error instanceof OutboxError) logger.warn('outbox write refused', { reason: error.name });
 *   throw error;
 * }
 */
export class OutboxError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A transaction would break one of DynamoDB's limits (100 actions and 4 MB of items per `TransactWriteItems`,
 * 400 KB per item).
 * Nothing was sent.
 *
 * @example
 * if (error instanceof TransactionLimitError) console.log(error.limit, error.actual);
 */
export class TransactionLimitError extends OutboxError {
  constructor(
    message: string,
    /** Which limit: `'items'` (actions in one transaction), `'bytes'` (aggregate item size) or `'itemBytes'` (one item, 400 KB). */
    readonly limit: 'items' | 'bytes' | 'itemBytes',
    /** The value this transaction reached. */
    readonly actual: number,
    /** The maximum DynamoDB allows. */
    readonly maximum: number,
  ) {
    super(message);
  }
}

/**
 * A domain event handed to the writer is not valid (a field missing, of the wrong type or out of range).
 *
 * @example
 * if (error instanceof InvalidOutboxEventError) console.log(error.field);
 */
export class InvalidOutboxEventError extends OutboxError {
  constructor(
    message: string,
    /** The field at fault, e.g. `events[0].sequence`. */
    readonly field: string,
  ) {
    super(message);
  }
}

/**
 * A state write handed to the writer is not valid (e.g. two writes with the same name). Nothing was sent.
 *
 * @example
 * if (error instanceof InvalidOutboxWriteError) console.log(error.field); // 'writes[1].name'
 */
export class InvalidOutboxWriteError extends OutboxError {
  constructor(
    message: string,
    /** The field at fault, e.g. `writes[1].name`. */
    readonly field: string,
  ) {
    super(message);
  }
}

/**
 * The relay was configured with a value it cannot work with (e.g. a byte limit below one entry).
 *
 * @example
 * createRelayHandler({ eventBusName: '' }); // throws RelayConfigurationError
 */
export class RelayConfigurationError extends OutboxError {}

/**
 * A stream record's new image is not an outbox item the relay can read (missing or mistyped attribute).
 * The relay sends such records to the poison DLQ with reason `unparseable-item`.
 *
 * @example
 * try { parseOutboxItem(image); } catch (e) { if (e instanceof UnparseableOutboxItemError) console.log(e.field); }
 */
export class UnparseableOutboxItemError extends OutboxError {
  constructor(
    message: string,
    /** The attribute at fault. */
    readonly field: string,
  ) {
    super(message);
  }
}
