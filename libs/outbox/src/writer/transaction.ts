import type { TransactWriteItem, TransactWriteItemsCommandInput } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { InvalidOutboxWriteError, TransactionLimitError } from '../errors';
import {
  OUTBOX_SORT_KEY_PREFIX,
  toOutboxAttributes,
  type KeyAttributes,
  type OutboxItem,
} from '../item/outbox-item';
import { validateEvent, type OutboxEvent } from './outbox-event';
import { dynamoItemSize } from './item-size';

/** Most actions one `TransactWriteItems` may hold (DynamoDB quota). */
export const MAX_TRANSACTION_ITEMS = 100;
/** Largest aggregate item size of one `TransactWriteItems`, in bytes (4 MB). */
export const MAX_TRANSACTION_BYTES = 4 * 1024 * 1024;
/** Largest DynamoDB item, in bytes (400 KB). */
export const MAX_ITEM_BYTES = 400 * 1024;

/**
 * The name the writer gives the outbox item of the event at that index of `events`, e.g. `events[0]`.
 *
 * @example
 * if (outcome.outcome === 'condition-failed' && outcome.item === 'events[0]') console.log('event id taken');
 */
export type OutboxEventItemName = `events[${number}]`;

/**
 * A state change of the transaction, named by the caller, so a cancellation is reported by that name
 * (`{ outcome: 'condition-failed', item: 'email' }`) instead of by position.
 *
 * @example
 * const write: NamedWrite<'user'> = { name: 'user', write: { Put: { TableName, Item: marshall(user) } } };
 */
export interface NamedWrite<TName extends string = string> {
  /** The item's role in the transaction, unique within it, e.g. `'email'`. */
  readonly name: TName;
  /** The low-level `TransactWriteItem` (`marshall` native values). */
  readonly write: TransactWriteItem;
}

/**
 * What {@link OutboxWriter.buildTransaction} and {@link OutboxWriter.write} take.
 *
 * @example
 * const request: OutboxWriteRequest<'user'> = { writes: [{ name: 'user', write: userPut }], events: [event] };
 */
export interface OutboxWriteRequest<TName extends string = string> {
  /** The state changes, in the order they are sent. @default none */
  readonly writes?: readonly NamedWrite<TName>[];
  /** The domain events: each becomes an outbox item in its aggregate's partition, named `events[<index>]`. */
  readonly events: readonly OutboxEvent[];
  /** DynamoDB's idempotency token for the transaction. @default none */
  readonly clientRequestToken?: string;
}

/**
 * A built transaction: the command input, the outbox items it writes and the name of each of its actions.
 *
 * @example
 * const { input, items, names } = writer.buildTransaction(request); // names: ['user', 'events[0]']
 */
export interface OutboxTransaction<TName extends string = string> {
  readonly input: TransactWriteItemsCommandInput;
  /** One per event, in the order given, with their fixed event ids. */
  readonly items: readonly OutboxItem[];
  /** The name of each action of `input.TransactItems`, in the same order: the writes' names, then `events[i]`. */
  readonly names: readonly (TName | OutboxEventItemName)[];
}

/** What a transaction is built against: the table, its key attributes, the clock's reading and the event ids. */
export interface TransactionContext {
  readonly tableName: string;
  readonly keys: KeyAttributes;
  readonly ttlSeconds: number;
  readonly at: Date;
  readonly newEventId: (epochMillis: number) => string;
}

/** Builds the `TransactWriteItems` input of a request, checking DynamoDB's limits before anything is sent. */
export function buildOutboxTransaction<TName extends string>(
  request: OutboxWriteRequest<TName>,
  context: TransactionContext,
): OutboxTransaction<TName> {
  const writes = request.writes ?? [];
  checkItemCount(writes.length, request.events.length);
  checkUniqueNames(writes);
  request.events.forEach(validateEvent);
  const items = request.events.map((event) => toOutboxItem(event, context));
  const outboxActions = items.map((item, index) => outboxPut(item, index, context));
  const transactItems = [...writes.map(({ write }) => write), ...outboxActions];
  checkTransactionBytes(transactItems);
  return {
    input: {
      TransactItems: transactItems,
      ...(request.clientRequestToken ? { ClientRequestToken: request.clientRequestToken } : {}),
    },
    items,
    names: [...writes.map(({ name }) => name), ...items.map((_, index) => eventItemName(index))],
  };
}

/** The name of the outbox item of `events[index]`. */
export function eventItemName(index: number): OutboxEventItemName {
  return `events[${index}]`;
}

function checkItemCount(writes: number, events: number): void {
  const total = writes + events;
  if (total > MAX_TRANSACTION_ITEMS) {
    throw new TransactionLimitError(
      `A transaction holds at most ${MAX_TRANSACTION_ITEMS} items; this one has ${total} ` +
        `(${writes} writes + ${events} events). Split the change or record fewer events.`,
      'items',
      total,
      MAX_TRANSACTION_ITEMS,
    );
  }
}

function checkUniqueNames(writes: readonly NamedWrite[]): void {
  const seen = new Set<string>();
  for (const [index, { name }] of writes.entries()) {
    if (typeof name !== 'string' || name.length === 0 || seen.has(name) || name.startsWith('events[')) {
      throw new InvalidOutboxWriteError(
        `writes[${index}].name must be a non-empty name used once per transaction and not starting with "events[" ` +
          `(the writer names outbox items so); received ${JSON.stringify(name)}. Give each write its own role name.`,
        `writes[${index}].name`,
      );
    }
    seen.add(name);
  }
}

function toOutboxItem(event: OutboxEvent, context: TransactionContext): OutboxItem {
  const eventId = context.newEventId(context.at.getTime());
  const traceHeader = event.traceHeader ?? process.env['_X_AMZN_TRACE_ID'];
  return {
    partitionKey: event.partitionKey,
    sortKey: `${OUTBOX_SORT_KEY_PREFIX}${eventId}`,
    eventId,
    eventType: event.contract.detailType,
    eventVersion: event.contract.version,
    source: event.contract.source,
    occurredAt: event.occurredAt ?? context.at.toISOString(),
    aggregateType: event.aggregateType,
    aggregateId: event.aggregateId,
    sequence: event.sequence,
    correlationId: event.correlationId ?? eventId,
    payload: event.data as Readonly<Record<string, unknown>>,
    ttl: Math.floor(context.at.getTime() / 1000) + context.ttlSeconds,
    ...(traceHeader ? { traceHeader } : {}),
  };
}

function outboxPut(item: OutboxItem, index: number, context: TransactionContext): TransactWriteItem {
  const action: TransactWriteItem = {
    Put: {
      TableName: context.tableName,
      Item: marshall(toOutboxAttributes(item, context.keys), { removeUndefinedValues: true }),
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': context.keys.partitionKey },
    },
  };
  const size = actionSize(action);
  if (size > MAX_ITEM_BYTES) {
    throw new TransactionLimitError(
      `events[${index}] makes an outbox item of ${size} bytes; a DynamoDB item may have at most ${MAX_ITEM_BYTES} bytes (400 KB). ` +
        'Make the payload smaller (store large documents in S3 and reference them).',
      'itemBytes',
      size,
      MAX_ITEM_BYTES,
    );
  }
  return action;
}

function checkTransactionBytes(transactItems: readonly TransactWriteItem[]): void {
  const bytes = transactItems.reduce((sum, action) => sum + actionSize(action), 0);
  if (bytes > MAX_TRANSACTION_BYTES) {
    throw new TransactionLimitError(
      `A transaction's items may total at most ${MAX_TRANSACTION_BYTES} bytes (4 MB); this one has ${bytes} bytes ` +
        'by DynamoDB item-size rules. Make payloads smaller (store large documents in S3 and reference them) or split the change.',
      'bytes',
      bytes,
      MAX_TRANSACTION_BYTES,
    );
  }
}

/** Size counted for one transaction action: the item of a Put, the key (and values) of the others. */
function actionSize(action: TransactWriteItem): number {
  if (action.Put?.Item) return dynamoItemSize(action.Put.Item);
  if (action.Update) {
    return (
      dynamoItemSize(action.Update.Key ?? {}) + dynamoItemSize(action.Update.ExpressionAttributeValues ?? {})
    );
  }
  if (action.Delete) return dynamoItemSize(action.Delete.Key ?? {});
  if (action.ConditionCheck) return dynamoItemSize(action.ConditionCheck.Key ?? {});
  return 0;
}
