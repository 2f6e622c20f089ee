import { definePublications, userCreated } from '@outboxed/contracts';
import type { AnyContract } from '@outboxed/contracts';
import type { OutboxEventData } from '@outboxed/outbox';
import type { User } from './domain/user';

/**
 * One event the users service publishes when a user is committed: its contract (the version written) and how the
 * user becomes its `data`.
 *
 * @example const p: UserCreatedPublication = { contract: userCreated, data: (user) => ({ userId: user.id, … }) };
 */
export interface UserCreatedPublication {
  readonly contract: AnyContract;
  /** The event's `data` for a user; build the publication with {@link publication} so its type is the contract's. */
  readonly data: (user: User) => unknown;
}

/**
 * A publication whose `data` is typed by its contract: a field the contract does not define, or one it requires and
 * is missing, is a compile error (the outbox writer validates the schema again at run time).
 *
 * @example publication(userCreated, (user) => ({ userId: user.id, email: user.email, name: user.name, createdAt: user.createdAt }));
 */
export function publication<TContract extends AnyContract>(
  contract: TContract,
  data: (user: User) => OutboxEventData<TContract>,
): UserCreatedPublication {
  return { contract, data };
}

/**
 * The events written for each created user, all in the user's own transaction. Normally one: the latest UserCreated.
 * A breaking change adds its new major (detail-type `UserCreatedV2`) here beside the old one, so both are written
 * atomically (no consumer sees one without the other) until `nx run contracts:check` says no consumer reads the old
 * one; then it is removed (docs/evolving-contracts.md).
 *
 * @example userCreatedPublications.map((p) => p.contract.detailType); // ['UserCreated']
 */
export const userCreatedPublications: readonly UserCreatedPublication[] = [
  publication(userCreated, (user) => ({
    userId: user.id,
    email: user.email,
    name: user.name,
    createdAt: user.createdAt,
    ...(user.locale === undefined ? {} : { locale: user.locale }),
  })),
];

/**
 * What the users service publishes, read by `nx run contracts:check` (which consumers read what), by the workspace
 * plugin (consumer → producer edges of the Nx graph) and by the event catalog.
 *
 * @example publications.publishes.map((c) => `${c.detailType} v${c.version}`); // ['UserCreated v2']
 */
export const publications = definePublications({
  producer: 'users-service',
  publishes: userCreatedPublications.map((p) => p.contract),
});
