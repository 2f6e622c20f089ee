// The public face of @outboxed/outbox: the writer a producer commits through, the relay and redrive handlers its
// Lambda functions export, and what their configuration and operation need. Runtime only: no aws-cdk-lib here, so
// Lambda bundles stay small (the construct is `@outboxed/outbox/cdk`; test helpers are `@outboxed/outbox/testing`).
// Each name carries a TSDoc example where it is defined. The types of the factories' options and of the values
// they take (OutboxWriterOptions, OutboxWriteRequest, OutboxEvent, RelayOptions, …) are not re-exported: callers pass
// them inline, and `Parameters<typeof createRelayHandler>[0]` names one where needed.
export {
  OutboxError,
  TransactionLimitError,
  InvalidOutboxEventError,
  InvalidOutboxWriteError,
  RelayConfigurationError,
} from './errors';
export { createOutboxWriter, OUTBOX_TTL_ATTRIBUTE } from './writer/outbox-writer';
export type { OutboxWriter, OutboxWriterDeps } from './writer/outbox-writer';
export { outboxEvent } from './writer/outbox-event';
export type { OutboxEventData } from './writer/outbox-event';
export type { NamedWrite } from './writer/transaction';
export type { OutboxWriteOutcome } from './writer/outcome';
export { describeCancellations } from './writer/outcome';
export { createRelayHandler, RELAY_METRICS } from './relay/relay-handler';
export { RELAY_ENV } from './relay/environment';
export type { ContractResolver } from './relay/contract-resolver';
export { createRedriveHandler } from './redrive/handler';
export { REDRIVE_ENV } from './redrive/env';
export { parseOnFailureRecord } from './redrive/on-failure-record';
