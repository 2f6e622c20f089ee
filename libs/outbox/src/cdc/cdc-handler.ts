import { EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { RelayConfigurationError } from '../errors';
import { DEFAULT_KEY_ATTRIBUTES, type KeyAttributes } from '../item/outbox-item';
import { DEFAULT_MAX_REQUEST_BYTES } from '../relay/entry-size';
import { RELAY_ENV } from '../relay/environment';
import { processBatch, type BatchRecordMapping } from '../relay/process-batch';
import type { OrderedEntry } from '../relay/publish-in-order';
import type { RelayContext, RelayLogger } from '../relay/relay-handler';
import { toChangeRecord, type ChangeRecord } from './change-record';

/**
 * One event a change-data-capture mapper makes of a change. The `detail` is published as given (JSON).
 *
 * @example
 * const event: ChangeEvent = { source: 'outboxed.users', detailType: 'UserDeleted', detail: { userId } };
 */
export interface ChangeEvent {
  readonly source: string;
  readonly detailType: string;
  readonly detail: Readonly<Record<string, unknown>>;
  /**
   * Events with the same key reach the bus in stream order. @default the item's partition key value (e.g.
   * `ACCOUNT#a1`), which is also the key a poison record of the item holds back
   */
  readonly orderingKey?: string;
  /** @default the record's ApproximateCreationDateTime */
  readonly time?: Date;
  readonly resources?: readonly string[];
}

/** Maps one change to zero, one or several events; `undefined`/`[]` publishes nothing for it. */
export type ChangeMapper<TItem> = (
  change: ChangeRecord<TItem>,
) => ChangeEvent | readonly ChangeEvent[] | undefined | null;

/** Options of {@link createChangeDataCaptureHandler}. */
export interface ChangeDataCaptureOptions<TItem> {
  /** Makes events of a change. Throwing makes the record poison (sent to the poison DLQ with the reason). */
  readonly map: ChangeMapper<TItem>;
  /** Turns an unmarshalled image into `TItem` (e.g. `schema.parse`); throwing makes the record poison. @default the image as is */
  readonly parseImage?: (image: Record<string, unknown>) => TItem;
  /** Bus name or ARN. @default the `EVENT_BUS_NAME` environment variable */
  readonly eventBusName?: string;
  /** Poison DLQ URL. @default the `POISON_QUEUE_URL` environment variable */
  readonly poisonQueueUrl?: string;
  /** Key attribute names; the partition key value is the default ordering key. @default `{ partitionKey: 'pk', sortKey: 'sk' }` */
  readonly keys?: KeyAttributes;
  /** Total entry size of one PutEvents request. @default 262144 */
  readonly maxRequestBytes?: number;
  /** PutEvents requests in flight at once. @default 8 */
  readonly concurrency?: number;
  /** Sends of one entry within one invocation. @default 8 */
  readonly maxAttempts?: number;
  /** Time kept back from `getRemainingTimeInMillis()`. @default 3000 */
  readonly timeBudgetMarginMs?: number;
}

/** Side effects of the change-data-capture handler; tests pass fakes. */
export interface ChangeDataCaptureDeps {
  readonly eventBridge: Pick<EventBridgeClient, 'send'>;
  readonly sqs: Pick<SQSClient, 'send'>;
  readonly logger: RelayLogger;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
  readonly env: Readonly<Record<string, string | undefined>>;
}

function defaultDeps(): ChangeDataCaptureDeps {
  return {
    eventBridge: new EventBridgeClient({
      requestHandler: { requestTimeout: 5_000, connectionTimeout: 2_000 },
    }),
    sqs: new SQSClient({}),
    logger: new Logger({ serviceName: 'outbox-cdc' }),
    now: Date.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
    env: process.env,
  };
}

/**
 * Change-data-capture mode, for tables that have no outbox: a Lambda handler for the table's stream that gives
 * each entity INSERT, MODIFY and REMOVE (TTL expiries included, told apart by `expiredByTtl`) to your `map`
 * function as a typed {@link ChangeRecord}, and publishes the events it returns with the relay's guarantees:
 * the relay's engine ({@link publishInOrder}: ≤10 entries and ≤256 KB a request, bounded concurrency, per-key
 * stream order, only failed entries retried with backoff and full jitter, within the time left); a record whose
 * image does not parse, whose mapper throws, or whose event is too large or malformed goes to the poison DLQ with
 * the reason and the stream moves on; `batchItemFailures` names the first record not done.
 *
 * Unlike the outbox relay, an event id is not fixed at write time: derive one from the record in `detail`
 * (e.g. `streamEventId`) if consumers deduplicate. Map from the stream view type `NEW_AND_OLD_IMAGES` to see
 * both images.
 *
 * @example
 * export const handler = createChangeDataCaptureHandler<User>({
 *   parseImage: (image) => userSchema.parse(image),
 *   map: (change) =>
 *     change.eventName === 'REMOVE'
 *       ? { source: 'outboxed.users', detailType: change.expiredByTtl ? 'UserExpired' : 'UserDeleted',
 *           detail: { id: change.streamEventId, userId: change.oldImage?.userId } }
 *       : undefined,
 * });
 */
export function createChangeDataCaptureHandler<TItem>(
  options: ChangeDataCaptureOptions<TItem>,
  deps: Partial<ChangeDataCaptureDeps> = {},
): (event: DynamoDBStreamEvent, context: RelayContext) => Promise<DynamoDBBatchResponse> {
  let production: ChangeDataCaptureDeps | undefined;
  const dep = <K extends keyof ChangeDataCaptureDeps>(key: K): ChangeDataCaptureDeps[K] =>
    deps[key] ?? (production ??= defaultDeps())[key];
  const keys = options.keys ?? DEFAULT_KEY_ATTRIBUTES;
  const maxRequestBytes = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
  const concurrency = options.concurrency ?? 8;

  return async (event, context) => {
    const env = dep('env');
    const eventBusName = options.eventBusName ?? env[RELAY_ENV.eventBusName];
    const poisonQueueUrl = options.poisonQueueUrl ?? env[RELAY_ENV.poisonQueueUrl];
    if (!eventBusName || !poisonQueueUrl) {
      throw new RelayConfigurationError(
        `The change-data-capture handler needs the bus and the poison DLQ: pass eventBusName and poisonQueueUrl or set ${RELAY_ENV.eventBusName} and ${RELAY_ENV.poisonQueueUrl}; received ${JSON.stringify({ eventBusName, poisonQueueUrl })}.`,
      );
    }
    const logger = dep('logger');
    const now = dep('now');
    const records: readonly DynamoDBRecord[] = event.Records ?? [];
    const deadline = now() + context.getRemainingTimeInMillis() - (options.timeBudgetMarginMs ?? 3_000);
    const mapped = records.map((record) => mapChange(record, options, keys, eventBusName));
    const { batchItemFailures, counts } = await processBatch(
      records,
      mapped,
      {
        poisonQueueUrl,
        concurrency,
        publish: {
          maxRequestBytes,
          deadline,
          ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
        },
        deadLetteredMessage: 'change record sent to the poison DLQ',
      },
      {
        eventBridge: dep('eventBridge'),
        sqs: dep('sqs'),
        logger,
        now,
        sleep: dep('sleep'),
        random: dep('random'),
      },
    );
    logger.info('change-data-capture batch processed', {
      records: records.length,
      entries: counts.entries,
      published: counts.published,
      poison: counts.poisonRecords,
      requests: counts.requests,
      notProcessed: counts.notProcessed,
    });
    return { batchItemFailures };
  };
}

function mapChange<TItem>(
  record: DynamoDBRecord,
  options: ChangeDataCaptureOptions<TItem>,
  keys: KeyAttributes,
  eventBusName: string,
): BatchRecordMapping {
  const defaultKey = defaultOrderingKey(record, keys);
  let events: readonly ChangeEvent[];
  let change: ChangeRecord<TItem>;
  try {
    change = toChangeRecord(record, options.parseImage);
    const made = options.map(change);
    events = made == null ? [] : Array.isArray(made) ? made : [made as ChangeEvent];
  } catch (error) {
    return {
      kind: 'poison',
      reason: 'unparseable-item',
      message: `The change could not be mapped: ${(error as Error).message}`,
      orderingKey: defaultKey,
    };
  }
  const time = change.approximateCreationDateTime;
  const entries = events.map((e): OrderedEntry => {
    const entry: PutEventsRequestEntry = {
      Source: e.source,
      DetailType: e.detailType,
      Detail: JSON.stringify(e.detail),
      EventBusName: eventBusName,
      ...((e.time ?? time) ? { Time: e.time ?? time } : {}),
      ...(e.resources ? { Resources: [...e.resources] } : {}),
    };
    return { orderingKey: e.orderingKey ?? defaultKey, entry };
  });
  return { kind: 'events', entries };
}

/**
 * The item's partition key value as a string (`'ACCOUNT#a1'`): the default ordering key, and the key a poison
 * record holds back (events a mapper gives another `orderingKey` are not held back by it).
 */
function defaultOrderingKey(record: DynamoDBRecord, keys: KeyAttributes): string {
  const raw = record.dynamodb?.Keys ?? {};
  try {
    const native = unmarshall(raw as Record<string, AttributeValue>);
    const value = native[keys.partitionKey];
    return value === undefined ? JSON.stringify(native) : String(value);
  } catch {
    return JSON.stringify(raw);
  }
}
