import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetItemCommand, ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { KeyAttributes } from '../item/outbox-item';
import { OUTBOX_ATTRIBUTES, OUTBOX_ITEM_TYPE, OUTBOX_SORT_KEY_PREFIX } from '../item/outbox-item';

/**
 * Attribute the redrive sets (ISO 8601 instant) on each outbox item once it has republished it. A second run
 * skips items that carry it (`already-redriven`), unless asked for one event id explicitly. Setting it is a
 * MODIFY on the stream, which the relay's filter (INSERT only) ignores.
 *
 * @example
 * if (item[REDRIVEN_AT_ATTRIBUTE]) console.log('republished by a redrive at', item[REDRIVEN_AT_ATTRIBUTE]);
 */
export const REDRIVEN_AT_ATTRIBUTE = 'redrivenAt';

/** The primary key of one outbox item, as native values: `{ pk: 'USER#…', sk: 'OUTBOX#…' }`. */
export type ItemKey = Readonly<Record<string, string>>;

/** Unmarshalled attributes of one item. */
export type RawItem = Record<string, unknown>;

/**
 * Reads, marks and finds outbox items for the redrive: a consistent `GetItem` by key, a conditional `UpdateItem`
 * that never recreates an item TTL has deleted, and two `Scan`s (by event id, by `occurredAt` window) for when
 * no key is known. A `Scan` reads the whole table (and is billed so): it is the fallback of an operator's tool,
 * never on the relay's path.
 *
 * @example
 * const table = new OutboxTable(dynamodb, 'users');
 * const item = await table.get({ pk: 'USER#01J…', sk: 'OUTBOX#01J…' });
 */
export class OutboxTable {
  constructor(
    private readonly dynamodb: Pick<DynamoDBClient, 'send'>,
    readonly tableName: string,
    readonly keys: KeyAttributes = { partitionKey: 'pk', sortKey: 'sk' },
  ) {}

  /** The item's key, taken from its attributes. */
  keyOf(item: RawItem): ItemKey {
    return {
      [this.keys.partitionKey]: String(item[this.keys.partitionKey]),
      [this.keys.sortKey]: String(item[this.keys.sortKey]),
    };
  }

  async get(key: ItemKey): Promise<RawItem | undefined> {
    const { Item } = await this.dynamodb.send(
      new GetItemCommand({ TableName: this.tableName, Key: toKey(key), ConsistentRead: true }),
    );
    return Item ? unmarshall(Item) : undefined;
  }

  /** Sets {@link REDRIVEN_AT_ATTRIBUTE}; resolves `false` when the item no longer exists (nothing is written). */
  async markRedriven(key: ItemKey, at: Date): Promise<boolean> {
    try {
      await this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: toKey(key),
          UpdateExpression: 'SET #redrivenAt = :at',
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: { '#redrivenAt': REDRIVEN_AT_ATTRIBUTE, '#pk': this.keys.partitionKey },
          ExpressionAttributeValues: { ':at': { S: at.toISOString() } },
        }),
      );
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  /** Finds the outbox item of `eventId` by its sort key (`OUTBOX#<eventId>`), scanning the table. */
  async findByEventId(eventId: string): Promise<RawItem | undefined> {
    const [item] = await this.scan('#sk = :sk AND #itemType = :outbox', {
      names: { '#sk': this.keys.sortKey },
      values: { ':sk': { S: `${OUTBOX_SORT_KEY_PREFIX}${eventId}` } },
      limit: 1,
    });
    return item;
  }

  /** Every outbox item whose `occurredAt` lies in `[from, to]` (ISO 8601 strings compare in time order). */
  async findInWindow(from: Date, to: Date): Promise<RawItem[]> {
    return this.scan('#itemType = :outbox AND #occurredAt BETWEEN :from AND :to', {
      names: { '#occurredAt': OUTBOX_ATTRIBUTES.occurredAt },
      values: { ':from': { S: from.toISOString() }, ':to': { S: to.toISOString() } },
    });
  }

  private async scan(
    filter: string,
    {
      names,
      values,
      limit,
    }: { names: Record<string, string>; values: Record<string, AttributeValue>; limit?: number },
  ): Promise<RawItem[]> {
    const items: RawItem[] = [];
    let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.dynamodb.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: filter,
          ExpressionAttributeNames: { ...names, '#itemType': OUTBOX_ATTRIBUTES.itemType },
          ExpressionAttributeValues: { ...values, ':outbox': { S: OUTBOX_ITEM_TYPE } },
          ExclusiveStartKey,
          ConsistentRead: true,
        }),
      );
      items.push(...(page.Items ?? []).map((item) => unmarshall(item)));
      if (limit !== undefined && items.length >= limit) return items.slice(0, limit);
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  }
}

function toKey(key: ItemKey): Record<string, AttributeValue> {
  return Object.fromEntries(Object.entries(key).map(([name, value]) => [name, { S: value }]));
}
