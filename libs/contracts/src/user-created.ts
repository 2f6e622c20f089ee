import { USER_CREATED_SCHEMA_NAME } from './constants.ts';
import type { EventContract } from './contract.ts';
import { ContractValidationError } from './errors.ts';
import * as generated from './generated/outboxed-users-user-created/index.ts';
import type * as V1Producer from './generated/outboxed-users-user-created/v1-producer.ts';
import type * as V1Consumer from './generated/outboxed-users-user-created/v1-consumer.ts';
import type * as V2Producer from './generated/outboxed-users-user-created/v2-producer.ts';
import type * as V2Consumer from './generated/outboxed-users-user-created/v2-consumer.ts';

/**
 * UserCreated v1 event as the producer must send it (strict, generated from the registry schema).
 *
 * @example const event: UserCreatedV1Event = userCreatedV1.parseEvent(raw);
 */
export type UserCreatedV1Event = V1Producer.UserCreatedEvent;
/**
 * UserCreated v1 `detail` (strict).
 *
 * @example const detail: UserCreatedV1Detail = userCreatedV1.parseDetail(raw);
 */
export type UserCreatedV1Detail = V1Producer.UserCreatedDetail;
/**
 * UserCreated v2 event (strict): v1 plus the optional `data.locale`.
 *
 * @example const event: UserCreatedV2Event = userCreatedV2.parseEvent(raw);
 */
export type UserCreatedV2Event = V2Producer.UserCreatedEvent;
/**
 * UserCreated v2 `detail` (strict).
 *
 * @example const detail: UserCreatedV2Detail = userCreatedV2.parseDetail(raw);
 */
export type UserCreatedV2Detail = V2Producer.UserCreatedDetail;

/**
 * The latest UserCreated contract: the version the producer emits. Generated: publishing a compatible version is
 * adding its schema file and running codegen; this follows.
 *
 * @example const detail = userCreated.parseDetail(candidate); // producer-side check before writing the outbox item
 */
export const userCreated = generated.latest;

/**
 * The latest UserCreated event, strict: what the producer sends today. Every older version's event is assignable
 * to it (versions only add optional fields), so it is also what `parseUserCreated` returns.
 *
 * @example const event: UserCreatedEvent = exampleUserCreatedEvent();
 */
export type UserCreatedEvent = ReturnType<typeof userCreated.parseEvent>;

/**
 * The latest UserCreated `detail`, strict: `{ metadata, data }`.
 *
 * @example const detail: UserCreatedDetail = { metadata, data: { userId, email, name, createdAt } };
 */
export type UserCreatedDetail = ReturnType<typeof userCreated.parseDetail>;

/**
 * The latest UserCreated `detail.metadata`.
 *
 * @example const metadata: UserCreatedMetadata = { id, type: USER_CREATED_DETAIL_TYPE, version: 2, occurredAt, aggregateId, sequence: 1, correlationId };
 */
export type UserCreatedMetadata = UserCreatedDetail['metadata'];
/**
 * The latest UserCreated `detail.data`.
 *
 * @example const data: UserCreatedData = { userId, email, name, createdAt };
 */
export type UserCreatedData = UserCreatedDetail['data'];

/**
 * The consumer's (tolerant) view of UserCreated v2: unknown fields allowed, so a consumer built on it keeps
 * compiling and running when a later version adds optional fields.
 *
 * @example function handle(event: UserCreatedV2ConsumerEvent) { return event.detail.data.locale; }
 */
export type UserCreatedV2ConsumerEvent = V2Consumer.UserCreatedEvent;
/**
 * The consumer's (tolerant) view of UserCreated v2 `detail`.
 *
 * @example function recipient(detail: UserCreatedV2ConsumerDetail) { return detail.data.email; }
 */
export type UserCreatedV2ConsumerDetail = V2Consumer.UserCreatedDetail;
/**
 * The consumer's (tolerant) view of UserCreated v1.
 *
 * @example function userId(event: UserCreatedV1ConsumerEvent) { return event.detail.data.userId; }
 */
export type UserCreatedV1ConsumerEvent = V1Consumer.UserCreatedEvent;
/**
 * The consumer's (tolerant) view of UserCreated v1 `detail`.
 *
 * @example function recipient(detail: UserCreatedV1ConsumerDetail) { return detail.data.email; }
 */
export type UserCreatedV1ConsumerDetail = V1Consumer.UserCreatedDetail;

/**
 * UserCreated version 1. A consumer that reads it as its version receives every later compatible version too.
 *
 * @example userCreatedV1.validateDetail(detail); // [] when valid
 */
export const userCreatedV1 = generated.v1;

/**
 * UserCreated version 2: adds the optional `data.locale`.
 *
 * @example userCreatedV2.parseDetail(detail).data.locale;
 */
export const userCreatedV2 = generated.v2;

/**
 * Every UserCreated contract, oldest first.
 *
 * @example userCreatedVersions.map((c) => c.version); // [1, 2, …]
 */
export const userCreatedVersions: readonly EventContract[] = generated.versions;

/**
 * Parses a whole UserCreated EventBridge event with the contract of the version it declares
 * (`detail.metadata.version`; the latest when it declares none). Returns the typed event or throws a
 * `ContractValidationError` listing every violation with its JSON path.
 *
 * @example
 * const event = parseUserCreated(sqsRecordBody);
 * event.detail.data.userId;
 */
export function parseUserCreated(event: unknown): UserCreatedEvent {
  const declared = declaredVersion(event);
  const contract =
    declared === undefined ? userCreated : userCreatedVersions.find((c) => c.version === declared);
  if (!contract) {
    throw new ContractValidationError(USER_CREATED_SCHEMA_NAME, declared, [
      {
        path: 'detail.metadata.version',
        message: `is ${declared}, not a known UserCreated version (known: ${userCreatedVersions.map((c) => c.version).join(', ')}); upgrade @outboxed/contracts`,
      },
    ]);
  }
  return contract.parseEvent(event) as UserCreatedEvent;
}

function declaredVersion(event: unknown): number | undefined {
  const detail = (event as { detail?: { metadata?: { version?: unknown } } } | null)?.detail;
  const version = detail?.metadata?.version;
  return typeof version === 'number' && Number.isInteger(version) ? version : undefined;
}
