import { createHash } from 'node:crypto';
import type { RuntimeLogEvent } from '@outboxed/local-runtime';
import type { JournalEntry, TraceIds, TraceOutcome, TraceStep, TraceSummary } from '../model';
import { parseFunctionLine } from './function-lines';
import type { SchemaReader } from './schemas';

/**
 * Options of {@link ConsoleJournal}.
 *
 * @example new ConsoleJournal({ maxEntries: 50_000, now: () => Date.now() });
 */
export interface ConsoleJournalOptions {
  /** Entries kept; the oldest half is dropped when it is reached. @default 500000 */
  readonly maxEntries?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

interface EventState {
  summary: Mutable<TraceSummary>;
  entries: number[];
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Counters of the flow, by edge key (`stream:<function ARN>`, `rule:<rule name>`, `deliver:<target ARN>` …). */
export type FlowCounters = ReadonlyMap<string, number>;

/**
 * The console's indexed, in-memory journal of the runtime's own events: every live-log event and every function
 * log line (Powertools JSON) becomes an entry holding ids, counts and reasons only, indexed by the outbox event id,
 * the user (aggregate) id and the correlation id, so a trace is one lookup however busy the run.
 *
 * @example
 * const journal = new ConsoleJournal();
 * startLocalRuntime({ log: (e) => journal.runtimeLog(e), functionLog: (n, l) => journal.functionLine(n, l) });
 * journal.search('01J…'); // event ids of the traces matching a user, event or correlation id
 */
export class ConsoleJournal {
  private entries: JournalEntry[] = [];
  private firstSeq = 0;
  private nextSeq = 0;
  private readonly events = new Map<string, EventState>();
  /** Event ids in the order they were first seen. */
  private order: string[] = [];
  private readonly byUser = new Map<string, Set<string>>();
  private readonly byCorrelation = new Map<string, Set<string>>();
  /** Entries that carry a correlation id but no event id (the HTTP request). */
  private readonly correlationOnly = new Map<string, number[]>();
  /** Message, bus event, request and idempotency-key ids that lead to an event id. */
  private readonly links = new Map<string, string>();
  /** Entries waiting for one of those links (a DLQ move logged before the consumer named its event). */
  private readonly pending = new Map<string, number[]>();
  private readonly counters = new Map<string, number>();
  /** Per queue ARN: events delivered to it and not yet consumed, with the time delivered. */
  private readonly inQueue = new Map<string, Map<string, number>>();
  /** `<consumer>|<detail type>|<read as>` → written version → count. */
  private readonly seenReaders = new Map<string, Map<string, number>>();
  private readonly dlqReasons = new Map<string, string>();
  private readonly alarmStates = new Map<string, Readonly<Record<string, unknown>>>();
  private readonly listeners = new Set<(seq: number) => void>();
  private functionQueues = new Map<string, string>();
  /** Events of `order` whose idempotency hash is linked already. */
  private hashedUpTo = 0;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: ConsoleJournalOptions = {}) {
    this.maxEntries = options.maxEntries ?? 500_000;
    this.now = options.now ?? Date.now;
  }

  /** The sequence number the next entry gets: it grows with every change. */
  get seq(): number {
    return this.nextSeq;
  }

  /** Emails the local SES accepted in this run (`ses.sent`): the mailbox changed when it grew. */
  get emailsAccepted(): number {
    return this.counters.get('ses.sent') ?? 0;
  }

  /** Number of traces (outbox events) known. */
  get traceCount(): number {
    return this.events.size;
  }

  /** Tells the journal which queue each consumer function reads (from the topology), for the queues' oldest age. */
  setFunctionQueues(functionQueues: ReadonlyMap<string, string>): void {
    this.functionQueues = new Map(functionQueues);
  }

  /** Calls `listener` with the new sequence number after each change; returns the unsubscribe function. */
  onChange(listener: (seq: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Ingests one event of the runtime's live log (`startLocalRuntime({ log })`). */
  runtimeLog(event: RuntimeLogEvent): void {
    const d = event.details ?? {};
    const time = this.now();
    switch (event.kind) {
      case 'stream.delivered':
        return this.streamDelivered(d, time);
      case 'events.put':
      case 'events.rejected':
        return this.putEvents(event.kind, d, time);
      case 'events.matched':
      case 'events.delivered':
      case 'events.retry':
      case 'events.dlq':
      case 'events.dropped':
        return this.eventBridgeRoute(event.kind, d, time);
      case 'sqs.dlq':
      case 'sqs.moved':
        return this.deadLetter(event.kind, d, time);
      case 'sqs.consumed':
        this.count(`consumed:${detail(d, 'queue') ?? ''}`);
        return this.changed();
      case 'ses.sent':
        this.count('ses.sent');
        return this.changed();
      case 'alarm.state': {
        const key = `${detail(d, 'stackName') ?? ''}/${detail(d, 'logicalId') ?? detail(d, 'alarmName') ?? ''}`;
        this.alarmStates.set(key, { ...d, changedAt: new Date(time).toISOString() });
        return this.changed();
      }
      default:
        if (event.kind.startsWith('esm.') || event.kind === 'http.request') {
          this.count(event.kind);
          this.changed();
        }
    }
  }

  /** `stream.delivered`: each outbox record a stream batch handed to the relay. */
  private streamDelivered(d: NonNullable<RuntimeLogEvent['details']>, time: number): void {
    const fn = detail(d, 'function') ?? '';
    this.count(`stream:${fn}`, Number(d.records ?? 0));
    for (const eventId of outboxEventIds(detail(d, 'keys'))) {
      // logged when the relay returns: the record reached it before the relay's PutEvents
      this.add({
        time: Math.min(time, this.firstTimeOf(eventId, 'put-events') ?? time),
        step: 'stream',
        title: `stream record handed to ${shortName(fn)}`,
        actor: shortName(fn),
        ids: { eventId },
        details: { records: d.records, lastSequenceNumber: d.lastSequenceNumber },
      });
    }
  }

  /** `events.put` and `events.rejected`: a PutEvents entry the bus accepted or rejected. */
  private putEvents(
    kind: 'events.put' | 'events.rejected',
    d: NonNullable<RuntimeLogEvent['details']>,
    time: number,
  ): void {
    const str = (key: string) => detail(d, key);
    if (kind === 'events.rejected') {
      this.count('put-rejected');
      this.add({
        time,
        step: 'put-events',
        title: `PutEvents entry rejected: ${str('errorCode') ?? ''}`,
        actor: 'EventBridge',
        outcome: 'failed',
        ids: { eventId: str('detailId') },
        details: { errorCode: str('errorCode'), reason: str('reason') },
      });
      return;
    }
    this.count(`put:${str('bus') ?? ''}`);
    const eventId = str('detailId');
    const busEventId = str('eventId');
    if (eventId && busEventId) this.link(`bus:${busEventId}`, eventId);
    this.add({
      time,
      step: 'put-events',
      title: `PutEvents accepted on ${str('bus') ?? 'the bus'}`,
      actor: 'EventBridge',
      outcome: 'ok',
      ids: { eventId, busEventId },
      details: { bus: str('bus'), detailType: str('detailType'), source: str('source') },
    });
  }

  /** `sqs.dlq` and `sqs.moved`: a message moved to its DLQ, or redriven from it. */
  private deadLetter(
    kind: 'sqs.dlq' | 'sqs.moved',
    d: NonNullable<RuntimeLogEvent['details']>,
    time: number,
  ): void {
    const str = (key: string) => detail(d, key);
    if (kind === 'sqs.dlq') {
      this.dlqReasons.set(str('messageId') ?? '', str('reason') ?? '');
      this.count(`sqs-dlq:${str('deadLetterQueue') ?? ''}`);
      this.add({
        time,
        step: 'dead-letter',
        title: `moved to DLQ ${str('deadLetterQueue') ?? ''}`,
        actor: 'SQS',
        outcome: 'dead-lettered',
        ids: { messageId: str('messageId') },
        details: { queue: str('queue'), deadLetterQueue: str('deadLetterQueue'), reason: str('reason') },
      });
      return;
    }
    this.count(`sqs-moved:${str('from') ?? ''}`);
    this.add({
      time,
      step: 'redrive',
      title: `redriven from ${str('from') ?? ''} to ${str('to') ?? ''}`,
      actor: 'SQS',
      outcome: 'redriven',
      ids: { messageId: str('messageId') },
      details: { from: str('from'), to: str('to') },
    });
  }

  /** Ingests one output line of a function (`startLocalRuntime({ functionLog })`): Powertools JSON logs. */
  functionLine(functionName: string, line: string): void {
    const parsed = parseFunctionLine(functionName, line);
    if (!parsed) return;
    // the time it reached the runtime, as for the runtime's own events: one clock orders the whole timeline
    const time = this.now();
    const { ids } = parsed;
    if (parsed.requestId && (ids.eventId || ids.userId)) {
      // the API logs the user and event ids before the request's completion line
      this.link(`request:${parsed.requestId}`, ids.eventId ?? '');
    }
    if (parsed.idempotencyHash) {
      const eventId = this.eventIdOfIdempotencyHash(parsed.idempotencyHash);
      if (eventId) ids.eventId = eventId;
    }
    if (ids.eventId && ids.messageId) this.link(`message:${ids.messageId}`, ids.eventId);
    if (parsed.step === 'consumer' && parsed.outcome) {
      this.count(`consumer:${functionName}:${parsed.outcome}`);
      if (ids.eventId && parsed.outcome !== 'failed') this.leftQueue(functionName, ids.eventId);
    }
    if (parsed.step === 'http') this.count(`http:${functionName}`);
    if (parsed.step === 'consumer' && parsed.details.readAs !== undefined) {
      const key = `${parsed.actor}|${String(parsed.details.detailType ?? '')}|${String(parsed.details.readAs)}`;
      const versions = this.seenReaders.get(key) ?? new Map<string, number>();
      const written = `v${String(parsed.details.writtenVersion ?? '?')}`;
      versions.set(written, (versions.get(written) ?? 0) + 1);
      this.seenReaders.set(key, versions);
    }
    this.add({
      time,
      step: parsed.step,
      title: parsed.title,
      actor: parsed.actor,
      ...(parsed.outcome ? { outcome: parsed.outcome } : {}),
      ids,
      details: parsed.details,
      ...(parsed.requestId ? { requestKey: `request:${parsed.requestId}` } : {}),
    });
  }

  /**
   * Event ids of the traces matching `query`: an outbox event id, a user (aggregate) id, a correlation id, an
   * EventBridge event id or an SQS message id, exactly.
   *
   * @example journal.search('01J9Z…'); // ['01J9Z…']
   */
  search(query: string): string[] {
    const q = query.trim();
    if (q === '') return [];
    const found = new Set<string>();
    if (this.events.has(q)) found.add(q);
    for (const id of this.byUser.get(q) ?? []) found.add(id);
    for (const id of this.byCorrelation.get(q) ?? []) found.add(id);
    for (const prefix of ['bus:', 'message:', 'request:']) {
      const linked = this.links.get(`${prefix}${q}`);
      if (linked) found.add(linked);
    }
    return [...found].sort((a, b) => this.firstTime(b) - this.firstTime(a));
  }

  /**
   * One page of trace summaries, newest first: all of them, or those matching `query` (see {@link search}).
   *
   * @example journal.traces({ page: 0, pageSize: 50 }).items[0]?.eventId
   */
  traces(options: { query?: string; page?: number; pageSize?: number } = {}): {
    readonly total: number;
    readonly items: readonly TraceSummary[];
  } {
    const pageSize = Math.min(Math.max(options.pageSize ?? 50, 1), 500);
    const page = Math.max(options.page ?? 0, 0);
    if (options.query && options.query.trim() !== '') {
      const ids = this.search(options.query);
      return {
        total: ids.length,
        items: ids.slice(page * pageSize, (page + 1) * pageSize).map(this.summaryOf),
      };
    }
    const total = this.order.length;
    const end = total - page * pageSize;
    const items: TraceSummary[] = [];
    for (let i = end - 1; i >= Math.max(0, end - pageSize); i--) {
      const id = this.order[i];
      if (id !== undefined) items.push(this.summaryOf(id));
    }
    return { total, items };
  }

  /** The timeline of one outbox event: its entries and its HTTP request's, in time order; undefined if unknown. */
  trace(
    eventId: string,
  ): { readonly summary: TraceSummary; readonly entries: readonly JournalEntry[] } | undefined {
    const state = this.events.get(eventId);
    if (!state) return undefined;
    const seqs = new Set(state.entries);
    const correlationId = state.summary.correlationId;
    for (const seq of correlationId ? (this.correlationOnly.get(correlationId) ?? []) : []) seqs.add(seq);
    const entries = [...seqs]
      .map((seq) => this.entry(seq))
      .filter((e): e is JournalEntry => e !== undefined)
      .sort(byTimeThenStep);
    return { summary: this.summaryOf(eventId), entries };
  }

  /** Counters of the flow by edge key, and per queue ARN the number and oldest delivery time of unconsumed events. */
  flowCounters(): {
    counters: FlowCounters;
    queues: ReadonlyMap<string, { count: number; oldest?: number }>;
  } {
    const queues = new Map<string, { count: number; oldest?: number }>();
    for (const [queueArn, events] of this.inQueue) {
      let oldest: number | undefined;
      for (const time of events.values()) oldest = oldest === undefined ? time : Math.min(oldest, time);
      queues.set(queueArn, { count: events.size, ...(oldest === undefined ? {} : { oldest }) });
    }
    return { counters: new Map(this.counters), queues };
  }

  /** The alarm states the runtime reported (`alarm.state` events), by `<stack>/<logical id>`. */
  alarms(): ReadonlyMap<string, Readonly<Record<string, unknown>>> {
    return this.alarmStates;
  }

  /** The consumers seen reading each event type in this run: as which version, and which written versions. */
  readers(): SchemaReader[] {
    return [...this.seenReaders].map(([key, versions]) => {
      const [consumer = '', detailType = '', readsAs = ''] = key.split('|');
      return {
        consumer,
        detailType,
        readsAs: Number(readsAs),
        source: "observed in the consumer's logs",
        seen: Object.fromEntries(versions),
      };
    });
  }

  /** Why SQS moved a message to its DLQ (`received 5 times, maxReceiveCount is 5`), when it was logged. */
  deadLetterReason(messageId: string): string | undefined {
    return this.dlqReasons.get(messageId);
  }

  /** The event id an SQS message id leads to, when a consumer logged it. */
  eventIdOfMessage(messageId: string): string | undefined {
    return this.links.get(`message:${messageId}`);
  }

  private eventBridgeRoute(kind: string, d: NonNullable<RuntimeLogEvent['details']>, time: number): void {
    const str = (key: string) => (typeof d[key] === 'string' ? (d[key] as string) : undefined);
    const rule = str('rule') ?? '';
    const target = str('targetArn') ?? '';
    const busEventId = str('eventId');
    const eventId = str('detailId') ?? (busEventId ? this.links.get(`bus:${busEventId}`) : undefined);
    const ids: TraceIds = { eventId, busEventId };
    const step: Record<string, [TraceStep, string, TraceOutcome | undefined]> = {
      'events.matched': ['rule', `matched rule ${shortName(rule)}`, undefined],
      'events.delivered': [
        'delivery',
        `delivered to ${shortName(target)}${d.retries ? ` after ${String(d.retries)} retries` : ''}`,
        'ok',
      ],
      'events.retry': ['delivery', `delivery to ${shortName(target)} failed, retrying`, 'retry'],
      'events.dlq': [
        'dead-letter',
        `delivery to ${shortName(target)} gave up: sent to the rule's DLQ`,
        'dead-lettered',
      ],
      'events.dropped': ['delivery', `delivery to ${shortName(target)} dropped`, 'failed'],
    };
    const [s, title, outcome] = step[kind] ?? ['delivery', kind, undefined];
    if (kind === 'events.matched') this.count(`rule:${rule}`);
    if (kind === 'events.delivered') {
      this.count(`deliver:${target}`);
      if (eventId && target.split(':')[2] === 'sqs') this.enteredQueue(target, eventId, time);
    }
    if (kind === 'events.retry') this.count(`retry:${target}`);
    this.add({
      time,
      step: s,
      title,
      actor: 'EventBridge',
      ...(outcome ? { outcome } : {}),
      ids,
      details: { rule, target, retries: d.retries, reason: str('reason') },
    });
  }

  /**
   * Powertools idempotency keys are `<prefix>#md5(JSON of the event id)` and a duplicate is logged by key only: the
   * events are hashed when a duplicate first needs it (most runs have none), each once.
   */
  private eventIdOfIdempotencyHash(hash: string): string | undefined {
    let found = this.links.get(`idem:${hash}`);
    while (!found && this.hashedUpTo < this.order.length) {
      const eventId = this.order[this.hashedUpTo++] as string;
      const digest = createHash('md5').update(JSON.stringify(eventId)).digest('hex');
      this.links.set(`idem:${digest}`, eventId);
      if (digest === hash) found = eventId;
    }
    return found;
  }

  private enteredQueue(queueArn: string, eventId: string, time: number): void {
    let events = this.inQueue.get(queueArn);
    if (!events) this.inQueue.set(queueArn, (events = new Map()));
    events.set(eventId, time);
  }

  private leftQueue(functionName: string, eventId: string): void {
    const queueArn = this.functionQueues.get(functionName);
    if (queueArn) this.inQueue.get(queueArn)?.delete(eventId);
  }

  private count(key: string, by = 1): void {
    this.counters.set(key, (this.counters.get(key) ?? 0) + by);
  }

  private link(key: string, eventId: string): void {
    if (eventId === '' || this.links.get(key) === eventId) return;
    this.links.set(key, eventId);
    const waiting = this.pending.get(key);
    if (!waiting) return;
    this.pending.delete(key);
    for (const seq of waiting) {
      const entry = this.entry(seq);
      if (entry && !entry.ids.eventId) {
        const linked = { ...entry, ids: { ...entry.ids, eventId } };
        this.entries[seq - this.firstSeq] = linked;
        this.index(linked);
      }
    }
  }

  private add(entry: Omit<JournalEntry, 'seq'> & { requestKey?: string }): void {
    const { requestKey, ...rest } = entry;
    const ids = { ...rest.ids };
    if (!ids.eventId && ids.messageId) ids.eventId = this.links.get(`message:${ids.messageId}`);
    if (!ids.eventId && requestKey) ids.eventId = this.links.get(requestKey) || undefined;
    const stored: JournalEntry = { ...rest, ids: pruned(ids), seq: this.nextSeq++ };
    this.entries.push(stored);
    if (!stored.ids.eventId) {
      const waitOn = stored.ids.messageId ? `message:${stored.ids.messageId}` : requestKey;
      if (waitOn) {
        const list = this.pending.get(waitOn) ?? [];
        list.push(stored.seq);
        this.pending.set(waitOn, list);
      }
    }
    this.index(stored);
    if (this.entries.length >= this.maxEntries) this.compact();
    this.changed();
  }

  private index(entry: JournalEntry): void {
    const { eventId, userId, correlationId } = entry.ids;
    if (!eventId) {
      if (correlationId) {
        const list = this.correlationOnly.get(correlationId) ?? [];
        list.push(entry.seq);
        this.correlationOnly.set(correlationId, list);
      }
      return;
    }
    let state = this.events.get(eventId);
    if (!state) {
      state = {
        summary: { eventId, firstTime: entry.time, lastTime: entry.time, status: 'in flight', consumers: {} },
        entries: [],
      };
      this.events.set(eventId, state);
      this.order.push(eventId);
    }
    state.entries.push(entry.seq);
    const s = state.summary;
    s.lastTime = Math.max(s.lastTime, entry.time);
    s.firstTime = Math.min(s.firstTime, entry.time);
    if (userId && !s.userId) {
      s.userId = userId;
      addTo(this.byUser, userId, eventId);
    }
    if (correlationId && !s.correlationId) {
      s.correlationId = correlationId;
      addTo(this.byCorrelation, correlationId, eventId);
    }
    const detailType = entry.details.detailType;
    if (typeof detailType === 'string') s.detailType = detailType;
    if (entry.step === 'consumer' && entry.outcome)
      s.consumers = { ...s.consumers, [entry.actor]: entry.outcome };
    if (entry.outcome === 'dead-lettered') s.status = 'dead-lettered';
    else if (entry.outcome === 'redriven' && s.status === 'dead-lettered') s.status = 'redriven';
    else if (entry.step === 'consumer' && s.status !== 'dead-lettered')
      s.status = Object.values(s.consumers).every((o) => o === 'applied' || o === 'duplicate')
        ? 'consumed'
        : 'in flight';
  }

  private readonly summaryOf = (eventId: string): TraceSummary => {
    const state = this.events.get(eventId);
    return state
      ? { ...state.summary, consumers: { ...state.summary.consumers } }
      : { eventId, firstTime: 0, lastTime: 0, status: 'in flight', consumers: {} };
  };

  private firstTimeOf(eventId: string, step: TraceStep): number | undefined {
    for (const seq of this.events.get(eventId)?.entries ?? []) {
      const entry = this.entry(seq);
      if (entry?.step === step) return entry.time;
    }
    return undefined;
  }

  private firstTime(eventId: string): number {
    return this.events.get(eventId)?.summary.firstTime ?? 0;
  }

  private entry(seq: number): JournalEntry | undefined {
    return this.entries[seq - this.firstSeq];
  }

  /** Drops the oldest half of the entries; traces whose entries are all gone are forgotten. */
  private compact(): void {
    const drop = Math.floor(this.entries.length / 2);
    this.entries = this.entries.slice(drop);
    this.firstSeq += drop;
    const kept: string[] = [];
    for (const eventId of this.order) {
      const state = this.events.get(eventId);
      if (!state) continue;
      state.entries = state.entries.filter((seq) => seq >= this.firstSeq);
      if (state.entries.length > 0) kept.push(eventId);
      else {
        this.events.delete(eventId);
        if (state.summary.userId) this.byUser.get(state.summary.userId)?.delete(eventId);
        if (state.summary.correlationId) this.byCorrelation.get(state.summary.correlationId)?.delete(eventId);
      }
    }
    this.order = kept;
    this.hashedUpTo = 0;
    for (const [key, seqs] of this.correlationOnly) {
      const left = seqs.filter((seq) => seq >= this.firstSeq);
      if (left.length === 0) this.correlationOnly.delete(key);
      else this.correlationOnly.set(key, left);
    }
  }

  private changed(): void {
    for (const listener of this.listeners) listener(this.nextSeq);
  }
}

/** The order of the steps an event takes, for entries logged in the same millisecond. */
const STEP_ORDER: readonly TraceStep[] = [
  'http',
  'transaction',
  'stream',
  'relay',
  'put-events',
  'rule',
  'delivery',
  'consumer',
  'dead-letter',
  'redrive',
  'email',
  'record',
  'log',
];

/**
 * Orders a timeline: by time, then by step, then as logged.
 *
 * @example entries.sort(byTimeThenStep);
 */
export function byTimeThenStep(a: JournalEntry, b: JournalEntry): number {
  return a.time - b.time || STEP_ORDER.indexOf(a.step) - STEP_ORDER.indexOf(b.step) || a.seq - b.seq;
}

function addTo(index: Map<string, Set<string>>, key: string, eventId: string): void {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(eventId);
}

function pruned(ids: TraceIds): TraceIds {
  return Object.fromEntries(
    Object.entries(ids).filter(([, v]) => typeof v === 'string' && v !== ''),
  ) as TraceIds;
}

/** Outbox event ids in a `stream.delivered` event's `keys` (`USER#…|OUTBOX#<event id>,…`). */
function outboxEventIds(keys: string | undefined): string[] {
  return [...(keys ?? '').matchAll(/OUTBOX#([^|,]+)/g)].map((m) => m[1] as string);
}

/** The readable part of an ARN, queue URL or physical name: `EmailConsumer-WelcomeEmailConsumerQueue…`. */
export function shortName(id: string): string {
  const last = id.split(/[:/]/).pop() ?? id;
  return last.replace(/-[A-Z0-9]{8,13}$/, '').replace(/[0-9A-F]{8}$/, '');
}

/** A string detail of a live-log event, or undefined. */
function detail(details: NonNullable<RuntimeLogEvent['details']>, key: string): string | undefined {
  const value = details[key];
  return typeof value === 'string' ? value : undefined;
}
