/**
 * Which emulated service a {@link EdgeLogEvent} comes from.
 *
 * @example const service: EdgeService = 'sqs';
 */
export type EdgeService = 'events' | 'sqs' | 'ses' | 'schemas' | 'ssm' | 'edge';

/**
 * One line of the edge's live log: what happened to an event or message, with ids and reasons, never payloads
 * (events carry emails and names).
 *
 * @example
 * startEdge({ onEvent: (e) => console.log(`[${e.service}] ${e.message}`) });
 */
export interface EdgeLogEvent {
  /** ISO-8601 time the thing happened. */
  readonly time: string;
  readonly service: EdgeService;
  /** A stable kind: `events.put`, `events.rejected`, `events.matched`, `events.delivered`, `events.retry`, `events.dlq`, `sqs.dlq`, `sqs.moved`, `ses.sent` … */
  readonly kind: string;
  /** One readable line. */
  readonly message: string;
  /** Ids, names, counts and reasons behind `message`. */
  readonly details: Readonly<Record<string, string | number | boolean | undefined>>;
}

/**
 * Callback receiving the live log.
 *
 * @example const listener: EdgeLogListener = (e) => console.log(`[${e.service}] ${e.message}`);
 */
export type EdgeLogListener = (event: EdgeLogEvent) => void;

/** Internal: emits log events to the listener, if any, never letting a throwing listener break the emulator. */
export class EdgeLog {
  constructor(private readonly listener?: EdgeLogListener) {}

  emit(service: EdgeService, kind: string, message: string, details: EdgeLogEvent['details'] = {}): void {
    if (!this.listener) return;
    try {
      this.listener({ time: new Date().toISOString(), service, kind, message, details });
    } catch {
      // a faulty listener must not break delivery
    }
  }
}
