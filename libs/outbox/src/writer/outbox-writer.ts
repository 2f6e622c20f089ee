import {
  DynamoDBClient,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  type TransactWriteItem,
  type TransactWriteItemsCommandInput,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { monotonicFactory } from 'ulid';
import { InvalidOutboxEventError, OutboxTransactionCanceledError, TransactionLimitError } from '../errors';
import {
  DEFAULT_KEY_ATTRIBUTES,
  DEFAULT_OUTBOX_TTL_SECONDS,
  OUTBOX_SORT_KEY_PREFIX,
  toOutboxAttributes,
  type KeyAttributes,
  type OutboxItem,
} from '../item/outbox-item';
import { dynamoItemSize } from './item-size';

/**
 * Most actions one `TransactWriteItems` may hold (DynamoDB quota).
 *
 * @example
 * if (writes.length + events.length > MAX_TRANSACTION_ITEMS) split();
 */
export const MAX_TRANSACTION_ITEMS = 100;

/**
 * Largest aggregate item size of one `TransactWriteItems`, in bytes (4 MB).
 *
 * @example
 * console.log(MAX_TRANSACTION_BYTES); // 4194304
 */
export const MAX_TRANSACTION_BYTES = 4 * 1024 * 1024;

/**
 * Largest DynamoDB item, in bytes (400 KB).
 *
 * @example
 * if (dynamoItemSize(item) > MAX_ITEM_BYTES) throw new Error('too large');
 */
export const MAX_ITEM_BYTES = 400 * 1024;

/**
 * One domain event to record in the outbox, in the same transaction as the state it describes.
 *
 * @example
 * const event: OutboxEventInput = {
 *   source: USERS_EVENT_SOURCE, type: 'UserCreated', version: 1,
 *   aggregateType: 'User', aggregateId: userId, partitionKey: `USER#${userId}`, sequence: 1,
 *   data: { userId, email, name, createdAt }, correlationId,
 * };
 */
export interface OutboxEventInput {
  /** EventBridge `Source` (the producing service), e.g. `USERS_EVENT_SOURCE` from `@outboxed/contracts`. */
  readonly source: string;
  /** EventBridge `DetailType`, e.g. `'UserCreated'`. */
  readonly type: string;
  /** Integer schema version ≥ 1. */
  readonly version: number;
  /** E.g. `'User'`. */
  readonly aggregateType: string;
  readonly aggregateId: string;
  /** The aggregate's partition key value (e.g. `USER#<userId>`): the outbox item lives there, so the stream keeps the aggregate's order. */
  readonly partitionKey: string;
  /** Integer ≥ 1: the event's position in its aggregate's history. */
  readonly sequence: number;
  /** The event's `data`. */
  readonly data: Readonly<Record<string, unknown>>;
  /** Carried into `metadata.correlationId`. @default the event id */
  readonly correlationId?: string;
  /** ISO 8601. @default the writer's clock */
  readonly occurredAt?: string;
  /**
   * X-Ray trace header the relay passes on as the PutEvents entry's `TraceHeader`.
   * @default the running Lambda invocation's (`_X_AMZN_TRACE_ID`, read at write time); none outside Lambda
   */
  readonly traceHeader?: string;
}

/** Options of {@link createOutboxWriter}. */
export interface OutboxWriterOptions {
  /** The table holding state and outbox items. */
  readonly tableName: string;
  /** Key attribute names. @default `{ partitionKey: 'pk', sortKey: 'sk' }` */
  readonly keys?: KeyAttributes;
  /** Outbox items are deleted by DynamoDB's TTL this many seconds after they are written. @default 604800 (7 days) */
  readonly ttlSeconds?: number;
}

/** Side effects of the writer; tests pass fakes. */
export interface OutboxWriterDeps {
  /** Sends the transaction. @default a `DynamoDBClient` created on first use */
  readonly dynamoDb: Pick<DynamoDBClient, 'send'>;
  /** @default `() => new Date()` */
  readonly now: () => Date;
  /** Event id generator, given the writer's clock time. @default a monotonic ULID factory */
  readonly newEventId: (epochMillis: number) => string;
}

/** A built transaction: the command input and the outbox items it writes. */
export interface OutboxTransaction {
  readonly input: TransactWriteItemsCommandInput;
  /** One per event, in the order given, with their fixed event ids. */
  readonly items: readonly OutboxItem[];
}

/** What {@link OutboxWriter.buildTransaction} and {@link OutboxWriter.write} take. */
export interface OutboxWriteRequest {
  /** The state changes (low-level `TransactWriteItem`s; `marshall` native values). @default none */
  readonly writes?: readonly TransactWriteItem[];
  /** The domain events: each becomes an outbox item in its aggregate's partition. */
  readonly events: readonly OutboxEventInput[];
  /** DynamoDB's idempotency token for the transaction. @default none */
  readonly clientRequestToken?: string;
}

/**
 * Builds and commits transactions that write state and outbox items together (guarantee 1).
 *
 * @example
 * const result = await writer.write({ writes: [{ Put: { TableName, Item: marshall(user) } }], events: [event] });
 * console.log(result.items[0].eventId);
 */
export interface OutboxWriter {
  /** Builds the `TransactWriteItems` input without sending it. Throws {@link TransactionLimitError} past 100 items or 4 MB. */
  buildTransaction(request: OutboxWriteRequest): OutboxTransaction;
  /** Builds and sends the transaction. Throws {@link OutboxTransactionCanceledError} when DynamoDB cancels it (nothing written). */
  write(request: OutboxWriteRequest): Promise<OutboxTransaction>;
}

function validateEvent(event: OutboxEventInput, index: number): void {
  const field = (name: string) => `events[${index}].${name}`;
  for (const name of ['source', 'type', 'aggregateType', 'aggregateId', 'partitionKey'] as const) {
    if (typeof event[name] !== 'string' || event[name].length === 0) {
      throw new InvalidOutboxEventError(
        `${field(name)} must be a non-empty string; received ${JSON.stringify(event[name])}.`,
        field(name),
      );
    }
  }
  for (const name of ['version', 'sequence'] as const) {
    if (!Number.isSafeInteger(event[name]) || event[name] < 1) {
      throw new InvalidOutboxEventError(
        `${field(name)} must be an integer ≥ 1; received ${JSON.stringify(event[name])}.`,
        field(name),
      );
    }
  }
  if (typeof event.data !== 'object' || event.data === null || Array.isArray(event.data)) {
    throw new InvalidOutboxEventError(
      `${field('data')} must be an object (the event's data).`,
      field('data'),
    );
  }
  if (event.occurredAt !== undefined && Number.isNaN(Date.parse(event.occurredAt))) {
    throw new InvalidOutboxEventError(
      `${field('occurredAt')} must be an ISO 8601 instant; received ${JSON.stringify(event.occurredAt)}.`,
      field('occurredAt'),
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

/**
 * Creates an outbox writer: each call turns state writes plus domain events into ONE DynamoDB
 * `TransactWriteItems`, so the state and its events are committed together or not at all. Each event
 * becomes an outbox item (`sk = 'OUTBOX#<eventId>'`, `itemType = 'OUTBOX'`) in its aggregate's partition,
 * with a ULID event id fixed now, a TTL, and a condition that it does not exist yet.
 *
 * @example
 * const writer = createOutboxWriter({ tableName: 'users' }, { dynamoDb: new DynamoDBClient({}) });
 * await writer.write({
 *   writes: [{ Put: { TableName: 'users', Item: marshall({ pk: `USER#${id}`, sk: 'PROFILE', email }) } }],
 *   events: [{ source: USERS_EVENT_SOURCE, type: 'UserCreated', version: 1, aggregateType: 'User',
 *     aggregateId: id, partitionKey: `USER#${id}`, sequence: 1, data: { userId: id, email, name, createdAt } }],
 * });
 */
export function createOutboxWriter(
  options: OutboxWriterOptions,
  deps: Partial<OutboxWriterDeps> = {},
): OutboxWriter {
  const keys = options.keys ?? DEFAULT_KEY_ATTRIBUTES;
  const ttlSeconds = options.ttlSeconds ?? DEFAULT_OUTBOX_TTL_SECONDS;
  if (!options.tableName) {
    throw new InvalidOutboxEventError(
      'tableName must be the name of the table holding the outbox items.',
      'tableName',
    );
  }
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 1) {
    throw new InvalidOutboxEventError(
      `ttlSeconds must be a positive integer number of seconds; received ${JSON.stringify(ttlSeconds)}.`,
      'ttlSeconds',
    );
  }
  const now = deps.now ?? (() => new Date());
  const newEventId = deps.newEventId ?? monotonicFactory();
  let dynamoDb = deps.dynamoDb;

  function buildTransaction(request: OutboxWriteRequest): OutboxTransaction {
    const writes = request.writes ?? [];
    const total = writes.length + request.events.length;
    if (total > MAX_TRANSACTION_ITEMS) {
      throw new TransactionLimitError(
        `A transaction holds at most ${MAX_TRANSACTION_ITEMS} items; this one has ${total} ` +
          `(${writes.length} writes + ${request.events.length} events). Split the change or record fewer events.`,
        'items',
        total,
        MAX_TRANSACTION_ITEMS,
      );
    }
    request.events.forEach(validateEvent);
    const at = now();
    const items = request.events.map((event): OutboxItem => {
      const eventId = newEventId(at.getTime());
      return {
        partitionKey: event.partitionKey,
        sortKey: `${OUTBOX_SORT_KEY_PREFIX}${eventId}`,
        eventId,
        eventType: event.type,
        eventVersion: event.version,
        source: event.source,
        occurredAt: event.occurredAt ?? at.toISOString(),
        aggregateType: event.aggregateType,
        aggregateId: event.aggregateId,
        sequence: event.sequence,
        correlationId: event.correlationId ?? eventId,
        payload: event.data,
        ttl: Math.floor(at.getTime() / 1000) + ttlSeconds,
        ...traceHeaderOf(event),
      };
    });
    const outboxActions: TransactWriteItem[] = items.map((item) => ({
      Put: {
        TableName: options.tableName,
        Item: marshall(toOutboxAttributes(item, keys), { removeUndefinedValues: true }),
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': keys.partitionKey },
      },
    }));
    outboxActions.forEach((action, index) => {
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
    });
    const transactItems = [...writes, ...outboxActions];
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
    const input: TransactWriteItemsCommandInput = {
      TransactItems: transactItems,
      ...(request.clientRequestToken ? { ClientRequestToken: request.clientRequestToken } : {}),
    };
    return { input, items };
  }

  async function write(request: OutboxWriteRequest): Promise<OutboxTransaction> {
    const transaction = buildTransaction(request);
    dynamoDb ??= new DynamoDBClient({});
    try {
      await dynamoDb.send(new TransactWriteItemsCommand(transaction.input));
    } catch (error) {
      if (
        error instanceof TransactionCanceledException ||
        (error as Error | undefined)?.name === 'TransactionCanceledException'
      ) {
        const reasons = (error as TransactionCanceledException).CancellationReasons ?? [];
        const codes = reasons.map((r, i) => `${i}:${r.Code ?? 'None'}`).join(', ');
        throw new OutboxTransactionCanceledError(
          `DynamoDB cancelled the transaction, nothing was written (reasons by action index: ${codes || 'none given'}). ` +
            'Actions are the writes in the order given, then one outbox item per event.',
          reasons,
          { cause: error },
        );
      }
      throw error;
    }
    return transaction;
  }

  return { buildTransaction, write };
}

/** The trace header an event's outbox item carries: the event's own, else the running Lambda invocation's. */
function traceHeaderOf(event: OutboxEventInput): { traceHeader?: string } {
  const traceHeader = event.traceHeader ?? process.env['_X_AMZN_TRACE_ID'];
  return traceHeader ? { traceHeader } : {};
}
