/**
 * Environment variables the {@link EventConsumer} construct sets on the consumer function and
 * {@link createConsumerHandler} reads: one place, shared by the CDK side and the runtime side.
 *
 * @example process.env[CONSUMER_ENV.idempotencyTableName] = 'EmailConsumer-Idempotency';
 */
export const CONSUMER_ENV = {
  /** Name of the Powertools idempotency table (pk `id`, TTL attribute `expiration`). */
  idempotencyTableName: 'IDEMPOTENCY_TABLE_NAME',
  /** URL of the consumer's dead-letter queue, where invalid events are moved at once. */
  deadLetterQueueUrl: 'DEAD_LETTER_QUEUE_URL',
  /** How long an idempotency record is kept, in seconds. Optional. */
  idempotencyExpiresAfterSeconds: 'IDEMPOTENCY_EXPIRES_AFTER_SECONDS',
} as const;

/**
 * Default lifetime of an idempotency record: 14 days, the longest an SQS message (or its DLQ copy) can live.
 *
 * @example new EventConsumer(this, 'C', { contracts, entry, idempotencyExpiration: Duration.seconds(DEFAULT_IDEMPOTENCY_EXPIRES_AFTER_SECONDS) });
 */
export const DEFAULT_IDEMPOTENCY_EXPIRES_AFTER_SECONDS = 14 * 24 * 60 * 60;
