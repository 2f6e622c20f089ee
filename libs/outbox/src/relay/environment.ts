/**
 * Environment variables the relay function reads (set by the `OutboxRelay` construct). Read on the first
 * invocation, never at import time; an option passed to `createRelayHandler` wins over its variable.
 *
 * @example
 * new NodejsFunction(this, 'Relay', { ...nodeFunctionDefaults(), entry, environment: {
 *   [RELAY_ENV.eventBusName]: bus.eventBusName, [RELAY_ENV.poisonQueueUrl]: dlq.queueUrl } });
 */
export const RELAY_ENV = {
  /** Name or ARN of the bus the relay publishes to. Required. */
  eventBusName: 'EVENT_BUS_NAME',
  /** URL of the poison DLQ (SQS). Required. */
  poisonQueueUrl: 'POISON_QUEUE_URL',
  /** Optional: request byte limit (default 262144). */
  maxRequestBytes: 'OUTBOX_MAX_REQUEST_BYTES',
  /** Optional: PutEvents requests in flight at once (default 8). */
  concurrency: 'OUTBOX_PUBLISH_CONCURRENCY',
} as const;
