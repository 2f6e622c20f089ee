// Public API of @outboxed/outbox (runtime only: no aws-cdk-lib here, so Lambda bundles stay small).
export {
  OutboxError,
  TransactionLimitError,
  InvalidOutboxEventError,
  OutboxTransactionCanceledError,
  RelayConfigurationError,
  UnparseableOutboxItemError,
} from './errors';
export {
  OUTBOX_ITEM_TYPE,
  OUTBOX_SORT_KEY_PREFIX,
  OUTBOX_ATTRIBUTES,
  OUTBOX_STREAM_FILTER,
  DEFAULT_KEY_ATTRIBUTES,
  DEFAULT_OUTBOX_TTL_SECONDS,
  toOutboxAttributes,
  parseOutboxItem,
} from './item/outbox-item';
export type { KeyAttributes, OutboxItem } from './item/outbox-item';
export {
  createOutboxWriter,
  MAX_TRANSACTION_ITEMS,
  MAX_TRANSACTION_BYTES,
  MAX_ITEM_BYTES,
} from './writer/outbox-writer';
export type {
  OutboxEventInput,
  OutboxWriterOptions,
  OutboxWriterDeps,
  OutboxTransaction,
  OutboxWriteRequest,
  OutboxWriter,
} from './writer/outbox-writer';
export { dynamoItemSize, attributeValueSize } from './writer/item-size';
export { createRelayHandler, RELAY_METRICS } from './relay/relay-handler';
export type {
  RelayOptions,
  RelayDeps,
  RelayLogger,
  RelayMetrics,
  RelayContext,
  RelayHandler,
} from './relay/relay-handler';
export { publishInOrder } from './relay/publish-in-order';
export type {
  OrderedEntry,
  EntryOutcome,
  PublishResult,
  PublishOptions,
  PublishDeps,
} from './relay/publish-in-order';
export { mapOutboxRecord, toEventDetail, aggregateOrderingKey } from './relay/map-record';
export type { MappedRecord, MapRecordOptions, OutboxEventDetail, PoisonReason } from './relay/map-record';
export { resolveContract } from './relay/contract-resolver';
export type {
  ContractResolver,
  ContractCatalogLike,
  CatalogContract,
  ContractSource,
  ResolvedContract,
  ContractViolationLike,
} from './relay/contract-resolver';
export { putEventsEntrySize, MAX_PUT_EVENTS_ENTRIES, DEFAULT_MAX_REQUEST_BYTES } from './relay/entry-size';
export {
  RETRYABLE_ENTRY_ERROR_CODES,
  POISON_ENTRY_ERROR_CODES,
  isRetryableRequestError,
  fullJitterDelay,
} from './relay/retry';
export {
  POISON_MESSAGE_ATTRIBUTES,
  DEFAULT_POISON_MESSAGE_MAX_BYTES,
  buildPoisonMessage,
  sendPoisonMessage,
  tableNameFromStreamArn,
} from './relay/poison';
export type { PoisonMessage } from './relay/poison';
export { RELAY_ENV } from './relay/environment';
export { traceInvocation } from './relay/tracing';
export type { InvocationTracer } from './relay/tracing';

// Part 2: change-data-capture mode and redrive (the CDK construct is in ./cdk).
export { createChangeDataCaptureHandler } from './cdc/cdc-handler';
export type {
  ChangeEvent,
  ChangeMapper,
  ChangeDataCaptureOptions,
  ChangeDataCaptureDeps,
} from './cdc/cdc-handler';
export { toChangeRecord, ChangeRecordError, TTL_PRINCIPAL_ID } from './cdc/change-record';
export type { ChangeRecord } from './cdc/change-record';
export { redrive } from './redrive/redrive';
export type { RedriveOptions, RedriveDeps } from './redrive/redrive';
export type {
  RedriveReport,
  RepublishedEvent,
  SkippedEvent,
  FailedEvent,
  SkipReason,
  RedriveOrigin,
  QueueCounts,
} from './redrive/report';
export { createRedriveHandler } from './redrive/handler';
export type { RedriveInvocation, RedriveHandlerOptions } from './redrive/handler';
export { REDRIVE_ENV } from './redrive/env';
export { REDRIVEN_AT_ATTRIBUTE } from './redrive/outbox-table';
export { parseOnFailureRecord, onFailureRecordSchema } from './redrive/on-failure-record';
export type { OnFailureRecord, StreamBatchInfo } from './redrive/on-failure-record';
export { readStreamRange } from './redrive/stream-range';
export type { StreamRangeResult, ReadStreamRangeOptions } from './redrive/stream-range';
export { findMissing, idempotencyKeyOf } from './reconcile/find-missing';
export type { CommittedEvent, ConsumerEffects, MissingReport } from './reconcile/find-missing';
export { reconcile, parseReconcileArgs, formatReport } from './reconcile/cli';
export type { ReconcileCommand } from './reconcile/cli';
