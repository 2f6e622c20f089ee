// The public face of @outboxed/outbox: the writer a producer commits through, the relay and redrive handlers its
// Lambda functions export, and what their configuration and operation need. Runtime only: no aws-cdk-lib here, so
// Lambda bundles stay small (the construct is `@outboxed/outbox/cdk`; test helpers are `@outboxed/outbox/testing`).
// Each name carries a TSDoc example where it is defined.
export {
  OutboxError,
  TransactionLimitError,
  InvalidOutboxEventError,
  OutboxTransactionCanceledError,
  RelayConfigurationError,
} from './errors';
export { createOutboxWriter } from './writer/outbox-writer';
export type {
  OutboxEventInput,
  OutboxWriteRequest,
  OutboxWriter,
  OutboxWriterOptions,
} from './writer/outbox-writer';
export { createRelayHandler, RELAY_METRICS } from './relay/relay-handler';
export type { RelayOptions } from './relay/relay-handler';
export { RELAY_ENV } from './relay/environment';
export { toEventDetail } from './relay/map-record';
export type { ContractResolver } from './relay/contract-resolver';
export { traceInvocation } from './relay/tracing';
export { createRedriveHandler } from './redrive/handler';
export type { RedriveHandlerOptions } from './redrive/handler';
export { REDRIVE_ENV } from './redrive/env';
export { parseOnFailureRecord } from './redrive/on-failure-record';
export type { OnFailureRecord } from './redrive/on-failure-record';
