import type { ContractViolation } from '@outboxed/contracts';

/**
 * Base class of every error the consumer kit throws.
 *
 * @example if (error instanceof ConsumerError) logger.error(error.message);
 */
export class ConsumerError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A required environment variable of the consumer function is missing or malformed.
 *
 * @example throw new ConsumerConfigurationError('IDEMPOTENCY_TABLE_NAME', undefined, 'a table name');
 */
export class ConsumerConfigurationError extends ConsumerError {
  constructor(
    readonly variable: string,
    received: string | undefined,
    allowed: string,
  ) {
    super(
      `Environment variable ${variable} is ${received === undefined ? 'not set' : `"${received}"`}; ` +
        `expected ${allowed}. Deploy the function with the EventConsumer construct, which sets it, or pass it in deps.env.`,
    );
  }
}

/**
 * Why a record was rejected as invalid: the reason sent with it to the dead-letter queue.
 *
 * @example if (error.reason === 'UnsupportedEvent') logger.warn('redrive after deploying the new version');
 */
export type RejectionReason = 'NotJson' | 'NotAnEvent' | 'UnsupportedEvent' | 'ContractViolation';

/**
 * An SQS record that is not a valid event of the consumer's contracts. It is never retried:
 * the kit moves it to the dead-letter queue at once.
 *
 * @example
 * const error = new InvalidEventError('ContractViolation', 'UserCreated v1 violates its contract', violations);
 * error.violations.map((v) => v.path); // ['/detail/data/email']
 */
export class InvalidEventError extends ConsumerError {
  constructor(
    readonly reason: RejectionReason,
    message: string,
    readonly violations: readonly ContractViolation[] = [],
  ) {
    super(message);
  }
}

/**
 * Moving an invalid record to the dead-letter queue failed; the record is reported as a batch item
 * failure instead, so SQS redelivers it and the move is tried again.
 *
 * @example throw new DeadLetterSendError(queueUrl, messageId, { cause: error });
 */
export class DeadLetterSendError extends ConsumerError {
  constructor(queueUrl: string, messageId: string, options: { cause: unknown }) {
    super(
      `Could not move invalid message ${messageId} to the dead-letter queue ${queueUrl}: ${String(
        options.cause instanceof Error ? options.cause.message : options.cause,
      )}. The message stays in its queue and is retried; check the function's sqs:SendMessage permission on that queue.`,
      options,
    );
  }
}

/**
 * A property of the `EventConsumer` construct is out of range; thrown at synth.
 *
 * @example throw new EventConsumerPropsError('batchSize', '0', 'a whole number from 1 to 10');
 */
export class EventConsumerPropsError extends ConsumerError {
  constructor(
    readonly prop: string,
    received: string,
    allowed: string,
    action = `set ${prop} within that range or leave it out for the default`,
  ) {
    super(`EventConsumer prop ${prop} is ${received}; allowed: ${allowed}. To fix: ${action}.`);
  }
}
