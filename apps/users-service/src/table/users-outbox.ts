import { createOutboxWriter, type OutboxWriter, type OutboxWriterDeps } from '@outboxed/outbox';
import { TABLE_KEYS } from './keys';

/**
 * libs/outbox's writer for the users table, told the table's key attribute names (`TABLE_KEYS`), so the outbox items
 * it writes carry the keys the table declares, whatever they are named.
 *
 * @example const outboxWriter = createUsersOutboxWriter(tableName, { dynamoDb });
 */
export function createUsersOutboxWriter(
  tableName: string,
  deps: Partial<OutboxWriterDeps> = {},
): OutboxWriter {
  return createOutboxWriter({ tableName, keys: TABLE_KEYS }, deps);
}
