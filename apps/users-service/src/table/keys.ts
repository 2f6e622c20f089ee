import { createHash } from 'node:crypto';
import { OUTBOX_TTL_ATTRIBUTE } from '@outboxed/outbox';

/**
 * The users table's single-table design. Every item has `pk`/`sk` (strings) and an `itemType`:
 *
 * | item | pk | sk | purpose |
 * | --- | --- | --- | --- |
 * | user | `USER#<userId>` | `USER` | the user record |
 * | outbox | `USER#<userId>` | `OUTBOX#<eventId>` | the user's events (libs/outbox), in the user's partition for per-user order |
 * | email uniqueness | `EMAIL#<sha256(lower-cased email)>` | `EMAIL` | one per registered email: its conditional put makes an email unique inside the transaction |
 * | idempotency | `IDEMPOTENCY#<key>` | `IDEMPOTENCY` | the answer to a `POST /users` with an `Idempotency-Key`, written in the same transaction |
 *
 * The email is hashed in its key so that no key (keys appear in metrics, logs and error reports) holds PII.
 *
 * @example const key = userKey('01J0000000000000000000000A'); // { pk: 'USER#01J…', sk: 'USER' }
 */
export const TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk' } as const;

/**
 * Attribute holding the DynamoDB TTL (epoch seconds) of items that expire (outbox, idempotency). A table has one TTL
 * attribute, and the outbox (its writer, relay and redrive) keeps its items' expiry in its own, so the table takes
 * the outbox's: renaming it there renames it here. (The key names go the other way: they are the table's, and the
 * outbox writer and relay are told them, see `users-outbox.ts`.)
 *
 * @example new Table(this, 'T', { timeToLiveAttribute: TTL_ATTRIBUTE, … });
 */
export const TTL_ATTRIBUTE = OUTBOX_TTL_ATTRIBUTE;

/**
 * Values of the `itemType` attribute of this service's own items (the outbox's is libs/outbox's).
 *
 * @example item.itemType === ITEM_TYPES.user
 */
export const ITEM_TYPES = {
  user: 'USER',
  emailUniqueness: 'EMAIL_UNIQUENESS',
  idempotency: 'IDEMPOTENCY',
} as const;

/**
 * A primary key of the users table.
 *
 * @example const key: TableKey = userKey(id);
 */
export interface TableKey {
  readonly pk: string;
  readonly sk: string;
}

/**
 * The partition key value of a user's partition (its record and its outbox items).
 *
 * @example userPartition('01J0000000000000000000000A') // 'USER#01J0000000000000000000000A'
 */
export function userPartition(userId: string): string {
  return `USER#${userId}`;
}

/**
 * Key of a user's record.
 *
 * @example userKey(id) // { pk: `USER#${id}`, sk: 'USER' }
 */
export function userKey(userId: string): TableKey {
  return { pk: userPartition(userId), sk: 'USER' };
}

/**
 * Key of the uniqueness item of an email: the same for every spelling that differs only in case or surrounding spaces.
 *
 * @example emailKey('Ada@Example.com').pk === emailKey('ada@example.com').pk // true
 */
export function emailKey(email: string): TableKey {
  const digest = createHash('sha256').update(email.trim().toLowerCase(), 'utf8').digest('hex');
  return { pk: `EMAIL#${digest}`, sk: 'EMAIL' };
}

/**
 * Key of the idempotency record of an `Idempotency-Key`.
 *
 * @example idempotencyKey('7f1c…') // { pk: 'IDEMPOTENCY#7f1c…', sk: 'IDEMPOTENCY' }
 */
export function idempotencyKey(key: string): TableKey {
  return { pk: `IDEMPOTENCY#${key}`, sk: 'IDEMPOTENCY' };
}
