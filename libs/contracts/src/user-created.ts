import v1Schema from '../schemas/outboxed.users@UserCreated/v1.json' with { type: 'json' };
import v2Schema from '../schemas/outboxed.users@UserCreated/v2.json' with { type: 'json' };
import { USER_CREATED_DETAIL_TYPE, USERS_EVENT_SOURCE, USER_CREATED_SCHEMA_NAME } from './constants.ts';
import { defineContract } from './contract.ts';
import type { EventContract } from './contract.ts';
import { ContractValidationError } from './errors.ts';
import type * as V1Producer from './generated/outboxed-users-user-created/v1-producer.ts';
import type * as V1Consumer from './generated/outboxed-users-user-created/v1-consumer.ts';
import type * as V2Producer from './generated/outboxed-users-user-created/v2-producer.ts';
import type * as V2Consumer from './generated/outboxed-users-user-created/v2-consumer.ts';
import type { JsonSchema } from './validation.ts';

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
 * The latest UserCreated event, strict: what the producer sends today. Every older version's event is assignable
 * to it (versions only add optional fields), so it is also what `parseUserCreated` returns.
 *
 * @example const event: UserCreatedEvent = exampleUserCreatedEvent();
 */
export type UserCreatedEvent = UserCreatedV2Event;

/**
 * The latest UserCreated `detail`, strict: `{ metadata, data }`.
 *
 * @example const detail: UserCreatedDetail = { metadata, data: { userId, email, name, createdAt } };
 */
export type UserCreatedDetail = UserCreatedV2Detail;

/**
 * The latest UserCreated `detail.metadata`.
 *
 * @example const metadata: UserCreatedMetadata = { id, type: USER_CREATED_DETAIL_TYPE, version: 2, occurredAt, aggregateId, sequence: 1, correlationId };
 */
export type UserCreatedMetadata = V2Producer.UserCreatedMetadata;
/**
 * The latest UserCreated `detail.data`.
 *
 * @example const data: UserCreatedData = { userId, email, name, createdAt };
 */
export type UserCreatedData = V2Producer.UserCreatedData;

/**
 * The consumer's (tolerant) view of the latest UserCreated event: unknown fields allowed, so a consumer built on
 * it keeps compiling and running when a later version adds optional fields.
 *
 * @example function handle(event: UserCreatedConsumerEvent) { return event.detail.data.userId; }
 */
export type UserCreatedConsumerEvent = V2Consumer.UserCreatedEvent;
/**
 * The consumer's (tolerant) view of the latest UserCreated `detail`.
 *
 * @example function recipient(detail: UserCreatedConsumerDetail) { return detail.data.email; }
 */
export type UserCreatedConsumerDetail = V2Consumer.UserCreatedDetail;
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
 * UserCreated version 1.
 *
 * @example userCreatedV1.validateDetail(detail); // [] when valid
 */
export const userCreatedV1: EventContract<UserCreatedV1Detail, UserCreatedV1Event> = defineContract({
  source: USERS_EVENT_SOURCE,
  detailType: USER_CREATED_DETAIL_TYPE,
  version: 1,
  schema: v1Schema as JsonSchema,
});

/**
 * UserCreated version 2: adds the optional `data.locale`.
 *
 * @example userCreatedV2.parseDetail(detail).data.locale;
 */
export const userCreatedV2: EventContract<UserCreatedV2Detail, UserCreatedV2Event> = defineContract({
  source: USERS_EVENT_SOURCE,
  detailType: USER_CREATED_DETAIL_TYPE,
  version: 2,
  schema: v2Schema as JsonSchema,
});

/**
 * The latest UserCreated contract: the version the producer emits.
 *
 * @example const detail = userCreated.parseDetail(candidate); // producer-side check before writing the outbox item
 */
export const userCreated: EventContract<UserCreatedDetail, UserCreatedEvent> = userCreatedV2;

/**
 * Every UserCreated contract, oldest first.
 *
 * @example userCreatedVersions.map((c) => c.version); // [1, 2]
 */
export const userCreatedVersions: readonly EventContract<UserCreatedDetail, UserCreatedEvent>[] = [
  userCreatedV1,
  userCreatedV2,
];

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
  return contract.parseEvent(event);
}

function declaredVersion(event: unknown): number | undefined {
  const detail = (event as { detail?: { metadata?: { version?: unknown } } } | null)?.detail;
  const version = detail?.metadata?.version;
  return typeof version === 'number' && Number.isInteger(version) ? version : undefined;
}
