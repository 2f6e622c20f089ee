/**
 * Runtime API of the consumer kit (no aws-cdk-lib: safe in Lambda bundles). The construct is in `./cdk`.
 *
 * @example import { createConsumerHandler } from '@outboxed/consumer-kit';
 */
export { createConsumerHandler, IDEMPOTENCY_KEY_PATH } from './handler/create-consumer-handler';
export type {
  ConsumerHandler,
  ConsumerHandlerDeps,
  ConsumerHandlerOptions,
  RecordContext,
} from './handler/create-consumer-handler';
export { checkRecord } from './handler/check-record';
export type { CheckedEvent, ConsumerEvent, SubscribedEvent } from './handler/check-record';
export { REJECTION_ATTRIBUTES } from './handler/dead-letter';
export {
  CONSUMER_ENV,
  CONSUMER_METRICS,
  DEFAULT_CONSUMER_METRICS_NAMESPACE,
  DEFAULT_IDEMPOTENCY_EXPIRES_AFTER_SECONDS,
} from './environment';
export {
  ConsumerConfigurationError,
  ConsumerError,
  DeadLetterSendError,
  EventConsumerPropsError,
  InvalidEventError,
} from './errors';
export type { RejectionReason } from './errors';
