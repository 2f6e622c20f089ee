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

/**
 * Default Powertools metrics namespace of every consumer (`POWERTOOLS_METRICS_NAMESPACE`); each consumer's metrics
 * carry its name in the `service` dimension.
 *
 * @example new Metric({ namespace: DEFAULT_CONSUMER_METRICS_NAMESPACE, metricName: CONSUMER_METRICS.applied, dimensionsMap: { service: 'audit-consumer' } });
 */
export const DEFAULT_CONSUMER_METRICS_NAMESPACE = 'Outboxed/Consumers';

/**
 * Metrics every consumer emits (Powertools EMF, one count per record), which its construct's alarms and dashboards read.
 *
 * @example consumer.metric(CONSUMER_METRICS.failed)
 */
export const CONSUMER_METRICS = {
  /** The event's effect was applied. */
  applied: 'EventsApplied',
  /** The event had already been applied: the stored result was returned. */
  duplicate: 'DuplicateEvents',
  /** The event is invalid: moved to the dead-letter queue, never retried. */
  rejected: 'EventsRejected',
  /** The effect failed: the record is reported for retry. */
  failed: 'EventsFailed',
  /** A dead invocation's in-progress mark was retaken: its external effect may have been applied twice. */
  possibleDuplicate: 'PossibleDuplicate',
} as const;
