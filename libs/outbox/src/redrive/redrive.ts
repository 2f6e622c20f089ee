import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { EventBridgeClient, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { KeyAttributes, OutboxItem } from '../item/outbox-item';
import {
  DEFAULT_KEY_ATTRIBUTES,
  OUTBOX_ATTRIBUTES,
  OUTBOX_ITEM_TYPE,
  OUTBOX_SORT_KEY_PREFIX,
} from '../item/outbox-item';
import type { ContractResolver, ContractSource } from '../relay/contract-resolver';
import { mapOutboxRecord } from '../relay/map-record';
import type { PoisonMessage } from '../relay/poison';
import type { PublishOptions } from '../relay/publish-in-order';
import { publishInOrder } from '../relay/publish-in-order';
import type { StreamBatchInfo } from './on-failure-record';
import { parseOnFailureRecord } from './on-failure-record';
import type { ItemKey, RawItem } from './outbox-table';
import { OutboxTable, REDRIVEN_AT_ATTRIBUTE } from './outbox-table';
import type { ReceiveAllOptions } from './queue';
import { deleteMessage, receiveAll, releaseMessage } from './queue';
import type { FailedEvent, RedriveOrigin, RedriveReport, RepublishedEvent, SkippedEvent } from './report';
import { readStreamRange } from './stream-range';

/** What to redrive, from where, to where. */
export interface RedriveOptions {
  /** The table holding the outbox items. */
  readonly tableName: string;
  /** Name or ARN of the bus to republish to. */
  readonly eventBusName: string;
  /** The relay's on-failure destination (stream pointers). @default not read */
  readonly onFailureQueueUrl?: string;
  /** The relay's poison DLQ. @default not read */
  readonly poisonQueueUrl?: string;
  /** The table's key attribute names. @default `{ partitionKey: 'pk', sortKey: 'sk' }` */
  readonly keys?: KeyAttributes;
  /** Report what would be republished; publish, mark and delete nothing. @default false */
  readonly dryRun?: boolean;
  /**
   * Republish this one event (e.g. a poison record fixed by hand in the table), even if an earlier redrive
   * republished it; its poison message, if any, is deleted. The on-failure queue is not touched.
   * @default every message of both queues
   */
  readonly eventId?: string;
  /**
   * The event contracts, in any shape the relay takes (`eventCatalog` or `findContract` of `@outboxed/contracts`): each item is checked again as the relay
   * checks it, so a poison record is republished only once it is valid. Without them, on-failure items are
   * republished as they are (the relay never found them bad) and poison messages are skipped
   * (`needs-contract-check`) unless named by `eventId`.
   * @default none
   */
  readonly contracts?: ContractSource;
  /**
   * When a pointer's stream range is gone (older than 24 hours), outbox items whose `occurredAt` lies within this
   * many seconds around the pointer's `approximateArrivalOfFirstRecord`/`…LastRecord` are republished.
   * @default 300
   */
  readonly windowSlackSeconds?: number;
  /** How queues are read. */
  readonly queue?: ReceiveAllOptions;
  /** Publishing engine tuning (the relay's `publishInOrder`). */
  readonly publish?: Omit<PublishOptions, 'onRejected'>;
}

/** Clients and clock of {@link redrive}. */
export interface RedriveDeps {
  readonly dynamodb: Pick<DynamoDBClient, 'send'>;
  readonly streams: Pick<DynamoDBStreamsClient, 'send'>;
  readonly sqs: Pick<SQSClient, 'send'>;
  readonly eventBridge: Pick<EventBridgeClient, 'send'>;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** DynamoDB Streams keeps a record 24 hours: a pointer older than that is not read from the stream at all. */
const STREAM_RETENTION_MS = 24 * 60 * 60 * 1000;

interface HeldMessage {
  readonly queueUrl: string;
  readonly message: Message;
  readonly origin: Exclude<RedriveOrigin, 'event-id'>;
  /** Something of it failed or must wait: keep it in its queue. */
  keep: boolean;
}

interface Candidate {
  readonly item: OutboxItem;
  readonly orderingKey: string;
  readonly entry: PutEventsRequestEntry;
  readonly key: ItemKey;
  readonly origin: RedriveOrigin;
  readonly messages: HeldMessage[];
}

/** A reference to an outbox item found in a message: its key, or the item itself (from a scan). */
type Target = { readonly key: ItemKey; readonly eventId?: string; readonly item?: RawItem };

/**
 * Republishes what the relay could not: the outbox items an on-failure pointer covers and the records in the
 * poison DLQ, re-read from the table (they live until their TTL) and sent with their ORIGINAL event ids through
 * the relay's own mapping and publishing engine (per-aggregate order, only failed entries retried).
 *
 * An on-failure pointer (`DDBStreamBatchInfo`) is resolved by reading its stream range again; once the stream
 * has trimmed it (24 hours), by scanning the table for outbox items that occurred in the pointer's time window
 * (a superset: events already delivered are republished too, and consumers deduplicate on `metadata.id`).
 *
 * Idempotent: each republished item gets `redrivenAt` (conditional update, never recreating an expired item)
 * and is skipped by later runs; a message is deleted only once every event it holds is republished or skipped;
 * what failed stays in its queue and is made visible again at once.
 *
 * @example
 * const report = await redrive(
 *   { tableName: 'users', eventBusName: 'users-events', onFailureQueueUrl, poisonQueueUrl, contracts: eventCatalog },
 *   { dynamodb, streams, sqs, eventBridge },
 * );
 * console.log(report.republished.length, report.skipped.length, report.failed.length);
 */
export async function redrive(options: RedriveOptions, deps: RedriveDeps): Promise<RedriveReport> {
  const now = (deps.now ?? (() => new Date()))();
  const keys = options.keys ?? DEFAULT_KEY_ATTRIBUTES;
  const table = new OutboxTable(deps.dynamodb, options.tableName, keys);
  const republished: RepublishedEvent[] = [];
  const skipped: SkippedEvent[] = [];
  const failed: FailedEvent[] = [];
  const pointers = { fromStream: 0, fromTimeWindow: 0 };
  const held: HeldMessage[] = [];
  const candidates = new Map<string, Candidate>();
  const forcedId = options.eventId;

  const consider = async (target: Target, origin: RedriveOrigin, message: HeldMessage | undefined) => {
    const raw = target.item ?? (await table.get(target.key));
    const eventId = target.eventId ?? eventIdOf(raw, target.key, keys);
    const messageId = message?.message.MessageId;
    const skip = (reason: SkippedEvent['reason']) =>
      skipped.push({ ...(eventId ? { eventId } : {}), origin, reason, ...(messageId ? { messageId } : {}) });
    if (!raw || Number(raw[OUTBOX_ATTRIBUTES.ttl]) <= now.getTime() / 1000) return skip('expired');
    const forced = eventId !== undefined && eventId === forcedId;
    if (raw[REDRIVEN_AT_ATTRIBUTE] !== undefined && !forced) return skip('already-redriven');
    if (origin === 'poison' && !options.contracts && !forced) {
      if (message) message.keep = true;
      return skip('needs-contract-check');
    }
    const mapped = mapOutboxRecord(insertRecordOf(raw), {
      eventBusName: options.eventBusName,
      contracts: options.contracts ?? acceptAsStored(raw),
      keys,
      ...(options.publish?.maxRequestBytes ? { maxRequestBytes: options.publish.maxRequestBytes } : {}),
    });
    if (mapped.kind !== 'entry') {
      if (message) message.keep = true;
      const reason = mapped.kind === 'poison' ? `${mapped.reason}: ${mapped.message}` : mapped.reason;
      failed.push({ ...(eventId ? { eventId } : {}), origin, ...(messageId ? { messageId } : {}), reason });
      return;
    }
    const existing = candidates.get(mapped.item.eventId);
    if (existing) {
      if (message) existing.messages.push(message);
      return;
    }
    candidates.set(mapped.item.eventId, {
      item: mapped.item,
      orderingKey: mapped.orderingKey,
      entry: mapped.entry,
      key: table.keyOf(raw),
      origin,
      messages: message ? [message] : [],
    });
  };

  /** The outbox items a pointer covers: from its stream range while retained, else from the table's time window. */
  const pointerTargets = async (info: StreamBatchInfo): Promise<Target[]> => {
    const retained = now.getTime() - Date.parse(info.approximateArrivalOfFirstRecord) < STREAM_RETENTION_MS;
    const range = retained
      ? await readStreamRange(deps.streams as DynamoDBStreamsClient, info)
      : { kind: 'gone' as const, reason: 'older than the stream retention (24 hours)' };
    if (range.kind === 'records') {
      pointers.fromStream += 1;
      return range.records
        .filter(
          (r) =>
            r.eventName === 'INSERT' &&
            r.dynamodb?.NewImage?.[OUTBOX_ATTRIBUTES.itemType]?.S === OUTBOX_ITEM_TYPE,
        )
        .map((r) => {
          const eventId = r.dynamodb?.NewImage?.[OUTBOX_ATTRIBUTES.eventId]?.S;
          return { key: nativeKey(r.dynamodb?.Keys ?? {}), ...(eventId ? { eventId } : {}) };
        });
    }
    pointers.fromTimeWindow += 1;
    const slack = (options.windowSlackSeconds ?? 300) * 1000;
    const from = new Date(Date.parse(info.approximateArrivalOfFirstRecord) - slack);
    const to = new Date(Date.parse(info.approximateArrivalOfLastRecord) + slack);
    return (await table.findInWindow(from, to)).map((item) => ({ key: table.keyOf(item), item }));
  };

  if (options.onFailureQueueUrl && forcedId === undefined) {
    for (const message of await receiveAll(deps.sqs, options.onFailureQueueUrl, options.queue)) {
      const heldMessage: HeldMessage = {
        queueUrl: options.onFailureQueueUrl,
        message,
        origin: 'on-failure',
        keep: false,
      };
      held.push(heldMessage);
      const pointer = parseOnFailureRecord(message.Body);
      if (!pointer) {
        heldMessage.keep = true;
        failed.push({
          origin: 'on-failure',
          ...(message.MessageId ? { messageId: message.MessageId } : {}),
          reason:
            'unrecognized-message: the body is not a Lambda stream on-failure record (DDBStreamBatchInfo)',
        });
        continue;
      }
      try {
        const targets = await pointerTargets(pointer.DDBStreamBatchInfo);
        if (targets.length === 0) {
          skipped.push({
            origin: 'on-failure',
            reason: 'expired',
            ...(message.MessageId ? { messageId: message.MessageId } : {}),
          });
        }
        for (const target of targets) await consider(target, 'on-failure', heldMessage);
      } catch (error) {
        heldMessage.keep = true;
        failed.push({
          origin: 'on-failure',
          ...(message.MessageId ? { messageId: message.MessageId } : {}),
          reason: `error: ${describeError(error)}`,
        });
      }
    }
  }

  let forcedFound = false;
  if (options.poisonQueueUrl) {
    for (const message of await receiveAll(deps.sqs, options.poisonQueueUrl, options.queue)) {
      const heldMessage: HeldMessage = {
        queueUrl: options.poisonQueueUrl,
        message,
        origin: 'poison',
        keep: false,
      };
      held.push(heldMessage);
      const poison = parsePoisonMessage(message.Body);
      if (forcedId !== undefined && poison?.eventId !== forcedId) {
        heldMessage.keep = true;
        continue;
      }
      if (!poison?.keys) {
        heldMessage.keep = true;
        failed.push({
          origin: 'poison',
          ...(poison?.eventId ? { eventId: poison.eventId } : {}),
          ...(message.MessageId ? { messageId: message.MessageId } : {}),
          reason: 'unrecognized-message: the body is not a relay poison message with the item keys',
        });
        continue;
      }
      forcedFound ||= forcedId !== undefined;
      try {
        await consider(
          { key: stringKey(poison.keys), ...(poison.eventId ? { eventId: poison.eventId } : {}) },
          'poison',
          heldMessage,
        );
      } catch (error) {
        heldMessage.keep = true;
        failed.push({
          origin: 'poison',
          ...(poison.eventId ? { eventId: poison.eventId } : {}),
          ...(message.MessageId ? { messageId: message.MessageId } : {}),
          reason: `error: ${describeError(error)}`,
        });
      }
    }
  }
  if (forcedId !== undefined && !forcedFound) {
    const item = await table.findByEventId(forcedId);
    if (item) await consider({ key: table.keyOf(item), eventId: forcedId, item }, 'event-id', undefined);
    else skipped.push({ eventId: forcedId, origin: 'event-id', reason: 'expired' });
  }

  const ordered = [...candidates.values()].sort(
    (a, b) =>
      a.item.aggregateType.localeCompare(b.item.aggregateType) ||
      a.item.aggregateId.localeCompare(b.item.aggregateId) ||
      a.item.sequence - b.item.sequence,
  );
  const describe = (c: Candidate): RepublishedEvent => ({
    eventId: c.item.eventId,
    eventType: c.item.eventType,
    aggregateId: c.item.aggregateId,
    origin: c.origin,
  });
  if (options.dryRun) {
    republished.push(...ordered.map(describe));
  } else if (ordered.length > 0) {
    const { outcomes } = await publishInOrder(
      ordered.map((c) => ({ orderingKey: c.orderingKey, entry: c.entry })),
      { ...options.publish },
      { eventBridge: deps.eventBridge },
    );
    for (const [index, candidate] of ordered.entries()) {
      const outcome = outcomes[index];
      if (outcome?.status === 'published') {
        await table.markRedriven(candidate.key, now);
        republished.push(describe(candidate));
        continue;
      }
      for (const message of candidate.messages) message.keep = true;
      const reason =
        outcome?.status === 'failed'
          ? `PutEvents ${outcome.errorCode}: ${outcome.errorMessage}`
          : `not sent: ${outcome?.status === 'not-sent' ? outcome.reason : 'unknown'}`;
      failed.push({ eventId: candidate.item.eventId, origin: candidate.origin, reason });
    }
  }

  const counts = { onFailure: { received: 0, deleted: 0 }, poison: { received: 0, deleted: 0 } };
  for (const message of held) {
    const count = message.origin === 'on-failure' ? counts.onFailure : counts.poison;
    count.received += 1;
    if (message.keep || options.dryRun) {
      await releaseMessage(deps.sqs, message.queueUrl, message.message);
    } else {
      await deleteMessage(deps.sqs, message.queueUrl, message.message);
      count.deleted += 1;
    }
  }
  return { dryRun: options.dryRun ?? false, republished, skipped, failed, messages: counts, pointers };
}

/** A contract resolver that accepts every item as stored (used when the run has no contracts). */
function acceptAsStored(raw: RawItem): ContractResolver {
  return { find: () => ({ source: String(raw[OUTBOX_ATTRIBUTES.source]), validateDetail: () => [] }) };
}

/** The stream record the relay would have seen for this item: an INSERT with the item as its new image. */
function insertRecordOf(raw: RawItem): DynamoDBRecord {
  return {
    eventName: 'INSERT',
    dynamodb: { NewImage: marshall(raw, { removeUndefinedValues: true }) as DynamoDBNewImage },
  };
}

type DynamoDBNewImage = NonNullable<NonNullable<DynamoDBRecord['dynamodb']>['NewImage']>;

function nativeKey(marshalled: Record<string, unknown>): ItemKey {
  return stringKey(unmarshall(marshalled as Record<string, AttributeValue>));
}

function stringKey(native: Readonly<Record<string, unknown>>): ItemKey {
  return Object.fromEntries(Object.entries(native).map(([name, value]) => [name, String(value)]));
}

function eventIdOf(raw: RawItem | undefined, key: ItemKey, keys: KeyAttributes): string | undefined {
  const stored = raw?.[OUTBOX_ATTRIBUTES.eventId];
  if (typeof stored === 'string') return stored;
  const sortKey = key[keys.sortKey];
  return sortKey?.startsWith(OUTBOX_SORT_KEY_PREFIX)
    ? sortKey.slice(OUTBOX_SORT_KEY_PREFIX.length)
    : undefined;
}

/** The relay's poison message ({@link PoisonMessage}), or `undefined` when the body is not one. */
function parsePoisonMessage(body: string | undefined): Pick<PoisonMessage, 'eventId' | 'keys'> | undefined {
  try {
    const parsed = JSON.parse(body ?? '') as Partial<PoisonMessage> | null;
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const keys = typeof parsed.keys === 'object' && parsed.keys !== null ? parsed.keys : undefined;
    return {
      ...(typeof parsed.eventId === 'string' ? { eventId: parsed.eventId } : {}),
      ...(keys ? { keys } : {}),
    };
  } catch {
    return undefined;
  }
}

function describeError(error: unknown): string {
  const { name, message } = (error ?? {}) as { name?: string; message?: string };
  return `${name ?? 'Error'}: ${message ?? String(error)}`;
}
