import { createRelayHandler } from '@outboxed/outbox';
import { usersContracts } from '../../domain/users-contracts';
import { TABLE_KEYS } from '../../table/keys';

/**
 * The users service's outbox relay: libs/outbox's relay on the users table's stream, publishing to the bus
 * named by `EVENT_BUS_NAME`, poison records to `POISON_QUEUE_URL` (both set by the `OutboxRelay` construct).
 *
 * @example new OutboxRelay(this, 'Relay', { table, eventBus, entry: join(import.meta.dirname, 'handler.ts') });
 */
export const handler = createRelayHandler({ contracts: usersContracts, keys: TABLE_KEYS });
