import { createHash } from 'node:crypto';
import {
  GetItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  type CancellationReason,
  type DynamoDBClient,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { toEventDetail, type OutboxWriter } from '@outboxed/outbox';
import type { ContractViolation } from '@outboxed/contracts';
import { userCreatedPublications, type UserCreatedPublication } from '../../contract-publications';
import { CREATE_USER_FIELDS, type CreateUserRequest } from '../../domain/create-user-request';
import type { FieldError } from '../../domain/field-error';
import { newUser, type User } from '../../domain/user';
import { UserWriteError } from '../../errors';
import {
  emailKey,
  idempotencyKey,
  ITEM_TYPES,
  TABLE_KEYS,
  TTL_ATTRIBUTE,
  userKey,
  userPartition,
} from '../../table/keys';

/**
 * Aggregate type of a user in outbox items.
 *
 * @example { aggregateType: USER_AGGREGATE_TYPE, aggregateId: user.id }
 */
export const USER_AGGREGATE_TYPE = 'User';
/**
 * How long an idempotency record answers retries (24 hours), unless configured.
 *
 * @example idempotencyTtlSeconds: DEFAULT_IDEMPOTENCY_TTL_SECONDS
 */
export const DEFAULT_IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
/**
 * Attempts of the transaction when DynamoDB cancels it for a `TransactionConflict` (a concurrent transaction on
 * the same items).
 *
 * @example for (let attempt = 1; attempt <= MAX_TRANSACTION_ATTEMPTS; attempt += 1) …
 */
export const MAX_TRANSACTION_ATTEMPTS = 3;

/** What {@link createUser} needs from the outside world; the API handler passes production values. */
export interface CreateUserDeps {
  readonly dynamoDb: Pick<DynamoDBClient, 'send'>;
  readonly tableName: string;
  /** libs/outbox's writer for this table: it turns the user writes plus the UserCreated event into one transaction. */
  readonly outboxWriter: Pick<OutboxWriter, 'buildTransaction'>;
  readonly now: () => Date;
  /** Generates user ids (ULIDs). */
  readonly newUserId: () => string;
  /** Lifetime of idempotency records, in seconds. */
  readonly idempotencyTtlSeconds: number;
  /** Waits between transaction attempts after a `TransactionConflict`. */
  readonly sleep: (ms: number) => Promise<void>;
  /** The events written with each user (both majors during a breaking change's window). @default userCreatedPublications */
  readonly publications?: readonly UserCreatedPublication[];
}

/** One `POST /users`: the validated body, its correlation id and, when given, its idempotency key. */
export interface CreateUserCommand {
  readonly request: CreateUserRequest;
  readonly correlationId: string;
  readonly idempotencyKey?: string;
}

/**
 * What {@link createUser} did. `created` and `replayed` carry the answer to send; the others say why nothing
 * was written.
 *
 * @example if (outcome.kind === 'email-taken') return conflict();
 */
export type CreateUserOutcome =
  | { readonly kind: 'created'; readonly user: User; readonly eventId: string }
  | { readonly kind: 'replayed'; readonly statusCode: number; readonly body: unknown }
  | { readonly kind: 'email-taken' }
  | { readonly kind: 'idempotency-key-reused' }
  | { readonly kind: 'invalid'; readonly errors: readonly FieldError[] };

/** The answer stored in an idempotency record and replayed to retries. */
interface StoredResponse {
  readonly statusCode: number;
  readonly body: unknown;
}

/**
 * Creates a user: ONE `TransactWriteItems` built by libs/outbox's writer puts, in this order,
 * the idempotency record (when an `Idempotency-Key` was sent), the email-uniqueness item, the user item and one
 * outbox item per publication (the latest UserCreated; both majors during a breaking change's window) — each with `attribute_not_exists`, so an email already registered or a reused key
 * cancels the whole transaction and nothing is written (guarantees 1 and 6). The event's detail is validated
 * against the published contract before anything is sent, built by the relay's own `toEventDetail`, so what is
 * validated is what will be published.
 *
 * Idempotency lives in the same transaction rather than in Powertools' idempotency utility: its record is
 * committed if and only if the user is, so a retry always finds either nothing (and creates the user) or the
 * exact first answer; a separate idempotency store can be left `INPROGRESS`, or expire, after the user was
 * committed, and the retry would then get a 409 instead of the original 201.
 *
 * @example
 * const outcome = await createUser({ request, correlationId }, deps);
 * if (outcome.kind === 'created') console.log(outcome.user.id);
 */
export async function createUser(
  command: CreateUserCommand,
  deps: CreateUserDeps,
): Promise<CreateUserOutcome> {
  const now = deps.now();
  const user = newUser(command.request, deps.newUserId(), now);
  const response: StoredResponse = { statusCode: 201, body: user };
  const requestHash = fingerprint(command.request);
  const writes: TransactWriteItem[] = [
    ...(command.idempotencyKey === undefined
      ? []
      : [
          idempotencyPut(
            deps.tableName,
            command.idempotencyKey,
            requestHash,
            response,
            now,
            deps.idempotencyTtlSeconds,
          ),
        ]),
    emailPut(deps.tableName, user),
    userPut(deps.tableName, user),
  ];
  const publications = deps.publications ?? userCreatedPublications;
  const transaction = deps.outboxWriter.buildTransaction({
    writes,
    // one event per publication, all in the user's transaction: during a breaking change's window both majors
    events: publications.map(({ contract, data }) => ({
      source: contract.source,
      type: contract.detailType,
      version: contract.version,
      aggregateType: USER_AGGREGATE_TYPE,
      aggregateId: user.id,
      partitionKey: userPartition(user.id),
      sequence: 1,
      occurredAt: user.createdAt,
      correlationId: command.correlationId,
      data: data(user),
    })),
  });
  const [outboxItem] = transaction.items;
  if (outboxItem === undefined)
    throw new UserWriteError('The outbox writer built no outbox item: userCreatedPublications is empty.');
  for (const [index, { contract }] of publications.entries()) {
    const item = transaction.items[index];
    const violations = item ? contract.validateDetail(toEventDetail(item)) : [];
    if (violations.length > 0) return rejectOrThrow(violations);
  }

  const reasons = await sendTransaction(transaction.input.TransactItems ?? [], deps);
  if (reasons === undefined) return { kind: 'created', user, eventId: outboxItem.eventId };

  const offset = command.idempotencyKey === undefined ? 0 : 1;
  if (command.idempotencyKey !== undefined && reasons[0]?.Code === 'ConditionalCheckFailed') {
    const stored = await storedIdempotencyRecord(reasons[0], command.idempotencyKey, deps);
    if (stored === undefined) return createUser(command, deps); // expired and deleted between the two calls
    if (stored.requestHash !== requestHash) return { kind: 'idempotency-key-reused' };
    return { kind: 'replayed', statusCode: stored.response.statusCode, body: stored.response.body };
  }
  if (reasons[offset]?.Code === 'ConditionalCheckFailed') return { kind: 'email-taken' };
  throw new UserWriteError(
    `DynamoDB cancelled the user's transaction for a reason the API cannot answer with a 4xx ` +
      `(reasons by action: ${reasons.map((reason, index) => `${index}:${reason.Code ?? 'None'}`).join(', ')}).`,
  );
}

/** A violation of a request field (`/data/email`) is the client's: 400. Anything else is ours: throw (500). */
function rejectOrThrow(violations: readonly ContractViolation[]): CreateUserOutcome {
  const errors: FieldError[] = [];
  for (const violation of violations) {
    const field = /(?:^|[/.])data[/.]([A-Za-z]+)/.exec(violation.path)?.[1];
    if (field === undefined || !CREATE_USER_FIELDS.includes(field)) {
      throw new UserWriteError(
        `The UserCreated event built for a valid request breaks its contract at ${violation.path}: ${violation.message}. ` +
          'The API and the contract disagree; fix the API.',
      );
    }
    errors.push({ field, message: `${field} ${violation.message}` });
  }
  return { kind: 'invalid', errors };
}

/** Sends the transaction; returns `undefined` when committed, or DynamoDB's cancellation reasons. */
async function sendTransaction(
  items: readonly TransactWriteItem[],
  deps: CreateUserDeps,
): Promise<readonly CancellationReason[] | undefined> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await deps.dynamoDb.send(new TransactWriteItemsCommand({ TransactItems: [...items] }));
      return undefined;
    } catch (error) {
      if (
        !(error instanceof TransactionCanceledException) &&
        (error as Error | undefined)?.name !== 'TransactionCanceledException'
      ) {
        throw error;
      }
      const reasons = (error as TransactionCanceledException).CancellationReasons ?? [];
      const conflict = reasons.some((reason) => reason.Code === 'TransactionConflict');
      const conditionFailed = reasons.some((reason) => reason.Code === 'ConditionalCheckFailed');
      if (conflict && !conditionFailed && attempt < MAX_TRANSACTION_ATTEMPTS) {
        await deps.sleep(Math.random() * 50 * 2 ** attempt);
        continue;
      }
      return reasons;
    }
  }
}

function idempotencyPut(
  tableName: string,
  key: string,
  requestHash: string,
  response: StoredResponse,
  now: Date,
  ttlSeconds: number,
): TransactWriteItem {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  return {
    Put: {
      TableName: tableName,
      Item: marshall({
        ...idempotencyKey(key),
        itemType: ITEM_TYPES.idempotency,
        requestHash,
        statusCode: response.statusCode,
        responseBody: JSON.stringify(response.body),
        createdAt: now.toISOString(),
        [TTL_ATTRIBUTE]: nowSeconds + ttlSeconds,
      }),
      // An expired record that DynamoDB's TTL has not deleted yet (it can lag by days) no longer counts.
      ConditionExpression: 'attribute_not_exists(#pk) OR #ttl < :now',
      ExpressionAttributeNames: { '#pk': TABLE_KEYS.partitionKey, '#ttl': TTL_ATTRIBUTE },
      ExpressionAttributeValues: marshall({ ':now': nowSeconds }),
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

function emailPut(tableName: string, user: User): TransactWriteItem {
  return {
    Put: {
      TableName: tableName,
      Item: marshall({
        ...emailKey(user.email),
        itemType: ITEM_TYPES.emailUniqueness,
        userId: user.id,
        createdAt: user.createdAt,
      }),
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': TABLE_KEYS.partitionKey },
    },
  };
}

function userPut(tableName: string, user: User): TransactWriteItem {
  return {
    Put: {
      TableName: tableName,
      Item: marshall({ ...userKey(user.id), itemType: ITEM_TYPES.user, userId: user.id, ...withoutId(user) }),
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': TABLE_KEYS.partitionKey },
    },
  };
}

function withoutId(user: User): Omit<User, 'id'> {
  const { id: _id, ...rest } = user;
  return rest;
}

/** The record DynamoDB returned with the cancellation, or (when it did not) the one read now; `undefined` when gone. */
async function storedIdempotencyRecord(
  reason: CancellationReason,
  key: string,
  deps: CreateUserDeps,
): Promise<{ readonly requestHash: string; readonly response: StoredResponse } | undefined> {
  let item = reason.Item;
  if (item === undefined) {
    const result = await deps.dynamoDb.send(
      new GetItemCommand({
        TableName: deps.tableName,
        Key: marshall(idempotencyKey(key)),
        ConsistentRead: true,
      }),
    );
    item = result.Item;
  }
  if (item === undefined) return undefined;
  const record = unmarshall(item) as { requestHash: string; statusCode: number; responseBody: string };
  return {
    requestHash: record.requestHash,
    response: { statusCode: record.statusCode, body: JSON.parse(record.responseBody) as unknown },
  };
}

/**
 * SHA-256 of the request's canonical JSON (validated and normalized values, keys sorted): two bodies that
 * differ only in spacing, key order or surrounding whitespace of values are the same request.
 */
function fingerprint(request: CreateUserRequest): string {
  const canonical = JSON.stringify(
    Object.fromEntries(Object.entries(request).sort(([a], [b]) => a.localeCompare(b))),
  );
  return createHash('sha256').update(`POST /users\n${canonical}`, 'utf8').digest('hex');
}
