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
import { mapLimited } from '../relay/map-limited';
import type { PoisonReason } from '../relay/map-record';
import { buildPoisonMessage, sendPoisonMessage } from '../relay/poison';
import { publishInOrder, type OrderedEntry } from '../relay/publish-in-order';
import { POISON_ENTRY_ERROR_CODES } from '../relay/retry';
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

type Mapped =
  | { readonly kind: 'events'; readonly entries: readonly OrderedEntry[] }
  | {
      readonly kind: 'poison';
      readonly reason: PoisonReason;
      readonly message: string;
      readonly orderingKey: string;
    };

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
    const done = mapped.map((m) => m.kind === 'events' && m.entries.length === 0);

    const deadLetter = async (index: number, reason: PoisonReason, message: string): Promise<boolean> => {
      const record = records[index] as DynamoDBRecord;
      try {
        await sendPoisonMessage(
          dep('sqs'),
          poisonQueueUrl,
          buildPoisonMessage(record, { reason, message, violations: [] }, new Date(now())),
        );
        logger.warn('change record sent to the poison DLQ', {
          reason,
          sequenceNumber: record.dynamodb?.SequenceNumber,
        });
        return true;
      } catch (error) {
        logger.error('poison DLQ send failed; the record will be retried', {
          reason,
          sequenceNumber: record.dynamodb?.SequenceNumber,
          errorName: (error as Error | undefined)?.name,
        });
        return false;
      }
    };

    // 1. Poison first; a failed DLQ send blocks the later records of its ordering key.
    const poisonIndices = mapped.flatMap((m, i) => (m.kind === 'poison' ? [i] : []));
    const sent = await mapLimited(poisonIndices, concurrency, (i) => {
      const m = mapped[i] as Extract<Mapped, { kind: 'poison' }>;
      return deadLetter(i, m.reason, m.message);
    });
    const blockedFrom = new Map<string, number>();
    poisonIndices.forEach((recordIndex, k) => {
      if (sent[k]) done[recordIndex] = true;
      else {
        const key = (mapped[recordIndex] as Extract<Mapped, { kind: 'poison' }>).orderingKey;
        if (!blockedFrom.has(key)) blockedFrom.set(key, recordIndex);
      }
    });

    // 2. Publish every event of every record, in stream order per ordering key.
    const entryRecord: number[] = [];
    const entries: OrderedEntry[] = [];
    mapped.forEach((m, i) => {
      if (m.kind !== 'events') return;
      for (const entry of m.entries) {
        const blocked = blockedFrom.get(entry.orderingKey);
        if (blocked !== undefined && blocked < i) continue;
        entryRecord.push(i);
        entries.push(entry);
      }
    });
    const result = await publishInOrder(
      entries,
      {
        maxRequestBytes,
        concurrency,
        deadline,
        ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
        onRejected: async (k, errorCode, errorMessage) => {
          if (!POISON_ENTRY_ERROR_CODES.has(errorCode) && errorCode !== 'EntryTooLarge') return false;
          return deadLetter(
            entryRecord[k] as number,
            errorCode === 'EntryTooLarge' ? 'entry-too-large' : 'rejected-by-eventbridge',
            `EventBridge rejected the entry: ${errorCode} ${errorMessage}`.trim(),
          );
        },
      },
      { eventBridge: dep('eventBridge'), now, sleep: dep('sleep'), random: dep('random') },
    );
    const pending = new Map<number, number>();
    entryRecord.forEach((recordIndex) => pending.set(recordIndex, (pending.get(recordIndex) ?? 0) + 1));
    result.outcomes.forEach((outcome, k) => {
      if (outcome.status !== 'published' && outcome.status !== 'dead-lettered') return;
      const recordIndex = entryRecord[k] as number;
      pending.set(recordIndex, (pending.get(recordIndex) ?? 0) - 1);
    });
    mapped.forEach((m, i) => {
      if (m.kind === 'events' && m.entries.length > 0) done[i] = pending.get(i) === 0;
    });

    // 3. Checkpoint at the first record not done.
    const firstNotDone = done.indexOf(false);
    logger.info('change-data-capture batch processed', {
      records: records.length,
      entries: entries.length,
      published: result.outcomes.filter((o) => o.status === 'published').length,
      poison: poisonIndices.filter((_, k) => sent[k]).length,
      requests: result.requests,
      notProcessed: done.filter((x) => !x).length,
    });
    if (firstNotDone === -1) return { batchItemFailures: [] };
    return { batchItemFailures: [{ itemIdentifier: records[firstNotDone]?.dynamodb?.SequenceNumber ?? '' }] };
  };
}

function mapChange<TItem>(
  record: DynamoDBRecord,
  options: ChangeDataCaptureOptions<TItem>,
  keys: KeyAttributes,
  eventBusName: string,
): Mapped {
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
