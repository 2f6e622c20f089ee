import { createHash } from 'node:crypto';
import {
  GetItemCommand,
  type CancellationReason,
  type DynamoDBClient,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import {
  describeCancellations,
  outboxEvent,
  type NamedWrite,
  type OutboxWriteOutcome,
  type OutboxWriter,
} from '@outboxed/outbox';
import type { ContractViolation } from '@outboxed/contracts';
import { userCreatedPublications, type UserCreatedPublication } from '../../contract-publications';
import type { CreateUserRequest } from '../../domain/create-user-request';
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

/** What {@link createUser} needs from the outside world; the API handler passes production values. */
export interface CreateUserDeps {
  readonly dynamoDb: Pick<DynamoDBClient, 'send'>;
  readonly tableName: string;
  /**
   * libs/outbox's writer for this table (`createUsersOutboxWriter`): it turns the user writes plus the UserCreated
   * event into one transaction, sends it (retrying `TransactionConflict`s) and names the outcome by item.
   */
  readonly outboxWriter: Pick<OutboxWriter, 'write'>;
  readonly now: () => Date;
  /** Generates user ids (ULIDs). */
  readonly newUserId: () => string;
  /** Lifetime of idempotency records, in seconds. */
  readonly idempotencyTtlSeconds: number;
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
  | { readonly kind: 'idempotency-key-reused' };

/** The answer stored in an idempotency record and replayed to retries. */
interface StoredResponse {
  readonly statusCode: number;
  readonly body: unknown;
}

/**
 * Creates a user through libs/outbox's writer: ONE `TransactWriteItems` puts, in this order, the idempotency record
 * (when an `Idempotency-Key` was sent), the email-uniqueness item, the user item and one outbox item per publication
 * (the latest UserCreated; both majors during a breaking change's window) — each with `attribute_not_exists`, so an
 * email already registered or a reused key cancels the whole transaction and nothing is written (guarantees 1 and
 * 6). The writer validates each event's detail against its contract before sending (as the relay will publish it),
 * retries `TransactionConflict`s, and names the outcome by item (`idempotency`, `email`, `user`): this function
 * only turns that outcome into the service's answers.
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
  const outcome = await deps.outboxWriter.write({
    writes: userWrites(command, user, { response, requestHash, now }, deps),
    events: userEvents(deps.publications ?? userCreatedPublications, user, command.correlationId),
  });
  switch (outcome.outcome) {
    case 'written': {
      const [outboxItem] = outcome.items;
      if (outboxItem === undefined)
        throw new UserWriteError('The outbox writer built no outbox item: userCreatedPublications is empty.');
      return { kind: 'created', user, eventId: outboxItem.eventId };
    }
    case 'invalid-event':
      return throwContractBreach(outcome.violations);
    case 'condition-failed':
      return conditionFailed(outcome, command, requestHash, deps);
    default:
      throw new UserWriteError(
        `DynamoDB cancelled the user's transaction for a reason the API cannot answer with a 4xx ` +
          `(${outcome.outcome} after ${outcome.attempts} attempt(s); reasons by item: ${describeCancellations(outcome.cancellations)}).`,
      );
  }
}

/** The names the user's transaction gives its writes: a cancellation names the one that failed. */
type UserWriteName = 'idempotency' | 'email' | 'user';

/** What the idempotency record of a request stores. */
interface IdempotencyRecordInput {
  readonly response: StoredResponse;
  readonly requestHash: string;
  readonly now: Date;
}

/** The idempotency record (when an `Idempotency-Key` was sent), the email-uniqueness item and the user item. */
function userWrites(
  command: CreateUserCommand,
  user: User,
  record: IdempotencyRecordInput,
  deps: CreateUserDeps,
): NamedWrite<UserWriteName>[] {
  return [
    ...(command.idempotencyKey === undefined
      ? []
      : [
          {
            name: 'idempotency' as const,
            write: idempotencyPut(deps.tableName, command.idempotencyKey, record, deps.idempotencyTtlSeconds),
          },
        ]),
    { name: 'email', write: emailPut(deps.tableName, user) },
    { name: 'user', write: userPut(deps.tableName, user) },
  ];
}

/** One event per publication, all in the user's transaction: during a breaking change's window both majors. */
function userEvents(publications: readonly UserCreatedPublication[], user: User, correlationId: string) {
  return publications.map(({ contract, data }) =>
    outboxEvent(contract, data(user), {
      aggregateType: USER_AGGREGATE_TYPE,
      aggregateId: user.id,
      partitionKey: userPartition(user.id),
      sequence: 1,
      occurredAt: user.createdAt,
      correlationId,
    }),
  );
}

/**
 * A failed condition is a domain answer when it is the idempotency record's (a retry: replay the stored answer, or
 * refuse a reused key) or the email-uniqueness item's (the email is taken). Any other (the user id itself taken, a
 * ULID collision) is not the client's to fix: throw (500).
 */
async function conditionFailed(
  outcome: Extract<OutboxWriteOutcome<UserWriteName>, { outcome: 'condition-failed' }>,
  command: CreateUserCommand,
  requestHash: string,
  deps: CreateUserDeps,
): Promise<CreateUserOutcome> {
  const idempotency = outcome.cancellations.find(
    (cancellation) => cancellation.item === 'idempotency' && cancellation.code === 'ConditionalCheckFailed',
  );
  if (idempotency && command.idempotencyKey !== undefined) {
    const stored = await storedIdempotencyRecord(idempotency.reason, command.idempotencyKey, deps);
    if (stored === undefined) return createUser(command, deps); // expired and deleted between the two calls
    if (stored.requestHash !== requestHash) return { kind: 'idempotency-key-reused' };
    return { kind: 'replayed', statusCode: stored.response.statusCode, body: stored.response.body };
  }
  if (outcome.item === 'email') return { kind: 'email-taken' };
  throw new UserWriteError(
    `DynamoDB cancelled the user's transaction for a reason the API cannot answer with a 4xx ` +
      `(reasons by item: ${describeCancellations(outcome.cancellations)}).`,
  );
}

/**
 * Every violation is ours (500): the request schema is derived from the contract (domain/request-schema.ts), so a
 * request that passed it cannot break the event's data; this check guards the rest (metadata, the mapping).
 */
function throwContractBreach(violations: readonly ContractViolation[]): never {
  const where = violations.map((violation) => `${violation.path}: ${violation.message}`).join('; ');
  throw new UserWriteError(
    `The UserCreated event built for a valid request breaks its contract at ${where}. ` +
      'The API and the contract disagree; fix the API.',
  );
}

function idempotencyPut(
  tableName: string,
  key: string,
  { requestHash, response, now }: IdempotencyRecordInput,
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
