import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { UnparseableOutboxItemError } from '../errors';
import {
  DEFAULT_KEY_ATTRIBUTES,
  OUTBOX_ATTRIBUTES,
  OUTBOX_ITEM_TYPE,
  parseOutboxItem,
  type KeyAttributes,
  type OutboxItem,
} from '../item/outbox-item';
import { resolveContract, type ContractSource, type ContractViolationLike } from './contract-resolver';
import { DEFAULT_MAX_REQUEST_BYTES, putEventsEntrySize } from './entry-size';

/**
 * Why a record is poison (sent to the poison DLQ instead of the bus):
 * `contract-violation` (the detail fails its contract, or the source differs from the contract's),
 * `unknown-event-type` (no contract for the type and version), `entry-too-large` (over the request byte limit),
 * `unparseable-item` (the new image is not a readable outbox item), `rejected-by-eventbridge` (EventBridge
 * answered `InvalidArgument` or `MalformedDetail` for the entry).
 *
 * @example
 * const reason: PoisonReason = 'unknown-event-type';
 */
export type PoisonReason =
  | 'contract-violation'
  | 'unknown-event-type'
  | 'entry-too-large'
  | 'unparseable-item'
  | 'rejected-by-eventbridge';

/**
 * The EventBridge `detail` the relay publishes for an outbox item.
 *
 * @example
 * const detail: OutboxEventDetail = toEventDetail(item); // { metadata: { id, type, … }, data: item.payload }
 */
export interface OutboxEventDetail {
  readonly metadata: {
    readonly id: string;
    readonly type: string;
    readonly version: number;
    readonly occurredAt: string;
    readonly aggregateId: string;
    readonly sequence: number;
    readonly correlationId: string;
  };
  readonly data: Readonly<Record<string, unknown>>;
}

/**
 * A stream record classified by {@link mapOutboxRecord}.
 *
 * @example
 * if (mapped.kind === 'entry') publish(mapped.entry);
 */
export type MappedRecord =
  | { readonly kind: 'ignored'; readonly reason: 'not-an-insert' | 'ttl-deletion' | 'not-an-outbox-item' }
  | {
      readonly kind: 'poison';
      readonly reason: PoisonReason;
      readonly message: string;
      readonly violations: readonly ContractViolationLike[];
      readonly eventId?: string;
      /** The aggregate when readable: later events of it wait until this record is dead-lettered. */
      readonly orderingKey?: string;
    }
  | {
      readonly kind: 'entry';
      readonly item: OutboxItem;
      readonly orderingKey: string;
      readonly entry: PutEventsRequestEntry;
    };

/** What {@link mapOutboxRecord} needs. */
export interface MapRecordOptions {
  readonly eventBusName: string;
  readonly contracts: ContractSource;
  /** @default `{ partitionKey: 'pk', sortKey: 'sk' }` */
  readonly keys?: KeyAttributes;
  /** @default 262144 */
  readonly maxRequestBytes?: number;
}

/**
 * The `detail` of an outbox item's event: `{ metadata, data }`, the correlation id carried from the item.
 *
 * @example
 * JSON.stringify(toEventDetail(item));
 */
export function toEventDetail(item: OutboxItem): OutboxEventDetail {
  return {
    metadata: {
      id: item.eventId,
      type: item.eventType,
      version: item.eventVersion,
      occurredAt: item.occurredAt,
      aggregateId: item.aggregateId,
      sequence: item.sequence,
      correlationId: item.correlationId,
    },
    data: item.payload,
  };
}

/**
 * The ordering key of an aggregate's events: `<aggregateType>#<aggregateId>`.
 *
 * @example
 * aggregateOrderingKey({ aggregateType: 'User', aggregateId: '01J…' }); // 'User#01J…'
 */
export function aggregateOrderingKey(item: Pick<OutboxItem, 'aggregateType' | 'aggregateId'>): string {
  return `${item.aggregateType}#${item.aggregateId}`;
}

/**
 * Maps one DynamoDB stream record to a `PutEvents` entry, or says why it is ignored (MODIFY, REMOVE, TTL
 * deletions, items that are not outbox items) or poison (see {@link PoisonReason}). Three steps, each ending the
 * mapping early: read the outbox image, parse it as an outbox item, then check it against its contract and size.
 *
 * @example
 * const mapped = mapOutboxRecord(record, { eventBusName: 'users-events', contracts: eventCatalog });
 */
export function mapOutboxRecord(record: DynamoDBRecord, options: MapRecordOptions): MappedRecord {
  const image = outboxImageOf(record);
  if (image.kind === 'ignored') return image;
  const parsed = parseImage(image.image, options.keys ?? DEFAULT_KEY_ATTRIBUTES);
  if (parsed.kind === 'poison') return parsed;
  return checkedEntry(parsed.item, options);
}

type NewImage = NonNullable<NonNullable<DynamoDBRecord['dynamodb']>['NewImage']>;
type IgnoredRecord = Extract<MappedRecord, { kind: 'ignored' }>;
type PoisonRecord = Extract<MappedRecord, { kind: 'poison' }>;

/** Step 1: the new image of an outbox INSERT, or why the record is none of the relay's business. */
function outboxImageOf(record: DynamoDBRecord): IgnoredRecord | { kind: 'image'; image: NewImage } {
  if (record.eventName !== 'INSERT') {
    const ttl =
      record.eventName === 'REMOVE' && record.userIdentity?.principalId === 'dynamodb.amazonaws.com';
    return { kind: 'ignored', reason: ttl ? 'ttl-deletion' : 'not-an-insert' };
  }
  const image = record.dynamodb?.NewImage;
  if (!image || image[OUTBOX_ATTRIBUTES.itemType]?.S !== OUTBOX_ITEM_TYPE)
    return { kind: 'ignored', reason: 'not-an-outbox-item' };
  return { kind: 'image', image };
}

/**
 * Step 2: the outbox item of an image, or an `unparseable-item` poison record carrying what could be read of its
 * event id and aggregate (so later events of that aggregate wait for it).
 */
function parseImage(image: NewImage, keys: KeyAttributes): PoisonRecord | { kind: 'item'; item: OutboxItem } {
  try {
    return { kind: 'item', item: parseOutboxItem(unmarshall(image as Record<string, AttributeValue>), keys) };
  } catch (error) {
    const rawEventId = image[OUTBOX_ATTRIBUTES.eventId]?.S;
    const rawType = image[OUTBOX_ATTRIBUTES.aggregateType]?.S;
    const rawId = image[OUTBOX_ATTRIBUTES.aggregateId]?.S;
    const field = error instanceof UnparseableOutboxItemError ? error.field : '';
    return {
      kind: 'poison',
      reason: 'unparseable-item',
      message: (error as Error).message,
      violations: [{ path: field, message: (error as Error).message }],
      ...(rawEventId ? { eventId: rawEventId } : {}),
      ...(rawType && rawId ? { orderingKey: `${rawType}#${rawId}` } : {}),
    };
  }
}

/** Step 3: the item's entry once its contract accepts it and it fits a request, else the poison reason. */
function checkedEntry(item: OutboxItem, options: MapRecordOptions): MappedRecord {
  const orderingKey = aggregateOrderingKey(item);
  const poison = (
    reason: PoisonReason,
    message: string,
    violations: readonly ContractViolationLike[] = [],
  ): PoisonRecord => ({ kind: 'poison', reason, message, violations, eventId: item.eventId, orderingKey });
  const contract = resolveContract(options.contracts, item.eventType, item.eventVersion);
  if (!contract) {
    return poison(
      'unknown-event-type',
      `No contract for event type "${item.eventType}" version ${item.eventVersion}; add it to the contracts catalog, then redrive.`,
    );
  }
  if (contract.source !== item.source) {
    const message = `source must be "${contract.source}" for ${item.eventType} v${item.eventVersion}; received "${item.source}".`;
    return poison('contract-violation', message, [{ path: 'source', message }]);
  }
  const detail = toEventDetail(item);
  const violations = contract.validateDetail(detail);
  if (violations.length > 0) {
    return poison(
      'contract-violation',
      `The detail of ${item.eventType} v${item.eventVersion} violates its contract at ${violations.map((v) => v.path).join(', ')}.`,
      violations,
    );
  }
  const entry: PutEventsRequestEntry = {
    Source: item.source,
    DetailType: item.eventType,
    Detail: JSON.stringify(detail),
    EventBusName: options.eventBusName,
    Time: new Date(item.occurredAt),
    // The writer's trace continues on the bus, and from there to each consumer's queue and function.
    ...(item.traceHeader === undefined ? {} : { TraceHeader: item.traceHeader }),
  };
  const size = putEventsEntrySize(entry);
  const limit = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
  if (size > limit) {
    return poison(
      'entry-too-large',
      `The entry is ${size} bytes by EventBridge's entry-size formula; a PutEvents request allows at most ${limit}. ` +
        'Store large documents elsewhere (e.g. S3) and put a reference in the event.',
    );
  }
  return { kind: 'entry', item, orderingKey, entry };
}
