import { UnparseableOutboxItemError } from '../errors';

/**
 * Value of the discriminator attribute (`itemType`) of every outbox item. The relay's event source mapping
 * filters on it, so only outbox INSERTs invoke the relay.
 *
 * @example
 * if (item.itemType === OUTBOX_ITEM_TYPE) console.log('an outbox item');
 */
export const OUTBOX_ITEM_TYPE = 'OUTBOX';

/**
 * Prefix of an outbox item's sort key: `sk = 'OUTBOX#<eventId>'`.
 *
 * @example
 * const sk = `${OUTBOX_SORT_KEY_PREFIX}${eventId}`;
 */
export const OUTBOX_SORT_KEY_PREFIX = 'OUTBOX#';

/**
 * Names of the attributes of an outbox item (besides the table's own key attributes).
 *
 * @example
 * const eventId = image[OUTBOX_ATTRIBUTES.eventId]?.S;
 */
export const OUTBOX_ATTRIBUTES = {
  itemType: 'itemType',
  eventId: 'eventId',
  eventType: 'eventType',
  eventVersion: 'eventVersion',
  source: 'source',
  occurredAt: 'occurredAt',
  aggregateType: 'aggregateType',
  aggregateId: 'aggregateId',
  sequence: 'sequence',
  correlationId: 'correlationId',
  payload: 'payload',
  ttl: 'ttl',
  traceHeader: 'traceHeader',
} as const;

/**
 * The table's key attribute names the writer and relay use unless told otherwise (single-table design).
 *
 * @example
 * createOutboxWriter({ tableName, keys: { ...DEFAULT_KEY_ATTRIBUTES, sortKey: 'SK' } });
 */
export const DEFAULT_KEY_ATTRIBUTES = { partitionKey: 'pk', sortKey: 'sk' } as const;

/**
 * How long an outbox item lives before DynamoDB's TTL deletes it (7 days): while it lives it can be republished.
 *
 * @example
 * createOutboxWriter({ tableName, ttlSeconds: DEFAULT_OUTBOX_TTL_SECONDS * 2 });
 */
export const DEFAULT_OUTBOX_TTL_SECONDS = 7 * 24 * 60 * 60;

/**
 * Filter pattern for the relay's event source mapping (Lambda `FilterCriteria`): outbox INSERTs only.
 * MODIFY, REMOVE (including TTL deletions) and every non-outbox item never invoke the relay.
 *
 * @example
 * new DynamoEventSource(table, { filters: [FilterCriteria.filter(OUTBOX_STREAM_FILTER)], ... });
 * // or raw: { Filters: [{ Pattern: JSON.stringify(OUTBOX_STREAM_FILTER) }] }
 */
export const OUTBOX_STREAM_FILTER = {
  eventName: ['INSERT'],
  dynamodb: { NewImage: { [OUTBOX_ATTRIBUTES.itemType]: { S: [OUTBOX_ITEM_TYPE] } } },
} as const;

/** Names of the table's partition and sort key attributes. */
export interface KeyAttributes {
  /** @default 'pk' */
  readonly partitionKey: string;
  /** @default 'sk' */
  readonly sortKey: string;
}

/**
 * An outbox item as stored in the table (the native JavaScript form, i.e. after `unmarshall`).
 *
 * @example
 * const item: OutboxItem = parseOutboxItem(unmarshall(newImage));
 * console.log(item.eventId, item.sequence);
 */
export interface OutboxItem {
  /** The aggregate's partition key value, e.g. `USER#01J…`. */
  readonly partitionKey: string;
  /** `OUTBOX#<eventId>`. */
  readonly sortKey: string;
  /** ULID fixed at write time: the event's `metadata.id`, the same on every retry. */
  readonly eventId: string;
  /** The EventBridge `DetailType`, e.g. `UserCreated`. */
  readonly eventType: string;
  /** Integer schema version of the event. */
  readonly eventVersion: number;
  /** The EventBridge `Source`, e.g. `outboxed.users`. */
  readonly source: string;
  /** ISO 8601 instant the event occurred. */
  readonly occurredAt: string;
  readonly aggregateType: string;
  readonly aggregateId: string;
  /** Integer ≥ 1, the event's position in its aggregate's history. */
  readonly sequence: number;
  readonly correlationId: string;
  /** The event's `data`. */
  readonly payload: Readonly<Record<string, unknown>>;
  /** Epoch seconds after which DynamoDB deletes the item. */
  readonly ttl: number;
  /**
   * The X-Ray trace header of the request that wrote the item (`Root=…;Parent=…;Sampled=…`): the relay passes it as
   * the PutEvents entry's `TraceHeader`, so the trace continues on the bus and to each consumer. Absent outside a
   * traced invocation.
   */
  readonly traceHeader?: string;
}

/**
 * Converts an outbox item into the attribute map stored in the table (native JavaScript values; `marshall`
 * it for the low-level client).
 *
 * @example
 * const attributes = toOutboxAttributes(item); // { pk, sk, itemType: 'OUTBOX', eventId, … }
 */
export function toOutboxAttributes(
  item: OutboxItem,
  keys: KeyAttributes = DEFAULT_KEY_ATTRIBUTES,
): Record<string, unknown> {
  const a = OUTBOX_ATTRIBUTES;
  return {
    [keys.partitionKey]: item.partitionKey,
    [keys.sortKey]: item.sortKey,
    [a.itemType]: OUTBOX_ITEM_TYPE,
    [a.eventId]: item.eventId,
    [a.eventType]: item.eventType,
    [a.eventVersion]: item.eventVersion,
    [a.source]: item.source,
    [a.occurredAt]: item.occurredAt,
    [a.aggregateType]: item.aggregateType,
    [a.aggregateId]: item.aggregateId,
    [a.sequence]: item.sequence,
    [a.correlationId]: item.correlationId,
    [a.payload]: item.payload,
    [a.ttl]: item.ttl,
    ...(item.traceHeader === undefined ? {} : { [a.traceHeader]: item.traceHeader }),
  };
}

function requireString(attributes: Record<string, unknown>, field: string): string {
  const value = attributes[field];
  if (typeof value !== 'string' || value.length === 0) {
    throw new UnparseableOutboxItemError(
      `Outbox item attribute "${field}" must be a non-empty string (S); received ${describe(value)}. ` +
        'Write outbox items with the outbox writer so every attribute has its type.',
      field,
    );
  }
  return value;
}

function requireInteger(attributes: Record<string, unknown>, field: string, minimum: number): number {
  const value = attributes[field];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < minimum) {
    throw new UnparseableOutboxItemError(
      `Outbox item attribute "${field}" must be an integer ≥ ${minimum} (N); received ${describe(value)}. ` +
        'Write outbox items with the outbox writer so every attribute has its type.',
      field,
    );
  }
  return value;
}

function requireInstant(attributes: Record<string, unknown>, field: string): string {
  const value = requireString(attributes, field);
  if (Number.isNaN(Date.parse(value))) {
    throw new UnparseableOutboxItemError(
      `Outbox item attribute "${field}" must be an ISO 8601 instant; received ${describe(value)}.`,
      field,
    );
  }
  return value;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing (the attribute is missing)';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 40))}`;
  if (typeof value === 'number') return `the number ${value}`;
  return `a value of type ${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value}`;
}

/**
 * Reads an outbox item from a stream record's unmarshalled new image, checking every attribute's type.
 *
 * @throws UnparseableOutboxItemError naming the first attribute at fault.
 * @example
 * const item = parseOutboxItem(unmarshall(record.dynamodb.NewImage));
 */
export function parseOutboxItem(
  attributes: Record<string, unknown>,
  keys: KeyAttributes = DEFAULT_KEY_ATTRIBUTES,
): OutboxItem {
  const a = OUTBOX_ATTRIBUTES;
  if (attributes[a.itemType] !== OUTBOX_ITEM_TYPE) {
    throw new UnparseableOutboxItemError(
      `Attribute "${a.itemType}" must be "${OUTBOX_ITEM_TYPE}"; received ${describe(attributes[a.itemType])}. ` +
        'Filter the event source mapping with OUTBOX_STREAM_FILTER.',
      a.itemType,
    );
  }
  const payload = attributes[a.payload];
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new UnparseableOutboxItemError(
      `Outbox item attribute "${a.payload}" must be a map (M); received ${describe(payload)}.`,
      a.payload,
    );
  }
  return {
    partitionKey: requireString(attributes, keys.partitionKey),
    sortKey: requireString(attributes, keys.sortKey),
    eventId: requireString(attributes, a.eventId),
    eventType: requireString(attributes, a.eventType),
    eventVersion: requireInteger(attributes, a.eventVersion, 1),
    source: requireString(attributes, a.source),
    occurredAt: requireInstant(attributes, a.occurredAt),
    aggregateType: requireString(attributes, a.aggregateType),
    aggregateId: requireString(attributes, a.aggregateId),
    sequence: requireInteger(attributes, a.sequence, 1),
    correlationId: requireString(attributes, a.correlationId),
    payload: payload as Record<string, unknown>,
    ttl: requireInteger(attributes, a.ttl, 0),
    ...(attributes[a.traceHeader] === undefined
      ? {}
      : { traceHeader: requireString(attributes, a.traceHeader) }),
  };
}
