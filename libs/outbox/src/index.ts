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
export { createOutboxWriter, MAX_TRANSACTION_ITEMS, MAX_TRANSACTION_BYTES } from './writer/outbox-writer';
export type {
  OutboxEventInput,
  OutboxWriterOptions,
  OutboxWriterDeps,
  OutboxTransaction,
  OutboxWriteRequest,
  OutboxWriter,
} from './writer/outbox-writer';
export { dynamoItemSize, attributeValueSize } from './writer/item-size';
