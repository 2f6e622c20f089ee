import type { EventContract } from './contract.ts';
import * as generated from './generated/outboxed-users-user-created/index.ts';

/**
 * The latest UserCreated contract: the version the producer emits. Generated: publishing a compatible version is
 * adding its schema file and running codegen; this follows.
 *
 * @example const detail = userCreated.parseDetail(candidate); // producer-side check before writing the outbox item
 */
export const userCreated = generated.latest;

/**
 * The latest UserCreated event, strict: what the producer sends today. Every older version's event is assignable
 * to it (versions only add optional fields).
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
 * The latest UserCreated `detail.data`.
 *
 * @example const data: UserCreatedData = { userId, email, name, createdAt };
 */
export type UserCreatedData = UserCreatedDetail['data'];

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
