import { findContract, USERS_EVENT_SOURCE } from '@outboxed/contracts';
import type { ContractResolver } from '@outboxed/outbox';

/**
 * The contracts the relay and the redrive check each outbox item against before publishing: every version of
 * every event of `@outboxed/contracts`' `eventCatalog`, restricted to the users service's own source (an outbox
 * item claiming another service's source is poison).
 *
 * @example usersContracts.find('UserCreated', 2); // userCreatedV2
 */
export const usersContracts: ContractResolver = {
  find: (detailType, version) => findContract(detailType, version, USERS_EVENT_SOURCE),
};
