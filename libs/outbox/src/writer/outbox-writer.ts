import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { monotonicFactory } from 'ulid';
import { InvalidOutboxEventError } from '../errors';
import {
  DEFAULT_KEY_ATTRIBUTES,
  DEFAULT_OUTBOX_TTL_SECONDS,
  OUTBOX_ATTRIBUTES,
  type KeyAttributes,
} from '../item/outbox-item';
import { toEventDetail } from '../relay/map-record';
import type { OutboxEvent } from './outbox-event';
import { toOutcome, type OutboxWriteOutcome } from './outcome';
import { sendTransaction, type TransactionRetry } from './send';
import {
  buildOutboxTransaction,
  eventItemName,
  type OutboxTransaction,
  type OutboxWriteRequest,
} from './transaction';

/**
 * The attribute the outbox keeps each item's expiry in (epoch seconds): the writer writes it, the relay and
 * redrive read it. The table's `TimeToLiveAttribute` must be this one, so a table takes it from here.
 *
 * @example
 * new Table(this, 'Table', { partitionKey, sortKey, timeToLiveAttribute: OUTBOX_TTL_ATTRIBUTE });
 */
export const OUTBOX_TTL_ATTRIBUTE = OUTBOX_ATTRIBUTES.ttl;

/**
 * Options of {@link createOutboxWriter}.
 *
 * @example
 * const options: OutboxWriterOptions = { tableName: 'users', keys: { partitionKey: 'pk', sortKey: 'sk' } };
 */
export interface OutboxWriterOptions {
  /** The table holding state and outbox items. */
  readonly tableName: string;
  /** The table's key attribute names: pass the table's own, so renaming them there reaches the writer. @default `{ partitionKey: 'pk', sortKey: 'sk' }` */
  readonly keys?: KeyAttributes;
  /** Outbox items are deleted by DynamoDB's TTL this many seconds after they are written. @default 604800 (7 days) */
  readonly ttlSeconds?: number;
  /** Retries of a transaction cancelled by `TransactionConflict`s. @default 3 attempts, full jitter from 50 ms, capped at 1 s */
  readonly retry?: Partial<TransactionRetry>;
}

/**
 * Side effects of the writer; tests pass fakes.
 *
 * @example
 * createOutboxWriter({ tableName }, { dynamoDb, now: () => NOW, sleep: async () => undefined });
 */
export interface OutboxWriterDeps {
  /** Sends the transaction. @default a `DynamoDBClient` created on first use */
  readonly dynamoDb: Pick<DynamoDBClient, 'send'>;
  /** @default `() => new Date()` */
  readonly now: () => Date;
  /** Event id generator, given the writer's clock time. @default a monotonic ULID factory */
  readonly newEventId: (epochMillis: number) => string;
  /** Waits between attempts after a `TransactionConflict`. @default `setTimeout` */
  readonly sleep: (ms: number) => Promise<void>;
  /** A uniform number in [0, 1) for the backoff's jitter. @default `Math.random` */
  readonly random: () => number;
}

/**
 * Builds and commits transactions that write state and outbox items together (guarantee 1).
 *
 * @example
 * const outcome = await writer.write({ writes: [{ name: 'user', write: userPut }], events: [event] });
 * if (outcome.outcome === 'written') console.log(outcome.items[0]?.eventId);
 */
export interface OutboxWriter {
  /** Builds the `TransactWriteItems` input without sending it. Throws {@link TransactionLimitError} past 100 items or 4 MB. */
  buildTransaction<TName extends string>(request: OutboxWriteRequest<TName>): OutboxTransaction<TName>;
  /**
   * Builds the transaction, checks each event's `detail` against its contract, sends it (retrying conflicts) and
   * names the outcome. Throws what `buildTransaction` throws, and SDK errors other than a cancellation.
   */
  write<TName extends string>(request: OutboxWriteRequest<TName>): Promise<OutboxWriteOutcome<TName>>;
}

const DEFAULT_RETRY: TransactionRetry = { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 1_000 };

/**
 * Creates an outbox writer: each call turns named state writes plus domain events into ONE DynamoDB
 * `TransactWriteItems`, so the state and its events are committed together or not at all. Each event
 * becomes an outbox item (`sk = 'OUTBOX#<eventId>'`, `itemType = 'OUTBOX'`) in its aggregate's partition,
 * with a ULID event id fixed now, a TTL, and a condition that it does not exist yet.
 *
 * @example
 * const writer = createOutboxWriter({ tableName: 'users', keys: TABLE_KEYS }, { dynamoDb: new DynamoDBClient({}) });
 * const outcome = await writer.write({
 *   writes: [{ name: 'user', write: { Put: { TableName: 'users', Item: marshall(userItem), ConditionExpression } } }],
 *   events: [outboxEvent(userCreated, { userId: id, email, name, createdAt }, {
 *     aggregateType: 'User', aggregateId: id, partitionKey: `USER#${id}`, sequence: 1 })],
 * });
 * if (outcome.outcome === 'condition-failed' && outcome.item === 'user') console.log('user exists');
 */
export function createOutboxWriter(
  options: OutboxWriterOptions,
  deps: Partial<OutboxWriterDeps> = {},
): OutboxWriter {
  const settings = writerSettings(options);
  const now = deps.now ?? (() => new Date());
  const newEventId = deps.newEventId ?? monotonicFactory();
  let dynamoDb = deps.dynamoDb;

  const buildTransaction = <TName extends string>(request: OutboxWriteRequest<TName>) =>
    buildOutboxTransaction(request, { ...settings, at: now(), newEventId });

  async function write<TName extends string>(
    request: OutboxWriteRequest<TName>,
  ): Promise<OutboxWriteOutcome<TName>> {
    const transaction = buildTransaction(request);
    const invalid = contractViolations(request.events, transaction);
    if (invalid) return invalid;
    dynamoDb ??= new DynamoDBClient({});
    const result = await sendTransaction(transaction, settings.retry, {
      dynamoDb,
      sleep: deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      random: deps.random ?? Math.random,
    });
    return toOutcome(transaction, result);
  }

  return { buildTransaction, write };
}

/** The options with their defaults, checked. */
function writerSettings(options: OutboxWriterOptions) {
  const ttlSeconds = options.ttlSeconds ?? DEFAULT_OUTBOX_TTL_SECONDS;
  const retry = { ...DEFAULT_RETRY, ...options.retry };
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
  if (!Number.isSafeInteger(retry.maxAttempts) || retry.maxAttempts < 1) {
    throw new InvalidOutboxEventError(
      `retry.maxAttempts must be an integer ≥ 1 (sends of one transaction); received ${JSON.stringify(retry.maxAttempts)}.`,
      'retry.maxAttempts',
    );
  }
  return {
    tableName: options.tableName,
    keys: options.keys ?? DEFAULT_KEY_ATTRIBUTES,
    ttlSeconds,
    retry,
  };
}

/** The first event whose `detail` (as the relay will publish it) breaks its contract, as an outcome. */
function contractViolations<TName extends string>(
  events: readonly OutboxEvent[],
  transaction: OutboxTransaction<TName>,
): OutboxWriteOutcome<TName> | undefined {
  for (const [index, event] of events.entries()) {
    const item = transaction.items[index];
    const violations = item ? event.contract.validateDetail(toEventDetail(item)) : [];
    if (violations.length > 0) return { outcome: 'invalid-event', item: eventItemName(index), violations };
  }
  return undefined;
}
