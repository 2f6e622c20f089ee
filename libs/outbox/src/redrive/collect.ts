import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { KeyAttributes, OutboxItem } from '../item/outbox-item';
import { OUTBOX_ATTRIBUTES, OUTBOX_ITEM_TYPE, OUTBOX_SORT_KEY_PREFIX } from '../item/outbox-item';
import type { ContractResolver, ContractSource } from '../relay/contract-resolver';
import { mapOutboxRecord } from '../relay/map-record';
import type { PoisonMessage } from '../relay/poison';
import type { StreamBatchInfo } from './on-failure-record';
import { parseOnFailureRecord } from './on-failure-record';
import type { ItemKey, OutboxTable, RawItem } from './outbox-table';
import { REDRIVEN_AT_ATTRIBUTE } from './outbox-table';
import type { ReceiveAllOptions } from './queue';
import { receiveAll } from './queue';
import type { FailedEvent, RedriveOrigin, SkippedEvent } from './report';
import { readStreamRange } from './stream-range';

/**
 * The three flows of a redrive, each with what it reads:
 * - `on-failure`: the relay's on-failure destination (stream pointers), each pointer resolved from the stream
 *   while retained, else from the table's `occurredAt` window;
 * - `poison`: the relay's poison DLQ, each record re-read from the table and checked against the contracts;
 * - `event-id`: one event named by hand, from its poison message if there is one (other messages stay), else
 *   found in the table; republished even if an earlier redrive did, and without contracts.
 *
 * @example
 * const mode: RedriveMode = { kind: 'event-id', eventId: '01J…', poisonQueueUrl };
 */
export type RedriveMode =
  | { readonly kind: 'on-failure'; readonly queueUrl: string }
  | { readonly kind: 'poison'; readonly queueUrl: string }
  | { readonly kind: 'event-id'; readonly eventId: string; readonly poisonQueueUrl?: string };

/** One SQS message the redrive holds until the end of the run, when it is deleted or released. */
export interface HeldMessage {
  readonly queueUrl: string;
  readonly message: Message;
  readonly origin: Exclude<RedriveOrigin, 'event-id'>;
  /** Something of it failed or must wait: keep it in its queue. */
  keep: boolean;
}

/** An outbox item that passed the relay's checks, to republish with its original event id. */
export interface Candidate {
  readonly item: OutboxItem;
  readonly orderingKey: string;
  readonly entry: PutEventsRequestEntry;
  readonly key: ItemKey;
  readonly origin: RedriveOrigin;
  /** The messages that named it: kept in their queues unless it is republished. */
  readonly messages: HeldMessage[];
}

/** What the flows found, in the order they found it; the publish and settle steps read and complete it. */
export interface RedriveLedger {
  /** By event id: an event named by several messages is republished once. */
  readonly candidates: Map<string, Candidate>;
  readonly held: HeldMessage[];
  readonly skipped: SkippedEvent[];
  readonly failed: FailedEvent[];
  readonly pointers: { fromStream: number; fromTimeWindow: number };
}

/** What every flow checks items with. */
export interface CollectContext {
  readonly table: OutboxTable;
  readonly now: Date;
  readonly eventBusName: string;
  /** @default items are taken as stored (see {@link RedriveMode}) */
  readonly contracts?: ContractSource;
  readonly maxRequestBytes?: number;
  readonly queue?: ReceiveAllOptions;
  /** @default 300 */
  readonly windowSlackSeconds?: number;
}

/** Side effects of the `on-failure` flow. */
export interface OnFailureFlowDeps {
  readonly sqs: Pick<SQSClient, 'send'>;
  readonly streams: Pick<DynamoDBStreamsClient, 'send'>;
}

/** Side effects of the `poison` and `event-id` flows. */
export interface QueueFlowDeps {
  readonly sqs: Pick<SQSClient, 'send'>;
}

/**
 * How a flow treats the items it finds: whether an item an earlier redrive republished is skipped, and whether
 * an item is skipped (`needs-contract-check`) when the run has no contracts.
 */
export interface TargetPolicy {
  readonly origin: RedriveOrigin;
  readonly alreadyRedriven: 'skip' | 'republish';
  readonly withoutContracts: 'skip' | 'republish';
}

/** A reference to an outbox item found in a message: its key, or the item itself (from a scan). */
interface Target {
  readonly key: ItemKey;
  readonly eventId?: string;
  readonly item?: RawItem;
}

const ON_FAILURE_POLICY: TargetPolicy = {
  origin: 'on-failure',
  alreadyRedriven: 'skip',
  // the relay never found these items bad: they are republished as they are
  withoutContracts: 'republish',
};
const POISON_POLICY: TargetPolicy = { origin: 'poison', alreadyRedriven: 'skip', withoutContracts: 'skip' };
const NAMED_POLICY = { alreadyRedriven: 'republish', withoutContracts: 'republish' } as const;

/** DynamoDB Streams keeps a record 24 hours: a pointer older than that is not read from the stream at all. */
const STREAM_RETENTION_MS = 24 * 60 * 60 * 1000;

/** An empty ledger. */
export function newLedger(): RedriveLedger {
  return {
    candidates: new Map(),
    held: [],
    skipped: [],
    failed: [],
    pointers: { fromStream: 0, fromTimeWindow: 0 },
  };
}

/**
 * Checks one item as the relay would and records what became of it: skipped (expired, already redriven,
 * needs a contract check), failed (still poison), or a candidate to republish.
 */
export async function considerTarget(
  target: Target,
  policy: TargetPolicy,
  message: HeldMessage | undefined,
  context: CollectContext,
  ledger: RedriveLedger,
): Promise<void> {
  const { table } = context;
  const raw = target.item ?? (await table.get(target.key));
  const eventId = target.eventId ?? eventIdOf(raw, target.key, table.keys);
  const ids = {
    ...(eventId ? { eventId } : {}),
    origin: policy.origin,
    ...(message?.message.MessageId ? { messageId: message.message.MessageId } : {}),
  };
  const skip = (reason: SkippedEvent['reason']): void => {
    ledger.skipped.push({ ...ids, reason });
  };
  if (!raw || Number(raw[OUTBOX_ATTRIBUTES.ttl]) <= context.now.getTime() / 1000) return skip('expired');
  if (raw[REDRIVEN_AT_ATTRIBUTE] !== undefined && policy.alreadyRedriven === 'skip')
    return skip('already-redriven');
  if (!context.contracts && policy.withoutContracts === 'skip') {
    if (message) message.keep = true;
    return skip('needs-contract-check');
  }
  const mapped = mapOutboxRecord(insertRecordOf(raw), {
    eventBusName: context.eventBusName,
    contracts: context.contracts ?? acceptAsStored(raw),
    keys: table.keys,
    ...(context.maxRequestBytes ? { maxRequestBytes: context.maxRequestBytes } : {}),
  });
  if (mapped.kind !== 'entry') {
    if (message) message.keep = true;
    const reason = mapped.kind === 'poison' ? `${mapped.reason}: ${mapped.message}` : mapped.reason;
    ledger.failed.push({ ...ids, reason });
    return;
  }
  const existing = ledger.candidates.get(mapped.item.eventId);
  if (existing) {
    if (message) existing.messages.push(message);
    return;
  }
  const { item, orderingKey, entry } = mapped;
  const key = table.keyOf(raw);
  const messages = message ? [message] : [];
  ledger.candidates.set(item.eventId, { item, orderingKey, entry, key, origin: policy.origin, messages });
}

/** Receives every message of a queue and holds each (the settle step deletes or releases it). */
async function holdAll(
  sqs: Pick<SQSClient, 'send'>,
  queueUrl: string,
  origin: HeldMessage['origin'],
  context: CollectContext,
  ledger: RedriveLedger,
): Promise<HeldMessage[]> {
  const messages = await receiveAll(sqs, queueUrl, context.queue);
  const held = messages.map((message) => ({ queueUrl, message, origin, keep: false }));
  ledger.held.push(...held);
  return held;
}

/** Keeps the message and reports it failed. */
function failMessage(ledger: RedriveLedger, held: HeldMessage, failure: Omit<FailedEvent, 'origin'>): void {
  held.keep = true;
  const { MessageId } = held.message;
  ledger.failed.push({
    origin: held.origin,
    ...(failure.eventId ? { eventId: failure.eventId } : {}),
    ...(MessageId ? { messageId: MessageId } : {}),
    reason: failure.reason,
  });
}

/** The `on-failure` flow: every pointer of the queue, resolved to the outbox items it covers. */
export async function collectOnFailure(
  mode: Extract<RedriveMode, { kind: 'on-failure' }>,
  context: CollectContext,
  deps: OnFailureFlowDeps,
  ledger: RedriveLedger,
): Promise<void> {
  for (const held of await holdAll(deps.sqs, mode.queueUrl, 'on-failure', context, ledger)) {
    const pointer = parseOnFailureRecord(held.message.Body);
    if (!pointer) {
      failMessage(ledger, held, {
        reason:
          'unrecognized-message: the body is not a Lambda stream on-failure record (DDBStreamBatchInfo)',
      });
      continue;
    }
    try {
      const targets = await pointerTargets(pointer.DDBStreamBatchInfo, context, deps, ledger);
      if (targets.length === 0) {
        const { MessageId } = held.message;
        ledger.skipped.push({
          origin: 'on-failure',
          reason: 'expired',
          ...(MessageId ? { messageId: MessageId } : {}),
        });
      }
      for (const target of targets) await considerTarget(target, ON_FAILURE_POLICY, held, context, ledger);
    } catch (error) {
      failMessage(ledger, held, { reason: `error: ${describeError(error)}` });
    }
  }
}

/** The outbox items a pointer covers: from its stream range while retained, else from the table's time window. */
async function pointerTargets(
  info: StreamBatchInfo,
  context: CollectContext,
  deps: Pick<OnFailureFlowDeps, 'streams'>,
  ledger: RedriveLedger,
): Promise<Target[]> {
  const retained =
    context.now.getTime() - Date.parse(info.approximateArrivalOfFirstRecord) < STREAM_RETENTION_MS;
  const range = retained
    ? await readStreamRange(deps.streams, info)
    : { kind: 'gone' as const, reason: 'older than the stream retention (24 hours)' };
  if (range.kind === 'records') {
    ledger.pointers.fromStream += 1;
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
  ledger.pointers.fromTimeWindow += 1;
  const slack = (context.windowSlackSeconds ?? 300) * 1000;
  const from = new Date(Date.parse(info.approximateArrivalOfFirstRecord) - slack);
  const to = new Date(Date.parse(info.approximateArrivalOfLastRecord) + slack);
  return (await context.table.findInWindow(from, to)).map((item) => ({
    key: context.table.keyOf(item),
    item,
  }));
}

/** The `poison` flow: every record of the poison DLQ, checked again against the contracts. */
export async function collectPoison(
  mode: Extract<RedriveMode, { kind: 'poison' }>,
  context: CollectContext,
  deps: QueueFlowDeps,
  ledger: RedriveLedger,
): Promise<void> {
  for (const held of await holdAll(deps.sqs, mode.queueUrl, 'poison', context, ledger)) {
    await considerPoisonMessage(held, parsePoisonMessage(held.message.Body), POISON_POLICY, context, ledger);
  }
}

/**
 * The `event-id` flow: the poison message of that event if the queue holds one (the others stay, untouched),
 * else the item found in the table by its event id.
 */
export async function collectEventId(
  mode: Extract<RedriveMode, { kind: 'event-id' }>,
  context: CollectContext,
  deps: QueueFlowDeps,
  ledger: RedriveLedger,
): Promise<void> {
  const policy: TargetPolicy = { origin: 'poison', ...NAMED_POLICY };
  let found = false;
  const held = mode.poisonQueueUrl
    ? await holdAll(deps.sqs, mode.poisonQueueUrl, 'poison', context, ledger)
    : [];
  for (const message of held) {
    const poison = parsePoisonMessage(message.message.Body);
    if (poison?.eventId !== mode.eventId) {
      message.keep = true;
      continue;
    }
    const outcome = await considerPoisonMessage(message, poison, policy, context, ledger);
    if (outcome === 'considered') found = true;
  }
  if (found) return;
  const item = await context.table.findByEventId(mode.eventId);
  if (!item) {
    ledger.skipped.push({ eventId: mode.eventId, origin: 'event-id', reason: 'expired' });
    return;
  }
  const target = { key: context.table.keyOf(item), eventId: mode.eventId, item };
  await considerTarget(target, { origin: 'event-id', ...NAMED_POLICY }, undefined, context, ledger);
}

/** One poison message: its item considered, or the message failed (unrecognized, or the check threw). */
async function considerPoisonMessage(
  held: HeldMessage,
  poison: Pick<PoisonMessage, 'eventId' | 'keys'> | undefined,
  policy: TargetPolicy,
  context: CollectContext,
  ledger: RedriveLedger,
): Promise<'considered' | 'unrecognized'> {
  const eventId = poison?.eventId;
  if (!poison?.keys) {
    failMessage(ledger, held, {
      ...(eventId ? { eventId } : {}),
      reason: 'unrecognized-message: the body is not a relay poison message with the item keys',
    });
    return 'unrecognized';
  }
  try {
    await considerTarget(
      { key: stringKey(poison.keys), ...(eventId ? { eventId } : {}) },
      policy,
      held,
      context,
      ledger,
    );
  } catch (error) {
    failMessage(ledger, held, { ...(eventId ? { eventId } : {}), reason: `error: ${describeError(error)}` });
  }
  return 'considered';
}

/** A contract resolver that accepts every item as stored (used when the run has no contracts). */
function acceptAsStored(raw: RawItem): ContractResolver {
  return { find: () => ({ source: String(raw[OUTBOX_ATTRIBUTES.source]), validateDetail: () => [] }) };
}

type DynamoDBNewImage = NonNullable<NonNullable<DynamoDBRecord['dynamodb']>['NewImage']>;

/** The stream record the relay would have seen for this item: an INSERT with the item as its new image. */
function insertRecordOf(raw: RawItem): DynamoDBRecord {
  return {
    eventName: 'INSERT',
    dynamodb: { NewImage: marshall(raw, { removeUndefinedValues: true }) as DynamoDBNewImage },
  };
}

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
export function parsePoisonMessage(
  body: string | undefined,
): Pick<PoisonMessage, 'eventId' | 'keys'> | undefined {
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

/** `Name: message` of an error. */
export function describeError(error: unknown): string {
  const { name, message } = (error ?? {}) as { name?: string; message?: string };
  return `${name ?? 'Error'}: ${message ?? String(error)}`;
}
