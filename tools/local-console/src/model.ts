// Shapes the console's server sends its UI (JSON over HTTP): ids, counts, times and reasons, never payloads, except
// the payload endpoints the UI calls when the developer opens one.

/** A step of an event's way through the system, in the order it happens. */
export type TraceStep =
  | 'http'
  | 'transaction'
  | 'stream'
  | 'relay'
  | 'put-events'
  | 'rule'
  | 'delivery'
  | 'consumer'
  | 'dead-letter'
  | 'redrive'
  | 'email'
  | 'record'
  | 'log';

/** What came of a step. */
export type TraceOutcome =
  'ok' | 'applied' | 'duplicate' | 'rejected' | 'failed' | 'retry' | 'dead-lettered' | 'redriven';

/** The ids an entry carries; `eventId` is the outbox event id (`detail.metadata.id`), the trace's key. */
export interface TraceIds {
  eventId?: string;
  userId?: string;
  correlationId?: string;
  messageId?: string;
  busEventId?: string;
}

/**
 * One entry of the journal: one thing that happened, with ids, counts and reasons.
 *
 * @example { seq: 7, time: 1733300000000, step: 'consumer', title: 'event applied', actor: 'WelcomeEmailConsumerFunction', outcome: 'applied', ids: { eventId: '01J…' }, details: {} }
 */
export interface JournalEntry {
  readonly seq: number;
  /** Epoch milliseconds. */
  readonly time: number;
  readonly step: TraceStep;
  readonly title: string;
  /** Who did it: a function's display name, `EventBridge`, `SQS`, `SES`. */
  readonly actor: string;
  readonly outcome?: TraceOutcome;
  readonly ids: TraceIds;
  readonly details: Readonly<Record<string, string | number | boolean | undefined>>;
}

/**
 * What a trace list shows of one event.
 *
 * @example { eventId: '01J…', userId: '01J…', status: 'consumed', consumers: { AuditTrailConsumerFunction: 'applied' } }
 */
export interface TraceSummary {
  readonly eventId: string;
  readonly userId?: string;
  readonly correlationId?: string;
  readonly detailType?: string;
  readonly firstTime: number;
  readonly lastTime: number;
  readonly status: 'in flight' | 'consumed' | 'dead-lettered' | 'redriven';
  /** Last outcome per consumer function. */
  readonly consumers: Readonly<Record<string, TraceOutcome>>;
}

/** A node of the Flow view. */
export interface FlowNode {
  readonly id: string;
  readonly kind: 'api' | 'function' | 'table' | 'bus' | 'rule' | 'queue' | 'dlq' | 'mailbox';
  readonly label: string;
  readonly stack: string;
  /** Messages in a queue now (visible + in flight), when it is one. */
  readonly depth?: number;
}

/** An edge of the Flow view with what went along it. */
export interface FlowEdge {
  readonly from: string;
  readonly to: string;
  readonly label: string;
  /** What went along it in this run, when the journal counts it (writes to a table are not logged). */
  readonly count?: number;
  /** Age in milliseconds of the oldest event that went along and is not yet consumed. */
  readonly oldestAgeMs?: number;
}

/** A dead-letter queue (consumer DLQ, relay poison or on-failure queue) and its messages. */
export interface DeadLetterQueue {
  readonly arn: string;
  readonly url: string;
  readonly name: string;
  readonly stack: string;
  readonly kind: 'consumer-dlq' | 'rule-dlq' | 'relay-poison' | 'relay-on-failure';
  /** How a redrive is done: `start-message-move-task` back to the source queue, or the relay's redrive function. */
  readonly redrive: 'message-move' | 'redrive-function' | 'none';
  readonly messages: readonly DeadLetter[];
}

/** One message of a dead-letter queue: ids and the reason, its body only when opened. */
export interface DeadLetter {
  readonly messageId: string;
  readonly eventId?: string;
  readonly reason: string;
  readonly sentAt?: string;
  readonly receiveCount?: number;
}
