import type { RuntimeLog } from '../esm/types';
import type { DeployedStack } from '../template/deploy';
import { parseEmfLine } from './emf';
import type { EmfDatum } from './emf';
import { evaluateAlarm } from './evaluate';
import { describeMetric, localResources } from './local-sources';
import type { LocalResources } from './local-sources';
import { MetricStore } from './metric-store';
import { logNeverFires, logStateChange, trackAlarms } from './track-alarms';
import type { TrackedAlarm } from './track-alarms';
import type { LocalAlarmState, MetricSpec } from './types';

/**
 * What {@link AlarmMonitor} needs from the runtime.
 *
 * @example new AlarmMonitor({ stacks, log, queueAttributes: (url) => getAttributes(url) });
 */
export interface AlarmMonitorOptions {
  readonly stacks: readonly DeployedStack[];
  readonly log: RuntimeLog;
  /** A queue's attributes (`GetQueueAttributes` with `All`). @default no queue is polled */
  readonly queueAttributes?: (queueUrl: string) => Promise<Readonly<Record<string, string>>>;
  /** How often the queues are polled and the alarms evaluated. @default 5000 */
  readonly intervalMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * Evaluates a stack set's `AWS::CloudWatch::Alarm`s on what the runtime observes (Lambda invocations, the
 * functions' EMF lines, queue attributes, HTTP requests, EventBridge deliveries) and logs each state change as
 * `alarm.state`. An alarm whose metric no local source produces is logged once as `alarm.not-evaluated` and stays
 * `INSUFFICIENT_DATA`; one whose dimensions name nothing that runs, or whose EMF namespace or dimensions differ from
 * what the functions emit, is logged once as `alarm.never-fires`.
 *
 * @example
 * const monitor = new AlarmMonitor({ stacks, log });
 * monitor.start();
 * monitor.states(); // [{ alarmName: 'Orders-DlqAlarm-X', state: 'OK', … }]
 */
export class AlarmMonitor {
  private readonly store: MetricStore;
  private readonly alarms: readonly TrackedAlarm[];
  private readonly known: LocalResources;
  private readonly now: () => number;
  private readonly watchedQueues: ReadonlySet<string>;
  /** queue name → message id → SentTimestamp, for messages its mapping received and that may still be there */
  private readonly messagesInQueue = new Map<string, Map<string, number>>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly options: AlarmMonitorOptions) {
    this.now = options.now ?? Date.now;
    this.known = localResources(options.stacks);
    const tracked = trackAlarms(options.stacks, this.known, options.log, new Date(this.now()).toISOString());
    this.alarms = tracked.alarms;
    this.watchedQueues = tracked.watchedQueues;
    this.store = new MetricStore(tracked.retentionMs);
  }

  /** Each alarm's current state. */
  states(): readonly LocalAlarmState[] {
    return this.alarms.map((a) => a.state);
  }

  /** Polls the queues and evaluates every `intervalMs` until {@link stop}. */
  start(): void {
    const tick = () => {
      this.running ??= this.evaluate().finally(() => (this.running = undefined));
    };
    tick();
    this.timer = setInterval(tick, this.options.intervalMs ?? 5000);
    this.timer.unref();
  }

  /** Stops evaluating (waits for an evaluation in progress). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Polls the watched queues, then evaluates every alarm once and logs the state changes. */
  async evaluate(): Promise<void> {
    await this.pollQueues();
    const now = this.now();
    for (const alarm of this.alarms) {
      if (!alarm.definition) continue;
      const previous = alarm.state.state;
      const next = evaluateAlarm(
        alarm.definition,
        (m, from, to) => this.store.statistic(m.namespace, m.metricName, m.dimensions, m.statistic, from, to),
        now,
        previous,
      );
      const { value: _old, ...rest } = alarm.state;
      alarm.state = {
        ...rest,
        state: next.state,
        reason: next.reason,
        ...(next.value === undefined ? {} : { value: next.value }),
        ...(next.state === previous
          ? {}
          : { previousState: previous, stateUpdatedAt: new Date(now).toISOString() }),
      };
      if (next.state !== previous) logStateChange(this.options.log, alarm.state, previous);
    }
  }

  /**
   * Runs an invocation and records its `AWS/Lambda` metrics (and, for a stream batch, `IteratorAge`; for a queue
   * batch, the messages' ages).
   */
  async observeInvocation(
    functionName: string,
    event: unknown,
    invoke: () => Promise<unknown>,
  ): Promise<unknown> {
    const started = this.now();
    const records = ((event as { Records?: unknown } | null)?.Records ?? []) as readonly Record<
      string,
      unknown
    >[];
    const lastStreamRecord = records.at(-1)?.dynamodb as { ApproximateCreationDateTime?: number } | undefined;
    if (lastStreamRecord?.ApproximateCreationDateTime !== undefined)
      this.lambda(
        functionName,
        'IteratorAge',
        Math.max(0, started - lastStreamRecord.ApproximateCreationDateTime * 1000),
      );
    const queued = records.filter((r) => r.eventSource === 'aws:sqs');
    for (const r of queued) {
      const queue = String(r.eventSourceARN).split(':').at(-1) ?? '';
      const sent = Number((r.attributes as { SentTimestamp?: string } | undefined)?.SentTimestamp);
      if (!this.messagesInQueue.has(queue)) this.messagesInQueue.set(queue, new Map());
      if (Number.isFinite(sent)) this.messagesInQueue.get(queue)?.set(String(r.messageId), sent);
    }
    const done = (failed: ReadonlySet<string> | 'all') => {
      for (const r of queued) {
        const id = String(r.messageId);
        if (failed !== 'all' && !failed.has(id))
          this.messagesInQueue.get(String(r.eventSourceARN).split(':').at(-1) ?? '')?.delete(id);
      }
    };
    try {
      const result = await invoke();
      this.lambda(functionName, 'Invocations', 1);
      this.lambda(functionName, 'Errors', 0);
      this.lambda(functionName, 'Duration', this.now() - started);
      const failures = (result as { batchItemFailures?: unknown } | null)?.batchItemFailures;
      done(
        Array.isArray(failures)
          ? new Set(failures.map((f) => String((f as { itemIdentifier?: unknown }).itemIdentifier)))
          : new Set(),
      );
      return result;
    } catch (error) {
      if ((error as { errorType?: string }).errorType !== 'ResourceNotFoundException') {
        this.lambda(functionName, 'Invocations', 1);
        this.lambda(functionName, 'Errors', 1);
        this.lambda(functionName, 'Duration', this.now() - started);
      }
      done('all');
      throw error;
    }
  }

  /** Reads the EMF metrics in a line a function printed; checks the custom-namespace alarms against them. */
  observeFunctionLine(functionName: string, line: string): void {
    const data = parseEmfLine(line);
    if (data.length === 0) return;
    const now = this.now();
    for (const d of data)
      for (const v of d.values) this.store.record(d.namespace, d.metricName, d.dimensions, v, now);
    for (const alarm of this.alarms) {
      if (alarm.pendingEmf.length === 0) continue;
      alarm.pendingEmf = alarm.pendingEmf.filter((m) => {
        if (this.store.has(m.namespace, m.metricName, m.dimensions)) return false;
        const sameName = data.filter((d) => d.metricName === m.metricName);
        if (sameName.length === 0) return true;
        // another value of a dimension like `outcome` may come later; another namespace, other dimension names or
        // another Powertools `service` (one per function) will not
        if (!sameName.every((d) => mismatches(m, d))) return true;
        logNeverFires(this.options.log, alarm, m, `${functionName} emits ${unique(sameName).join('; ')}`);
        return false;
      });
    }
  }

  /** Records an HTTP API request's `AWS/ApiGateway` metrics. */
  observeHttpRequest(apiId: string, status: number, latencyMs: number): void {
    const now = this.now();
    const stage = this.known.apis.get(apiId) ?? '$default';
    for (const dims of [{ ApiId: apiId }, { ApiId: apiId, Stage: stage }] as Record<string, string>[]) {
      this.store.record('AWS/ApiGateway', 'Count', dims, 1, now);
      this.store.record('AWS/ApiGateway', '4xx', dims, status >= 400 && status < 500 ? 1 : 0, now);
      this.store.record('AWS/ApiGateway', '5xx', dims, status >= 500 ? 1 : 0, now);
      this.store.record('AWS/ApiGateway', 'Latency', dims, latencyMs, now);
    }
  }

  /** Records `AWS/Events` deliveries from the edge's log, and forgets messages the edge moved to a DLQ. */
  observeEdgeEvent(event: {
    readonly kind: string;
    readonly details?: Readonly<Record<string, unknown>>;
  }): void {
    const details = event.details ?? {};
    if (event.kind === 'sqs.dlq' && typeof details.messageId === 'string')
      for (const messages of this.messagesInQueue.values()) messages.delete(details.messageId);
    const rule = typeof details.rule === 'string' ? details.rule : undefined;
    if (!rule || !event.kind.startsWith('events.')) return;
    const metrics: Record<string, string[]> = {
      'events.delivered': ['Invocations'],
      'events.dlq': ['Invocations', 'FailedInvocations', 'InvocationsSentToDlq'],
      'events.dropped': ['Invocations', 'FailedInvocations'],
    };
    const now = this.now();
    const bus = this.known.rules.get(rule) ?? 'default';
    for (const name of metrics[event.kind] ?? [])
      for (const dims of [{ RuleName: rule }, { EventBusName: bus, RuleName: rule }] as Record<
        string,
        string
      >[])
        this.store.record('AWS/Events', name, dims, 1, now);
  }

  /** Records a Lambda metric when the invocation ends (samples are recorded in time order). */
  private lambda(functionName: string, metric: string, value: number): void {
    const now = this.now();
    this.store.record('AWS/Lambda', metric, { FunctionName: functionName }, value, now);
    this.store.record('AWS/Lambda', metric, {}, value, now);
  }

  private async pollQueues(): Promise<void> {
    const attributes = this.options.queueAttributes;
    if (!attributes) return;
    await Promise.all(
      [...this.watchedQueues].map(async (name) => {
        const url = this.known.queues.get(name);
        if (!url) return;
        let a: Readonly<Record<string, string>>;
        try {
          a = await attributes(url);
        } catch {
          return; // a stopping edge: no datapoint
        }
        const now = this.now();
        const dims = { QueueName: name };
        for (const metric of [
          'ApproximateNumberOfMessagesVisible',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ] as const) {
          const source =
            metric === 'ApproximateNumberOfMessagesVisible' ? 'ApproximateNumberOfMessages' : metric;
          if (a[source] !== undefined) this.store.record('AWS/SQS', metric, dims, Number(a[source]), now);
        }
        const held = [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ]
          .map((k) => Number(a[k] ?? 0))
          .reduce((x, y) => x + y, 0);
        const sent = [...(this.messagesInQueue.get(name)?.values() ?? [])];
        if (held === 0) {
          this.messagesInQueue.get(name)?.clear();
          this.store.record('AWS/SQS', 'ApproximateAgeOfOldestMessage', dims, 0, now);
        } else if (sent.length > 0)
          this.store.record(
            'AWS/SQS',
            'ApproximateAgeOfOldestMessage',
            dims,
            Math.floor((now - Math.min(...sent)) / 1000),
            now,
          );
      }),
    );
  }
}

/** An emitted series that can never become the watched one: namespace, dimension names or `service` differ. */
function mismatches(watched: MetricSpec, emitted: EmfDatum): boolean {
  const names = (d: Readonly<Record<string, string>>) => Object.keys(d).sort().join('+');
  return (
    emitted.namespace !== watched.namespace ||
    names(emitted.dimensions) !== names(watched.dimensions) ||
    emitted.dimensions.service !== watched.dimensions.service
  );
}

function unique(data: readonly EmfDatum[]): string[] {
  return [...new Set(data.map((d) => describeMetric(d)))];
}
