/**
 * CDK constructs of the consumer kit. Import from `@outboxed/consumer-kit/cdk` in stacks only, never in handlers.
 *
 * @example import { EventConsumer } from '@outboxed/consumer-kit/cdk';
 */
export { EventConsumer } from './construct/event-consumer';
export type { EventConsumerProps, ProducerParameters } from './construct/event-consumer';
export { validateProps as validateEventConsumerProps } from './construct/validate-props';
export { CONSUMER_METRICS, DEFAULT_CONSUMER_METRICS_NAMESPACE } from './environment';
export { ConsumerDashboard } from './construct/consumer-dashboard';
export type { ConsumerDashboardProps } from './construct/consumer-dashboard';
