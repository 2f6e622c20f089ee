import type { RuntimeLog } from '../esm/types';
import type { DeployedStack } from '../template/deploy';
import { parseAlarm } from './alarm-definition';
import { parseEmfLine } from './emf';
import type { EmfDatum } from './emf';
import { evaluateAlarm } from './evaluate';
import { describeMetric, localResources, localSource } from './local-sources';
import type { LocalResources } from './local-sources';
import { MetricStore, formatDimensions } from './metric-store';
import type { AlarmDefinition, AlarmStateValue, LocalAlarmState, MetricSpec } from './types';

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

interface TrackedAlarm {
  readonly stackName: string;
  readonly logicalId: string;
  readonly alarmName: string;
  readonly definition?: AlarmDefinition;
  /** The metric shown for it (the first one of a math expression). */
  readonly metric?: MetricSpec;
  state: LocalAlarmState;
  /** Custom-namespace metrics still unconfirmed by an emission: checked for a mismatch when functions emit. */
  pendingEmf: MetricSpec[];
}

const EMPTY_STATE = 'INSUFFICIENT_DATA' as const;

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
  private readonly alarms: TrackedAlarm[] = [];
  private readonly known: LocalResources;
  private readonly now: () => number;
  private readonly watchedQueues = new Set<string>();
  /** queue name → message id → SentTimestamp, for messages its mapping received and that may still be there */
  private readonly messagesInQueue = new Map<string, Map<string, number>>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly options: AlarmMonitorOptions) {
    this.now = options.now ?? Date.now;
    this.known = localResources(options.stacks);
    const started = new Date(this.now()).toISOString();
    let longest = 3_600_000;
    for (const stack of options.stacks) {
      const stackName = stack.plan.input.stackName;
      let withActions = 0;
      for (const r of stack.resources.values()) {
        if (r.type !== 'AWS::CloudWatch::Alarm') continue;
        const p = r.properties;
        if (
          ['AlarmActions', 'OKActions', 'InsufficientDataActions'].some(
            (k) => (p[k] as unknown[] | undefined)?.length,
          )
        )
          withActions += 1;
        const parsed = parseAlarm(p);
        const alarmName = r.identity.ref;
        const base = { stackName, logicalId: r.logicalId, alarmName };
        let definition: AlarmDefinition | undefined;
        let metric: MetricSpec | undefined;
        let notEvaluated: string | undefined;
        if (parsed.kind === 'evaluated') {
          definition = parsed.definition;
          metric = definition.metrics[0];
          const unproduced = definition.metrics
            .map((m) => localSource(m, this.known))
            .find((s): s is { produced: false; reason: string } => !s.produced);
          if (unproduced) notEvaluated = unproduced.reason;
          longest = Math.max(longest, 2 * definition.periodSeconds * 1000 * definition.evaluationPeriods);
        } else {
          metric = parsed.metric;
          notEvaluated = parsed.reason;
        }
        const tracked: TrackedAlarm = {
          ...base,
          ...(notEvaluated === undefined && definition ? { definition } : {}),
          ...(metric ? { metric } : {}),
          state: {
            ...base,
            state: EMPTY_STATE,
            reason:
              notEvaluated === undefined ? 'not evaluated yet' : `not evaluated locally: ${notEvaluated}`,
            evaluatedLocally: notEvaluated === undefined,
            dimensions: metric?.dimensions ?? {},
            ...(metric ? { namespace: metric.namespace, metricName: metric.metricName } : {}),
            ...(definition
              ? { threshold: definition.threshold, comparisonOperator: definition.comparisonOperator }
              : {}),
            stateUpdatedAt: started,
          },
          pendingEmf:
            notEvaluated === undefined && definition
              ? definition.metrics.filter((m) => !m.namespace.startsWith('AWS/'))
              : [],
        };
        this.alarms.push(tracked);
        if (notEvaluated !== undefined)
          options.log({
            kind: 'alarm.not-evaluated',
            message: `${stackName}/${alarmName} not evaluated locally: ${notEvaluated} (it stays INSUFFICIENT_DATA)`,
            details: { stackName, logicalId: r.logicalId, alarmName, reason: notEvaluated },
          });
        for (const m of definition && notEvaluated === undefined ? definition.metrics : []) {
          const source = localSource(m, this.known);
          if (source.produced && source.neverFires) this.neverFires(tracked, m, source.neverFires);
          if (m.namespace === 'AWS/SQS' && m.dimensions.QueueName !== undefined)
            this.watchedQueues.add(m.dimensions.QueueName);
        }
      }
      if (withActions > 0)
        options.log({
          kind: 'alarm.actions',
          message: `${stackName}: the actions of its ${withActions} alarm(s) (SNS notifications) are not delivered locally, SNS being ignored: state changes show here instead`,
          details: { stackName, alarms: withActions },
        });
    }
    this.store = new MetricStore(longest);
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
      if (next.state !== previous) this.logChange(alarm, previous);
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
        this.neverFires(alarm, m, `${functionName} emits ${unique(sameName).join('; ')}`);
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

  private neverFires(alarm: TrackedAlarm, metric: MetricSpec, why: string): void {
    this.options.log({
      kind: 'alarm.never-fires',
      message: `${alarm.stackName}/${alarm.alarmName} would never fire: it watches ${describeMetric(metric)}, but ${why}`,
      details: {
        stackName: alarm.stackName,
        logicalId: alarm.logicalId,
        alarmName: alarm.alarmName,
        namespace: metric.namespace,
        metricName: metric.metricName,
        dimensions: formatDimensions(metric.dimensions),
        reason: why,
      },
    });
  }

  private logChange(alarm: TrackedAlarm, previous: AlarmStateValue): void {
    const s = alarm.state;
    this.options.log({
      kind: 'alarm.state',
      message: `${s.state}  ${s.stackName}/${s.alarmName}: ${s.reason} (was ${previous})`,
      details: {
        stackName: s.stackName,
        logicalId: s.logicalId,
        alarmName: s.alarmName,
        state: s.state,
        previousState: previous,
        reason: s.reason,
        namespace: s.namespace,
        metricName: s.metricName,
        dimensions: formatDimensions(s.dimensions),
      },
    });
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
