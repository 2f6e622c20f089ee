import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { KeyAttributes } from '../item/outbox-item';
import { DEFAULT_KEY_ATTRIBUTES } from '../item/outbox-item';
import type { ContractSource } from '../relay/contract-resolver';
import type { PublishOptions } from '../relay/publish-in-order';
import { publishInOrder } from '../relay/publish-in-order';
import type { Candidate, CollectContext, HeldMessage, RedriveLedger, RedriveMode } from './collect';
import { collectEventId, collectOnFailure, collectPoison, newLedger } from './collect';
import { OutboxTable } from './outbox-table';
import type { ReceiveAllOptions } from './queue';
import { deleteMessage, releaseMessage } from './queue';
import type { RedriveReport, RepublishedEvent } from './report';

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
  const table = new OutboxTable(deps.dynamodb, options.tableName, options.keys ?? DEFAULT_KEY_ATTRIBUTES);
  const context: CollectContext = {
    table,
    now,
    eventBusName: options.eventBusName,
    ...(options.contracts ? { contracts: options.contracts } : {}),
    ...(options.publish?.maxRequestBytes ? { maxRequestBytes: options.publish.maxRequestBytes } : {}),
    ...(options.queue ? { queue: options.queue } : {}),
    ...(options.windowSlackSeconds === undefined ? {} : { windowSlackSeconds: options.windowSlackSeconds }),
  };
  const ledger = newLedger();
  for (const mode of redriveModes(options)) await collect(mode, context, deps, ledger);
  const dryRun = options.dryRun ?? false;
  const republished = dryRun
    ? orderedCandidates(ledger).map(describeCandidate)
    : await publishCandidates(ledger, options.publish, { eventBridge: deps.eventBridge, table, now });
  const messages = await settleMessages(ledger.held, dryRun, deps.sqs);
  const { skipped, failed, pointers } = ledger;
  return { dryRun, republished, skipped, failed, messages, pointers };
}

/**
 * The flows a run is made of: the one event named by `eventId` (its poison message, else the table), or else the
 * on-failure queue then the poison queue, each when given.
 *
 * @example
 * redriveModes({ tableName, eventBusName, eventId: '01J…', poisonQueueUrl }); // [{ kind: 'event-id', … }]
 */
export function redriveModes(
  options: Pick<RedriveOptions, 'eventId' | 'onFailureQueueUrl' | 'poisonQueueUrl'>,
): RedriveMode[] {
  const { eventId, onFailureQueueUrl, poisonQueueUrl } = options;
  if (eventId !== undefined)
    return [{ kind: 'event-id', eventId, ...(poisonQueueUrl ? { poisonQueueUrl } : {}) }];
  return [
    ...(onFailureQueueUrl ? [{ kind: 'on-failure' as const, queueUrl: onFailureQueueUrl }] : []),
    ...(poisonQueueUrl ? [{ kind: 'poison' as const, queueUrl: poisonQueueUrl }] : []),
  ];
}

/** Runs one flow with the dependencies it needs. */
function collect(
  mode: RedriveMode,
  context: CollectContext,
  deps: RedriveDeps,
  ledger: RedriveLedger,
): Promise<void> {
  switch (mode.kind) {
    case 'on-failure':
      return collectOnFailure(mode, context, { sqs: deps.sqs, streams: deps.streams }, ledger);
    case 'poison':
      return collectPoison(mode, context, { sqs: deps.sqs }, ledger);
    case 'event-id':
      return collectEventId(mode, context, { sqs: deps.sqs }, ledger);
  }
}

/** The candidates in aggregate and sequence order (the order `publishInOrder` keeps per aggregate). */
function orderedCandidates(ledger: RedriveLedger): Candidate[] {
  return [...ledger.candidates.values()].sort(
    (a, b) =>
      a.item.aggregateType.localeCompare(b.item.aggregateType) ||
      a.item.aggregateId.localeCompare(b.item.aggregateId) ||
      a.item.sequence - b.item.sequence,
  );
}

function describeCandidate(c: Candidate): RepublishedEvent {
  return {
    eventId: c.item.eventId,
    eventType: c.item.eventType,
    aggregateId: c.item.aggregateId,
    origin: c.origin,
  };
}

/** Side effects of the publish step. */
interface PublishStepDeps {
  readonly eventBridge: Pick<EventBridgeClient, 'send'>;
  readonly table: OutboxTable;
  readonly now: Date;
}

/**
 * Publishes the candidates with the relay's engine; marks each published item `redrivenAt`, and reports the
 * others failed with their messages kept.
 */
async function publishCandidates(
  ledger: RedriveLedger,
  publish: RedriveOptions['publish'],
  deps: PublishStepDeps,
): Promise<RepublishedEvent[]> {
  const ordered = orderedCandidates(ledger);
  if (ordered.length === 0) return [];
  const { outcomes } = await publishInOrder(
    ordered.map((c) => ({ orderingKey: c.orderingKey, entry: c.entry })),
    { ...publish },
    { eventBridge: deps.eventBridge },
  );
  const republished: RepublishedEvent[] = [];
  for (const [index, candidate] of ordered.entries()) {
    const outcome = outcomes[index];
    if (outcome?.status === 'published') {
      await deps.table.markRedriven(candidate.key, deps.now);
      republished.push(describeCandidate(candidate));
      continue;
    }
    for (const message of candidate.messages) message.keep = true;
    const reason =
      outcome?.status === 'failed'
        ? `PutEvents ${outcome.errorCode}: ${outcome.errorMessage}`
        : `not sent: ${outcome?.status === 'not-sent' ? outcome.reason : 'unknown'}`;
    ledger.failed.push({ eventId: candidate.item.eventId, origin: candidate.origin, reason });
  }
  return republished;
}

/** Deletes each held message that is done with, releases (makes visible again) the others; in a dry run, all. */
async function settleMessages(
  held: readonly HeldMessage[],
  dryRun: boolean,
  sqs: Pick<SQSClient, 'send'>,
): Promise<RedriveReport['messages']> {
  const counts = { onFailure: { received: 0, deleted: 0 }, poison: { received: 0, deleted: 0 } };
  for (const message of held) {
    const count = message.origin === 'on-failure' ? counts.onFailure : counts.poison;
    count.received += 1;
    if (message.keep || dryRun) {
      await releaseMessage(sqs, message.queueUrl, message.message);
    } else {
      await deleteMessage(sqs, message.queueUrl, message.message);
      count.deleted += 1;
    }
  }
  return counts;
}
