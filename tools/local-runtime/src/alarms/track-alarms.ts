import type { RuntimeLog } from '../esm/types';
import type { DeployedResource, DeployedStack } from '../template/deploy';
import { parseAlarm } from './alarm-definition';
import { describeMetric, localSource } from './local-sources';
import type { LocalResources } from './local-sources';
import { formatDimensions } from './metric-store';
import type { AlarmDefinition, AlarmStateValue, LocalAlarmState, MetricSpec } from './types';

/**
 * One synthesized alarm the monitor follows: its definition (when it is evaluated locally) and its current state.
 *
 * @example const tracked: TrackedAlarm = trackAlarms(stacks, known, log, now).alarms[0];
 */
export interface TrackedAlarm {
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

/**
 * Reads the stacks' `AWS::CloudWatch::Alarm`s and reports at start, once each: an alarm not evaluated locally
 * (`alarm.not-evaluated`), one whose dimensions name nothing that runs (`alarm.never-fires`), and per stack that alarm
 * actions are not delivered (`alarm.actions`). Gives the alarms, the queues they watch and how long samples are kept
 * (twice the longest evaluation range, at least an hour).
 *
 * @example const { alarms, watchedQueues } = trackAlarms(runtime.stacks, localResources(runtime.stacks), log, new Date().toISOString());
 */
export function trackAlarms(
  stacks: readonly DeployedStack[],
  known: LocalResources,
  log: RuntimeLog,
  started: string,
): { alarms: TrackedAlarm[]; watchedQueues: Set<string>; retentionMs: number } {
  const alarms: TrackedAlarm[] = [];
  for (const stack of stacks) {
    const stackName = stack.plan.input.stackName;
    const resources = [...stack.resources.values()].filter((r) => r.type === 'AWS::CloudWatch::Alarm');
    alarms.push(...resources.map((r) => trackAlarm(stackName, r, known, log, started)));
    const withActions = resources.filter((r) =>
      ['AlarmActions', 'OKActions', 'InsufficientDataActions'].some(
        (k) => ((r.properties[k] as unknown[] | undefined)?.length ?? 0) > 0,
      ),
    ).length;
    if (withActions > 0)
      log({
        kind: 'alarm.actions',
        message: `${stackName}: the actions of its ${withActions} alarm(s) (SNS notifications) are not delivered locally, SNS being ignored: state changes show here instead`,
        details: { stackName, alarms: withActions },
      });
  }
  const evaluated = alarms.flatMap((a) => (a.definition ? [a.definition] : []));
  return {
    alarms,
    watchedQueues: new Set(
      evaluated.flatMap((d) =>
        d.metrics.filter((m) => m.namespace === 'AWS/SQS').flatMap((m) => m.dimensions.QueueName ?? []),
      ),
    ),
    retentionMs: Math.max(
      3_600_000,
      ...evaluated.map((d) => 2 * d.periodSeconds * 1000 * d.evaluationPeriods),
    ),
  };
}

/** One alarm: parsed, checked against the local sources (reported once), in `INSUFFICIENT_DATA` until evaluated. */
function trackAlarm(
  stackName: string,
  resource: DeployedResource,
  known: LocalResources,
  log: RuntimeLog,
  started: string,
): TrackedAlarm {
  const parsed = parseAlarm(resource.properties);
  const base = { stackName, logicalId: resource.logicalId, alarmName: resource.identity.ref };
  const definition = parsed.kind === 'evaluated' ? parsed.definition : undefined;
  const metric = definition
    ? definition.metrics[0]
    : parsed.kind === 'not-evaluated'
      ? parsed.metric
      : undefined;
  const sources = (definition?.metrics ?? []).map((m) => ({ m, source: localSource(m, known) }));
  const notEvaluated =
    parsed.kind === 'not-evaluated'
      ? parsed.reason
      : sources.flatMap(({ source }) => (source.produced ? [] : [source.reason]))[0];
  const evaluated = notEvaluated === undefined ? definition : undefined;
  const tracked: TrackedAlarm = {
    ...base,
    ...(evaluated ? { definition: evaluated } : {}),
    ...(metric ? { metric } : {}),
    state: {
      ...base,
      state: 'INSUFFICIENT_DATA',
      reason: evaluated ? 'not evaluated yet' : `not evaluated locally: ${notEvaluated ?? ''}`,
      evaluatedLocally: evaluated !== undefined,
      dimensions: metric?.dimensions ?? {},
      ...(metric ? { namespace: metric.namespace, metricName: metric.metricName } : {}),
      ...(definition
        ? { threshold: definition.threshold, comparisonOperator: definition.comparisonOperator }
        : {}),
      stateUpdatedAt: started,
    },
    pendingEmf: evaluated ? evaluated.metrics.filter((m) => !m.namespace.startsWith('AWS/')) : [],
  };
  if (notEvaluated !== undefined)
    log({
      kind: 'alarm.not-evaluated',
      message: `${stackName}/${base.alarmName} not evaluated locally: ${notEvaluated} (it stays INSUFFICIENT_DATA)`,
      details: { ...base, reason: notEvaluated },
    });
  else
    for (const { m, source } of sources)
      if (source.produced && source.neverFires) logNeverFires(log, tracked, m, source.neverFires);
  return tracked;
}

/**
 * Logs `alarm.never-fires` for an alarm's metric, with why.
 *
 * @example logNeverFires(log, tracked, metric, 'no queue named Orders-Dlq runs locally');
 */
export function logNeverFires(log: RuntimeLog, alarm: TrackedAlarm, metric: MetricSpec, why: string): void {
  log({
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

/**
 * Logs `alarm.state` for a state change.
 *
 * @example logStateChange(log, alarm.state, 'OK'); // 'ALARM  Orders/Orders-DlqAlarm-X: 1 of the last 1 datapoints [1] >= 1 (…) (was OK)'
 */
export function logStateChange(log: RuntimeLog, s: LocalAlarmState, previous: AlarmStateValue): void {
  log({
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
