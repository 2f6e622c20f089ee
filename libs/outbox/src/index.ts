// The public face of @outboxed/outbox: the writer a producer commits through, the relay and redrive handlers its
// Lambda functions export, and what their configuration and operation need. Runtime only: no aws-cdk-lib here, so
// Lambda bundles stay small (the construct is `@outboxed/outbox/cdk`; test helpers are `@outboxed/outbox/testing`).
// Each name carries a TSDoc example where it is defined.
export {
  OutboxError,
  TransactionLimitError,
  InvalidOutboxEventError,
  InvalidOutboxWriteError,
  RelayConfigurationError,
} from './errors';
export { createOutboxWriter, OUTBOX_TTL_ATTRIBUTE } from './writer/outbox-writer';
export type { OutboxWriter, OutboxWriterOptions, OutboxWriterDeps } from './writer/outbox-writer';
export { outboxEvent } from './writer/outbox-event';
export type { OutboxEvent, OutboxEventContract, OutboxEventData } from './writer/outbox-event';
export type { NamedWrite, OutboxWriteRequest } from './writer/transaction';
export type { OutboxWriteOutcome } from './writer/outcome';
export { describeCancellations } from './writer/outcome';
export type { KeyAttributes } from './item/outbox-item';
export { createRelayHandler, RELAY_METRICS } from './relay/relay-handler';
export type { RelayOptions } from './relay/relay-handler';
export { RELAY_ENV } from './relay/environment';
export type { ContractResolver } from './relay/contract-resolver';
export { createRedriveHandler } from './redrive/handler';
export type { RedriveHandlerOptions } from './redrive/handler';
export { REDRIVE_ENV } from './redrive/env';
export { parseOnFailureRecord } from './redrive/on-failure-record';
export type { OnFailureRecord } from './redrive/on-failure-record';
