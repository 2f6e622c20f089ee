import type { Journal } from '../persistence/journal';
import type { ArchivedEvent, ArchivePersistence } from './archives';
import type { EventBridgeEvent } from './put-events-entry';
import type { DeliveryJournal, DeliveryRoute } from './target-delivery';

/** A target delivery not finished when it was written. */
export interface PendingDelivery {
  readonly op: 'pending';
  readonly key: string;
  readonly ruleArn: string;
  readonly targetId: string;
  readonly event: EventBridgeEvent;
  readonly retries: number;
  readonly startedAt: number;
}

/**
 * One change of the local EventBridge state that must outlive a restart: a delivery pending (or finished), an
 * archived event. Rules, targets and buses are declared again by the templates at each start.
 *
 * @example const record: EventsJournalRecord = { op: 'settled', key };
 */
export type EventsJournalRecord =
  | PendingDelivery
  | { readonly op: 'settled'; readonly key: string }
  | ({ readonly op: 'archived' } & ArchivedEvent);

const keyOf = (ruleArn: string, targetId: string, event: EventBridgeEvent): string =>
  `${ruleArn}|${targetId}|${event.id}`;

/**
 * EventBridge's durable part: target retries in progress and archived events, journaled before the call that caused
 * them is answered. A restarted edge resumes a pending delivery when its rule's target is declared again
 * (PutTargets), with the retries and event age it had.
 *
 * @example const persistence = new EventsPersistence(new Journal('.local/edge/events.jsonl'));
 */
export class EventsPersistence implements DeliveryJournal, ArchivePersistence {
  readonly restored = new Map<string, { readonly archivedAt: number; readonly event: EventBridgeEvent }[]>();
  private readonly outstanding = new Map<string, PendingDelivery>();
  private readonly unresumed = new Map<string, PendingDelivery>();
  private archivesOf: () => ArchivedEvent[] = () => [];

  constructor(private readonly journal: Journal<EventsJournalRecord>) {
    for (const record of journal.read()) {
      if (record.op === 'pending') this.unresumed.set(record.key, record);
      else if (record.op === 'settled') this.unresumed.delete(record.key);
      else {
        const events = this.restored.get(record.archive) ?? [];
        events.push({ archivedAt: record.archivedAt, event: record.event });
        this.restored.set(record.archive, events);
      }
    }
    for (const [key, record] of this.unresumed) this.outstanding.set(key, record);
  }

  /** Gives the source of archived events for compaction and rewrites the journal compacted. */
  open(archives: () => ArchivedEvent[]): void {
    this.archivesOf = archives;
    this.compact();
  }

  /** Deliveries restored from the data directory that have not resumed yet. */
  get waitingToResume(): number {
    return this.unresumed.size;
  }

  pending(route: DeliveryRoute, event: EventBridgeEvent, retries: number, startedAt: number): void {
    const key = keyOf(route.ruleArn, route.target.Id, event);
    const record: PendingDelivery = {
      op: 'pending',
      key,
      ruleArn: route.ruleArn,
      targetId: route.target.Id,
      event,
      retries,
      startedAt,
    };
    this.outstanding.set(key, record);
    this.append(record);
  }

  settled(route: DeliveryRoute, event: EventBridgeEvent): void {
    const key = keyOf(route.ruleArn, route.target.Id, event);
    this.outstanding.delete(key);
    this.unresumed.delete(key);
    this.append({ op: 'settled', key });
  }

  record(entry: ArchivedEvent): void {
    this.append({ op: 'archived', ...entry });
  }

  /** Takes the restored deliveries of a target that was just declared again. */
  takeResumable(ruleArn: string, targetId: string): PendingDelivery[] {
    const found = [...this.unresumed.values()].filter(
      (p) => p.ruleArn === ruleArn && p.targetId === targetId,
    );
    for (const p of found) this.unresumed.delete(p.key);
    return found;
  }

  /** Compacts the journal and closes it. */
  close(): void {
    this.compact();
    this.journal.close();
  }

  private append(record: EventsJournalRecord): void {
    this.journal.append(record);
    if (this.journal.appended > 50_000) this.compact();
  }

  private compact(): void {
    this.journal.rewrite([
      ...this.outstanding.values(),
      ...this.archivesOf().map((e) => ({ op: 'archived' as const, ...e })),
    ]);
  }
}
