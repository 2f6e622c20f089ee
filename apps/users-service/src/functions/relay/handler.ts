import { findContract, USERS_EVENT_SOURCE } from '@outboxed/contracts';
import { createRelayHandler, type ContractResolver } from '@outboxed/outbox';

/**
 * The contracts the relay validates each outbox item against before publishing: every version of every event
 * of `@outboxed/contracts`' `eventCatalog`, restricted to the users service's own source (an outbox item
 * claiming another service's source is poison).
 *
 * @example usersContracts.find('UserCreated', 2); // userCreatedV2
 */
export const usersContracts: ContractResolver = {
  find: (detailType, version) => findContract(detailType, version, USERS_EVENT_SOURCE),
};

/**
 * The users service's outbox relay: libs/outbox's relay on the users table's stream, publishing to the bus
 * named by `EVENT_BUS_NAME`, poison records to `POISON_QUEUE_URL` (both set by the `OutboxRelay` construct).
 *
 * @example new OutboxRelay(this, 'Relay', { table, eventBus, entry: join(import.meta.dirname, 'handler.ts') });
 */
export const handler = createRelayHandler({ contracts: usersContracts });
