import type { AlarmDefinition, AlarmStateValue, ComparisonOperator, MetricSpec } from './types';

/**
 * The outcome of one evaluation: the state, the reason and the newest datapoint.
 *
 * @example const { state, reason } = evaluateAlarm(definition, datapoint, Date.now(), 'OK');
 */
export interface Evaluation {
  readonly state: AlarmStateValue;
  readonly reason: string;
  /** The alarm's value in the current (partial) period, if any. */
  readonly value?: number;
}

/**
 * Reads one metric's statistic over [from, to) (epoch ms), `undefined` when it has no sample there.
 *
 * @example const datapoint: DatapointSource = (m, from, to) => store.statistic(m.namespace, m.metricName, m.dimensions, m.statistic, from, to);
 */
export type DatapointSource = (metric: MetricSpec, from: number, to: number) => number | undefined;

const SYMBOLS: Readonly<Record<ComparisonOperator, string>> = {
  GreaterThanOrEqualToThreshold: '>=',
  GreaterThanThreshold: '>',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '<=',
};

/**
 * Evaluates an alarm as CloudWatch does ("Evaluating an alarm", "Configuring how CloudWatch alarms treat missing
 * data"), on the last `EvaluationPeriods` periods, aligned to the period and the newest one being the current,
 * partial period:
 * - `ALARM` when at least `DatapointsToAlarm` (M) of those N datapoints breach the threshold;
 * - `breaching` / `notBreaching` count a missing datapoint as breaching / not breaching;
 * - `missing` and `ignore` decide only on the datapoints present: `ALARM` as above, `OK` once more than N − M
 *   present datapoints do not breach (the missing ones could not make it `ALARM`); otherwise the state is kept
 *   (CloudWatch's "avoiding premature transitions to alarm state"). With no datapoint at all, `missing` goes to
 *   `INSUFFICIENT_DATA` and `ignore` keeps the state.
 *
 * @example evaluateAlarm(definition, datapoint, Date.now(), 'INSUFFICIENT_DATA').state // 'OK'
 */
export function evaluateAlarm(
  definition: AlarmDefinition,
  datapoint: DatapointSource,
  now: number,
  current: AlarmStateValue,
): Evaluation {
  const { evaluationPeriods: n, datapointsToAlarm: m, treatMissingData: treat } = definition;
  const periodMs = definition.periodSeconds * 1000;
  const currentStart = Math.floor(now / periodMs) * periodMs;
  const values: (number | undefined)[] = [];
  for (let i = n - 1; i >= 0; i -= 1) {
    const from = currentStart - i * periodMs;
    const to = i === 0 ? now + 1 : from + periodMs;
    const points: Record<string, number | undefined> = {};
    for (const metric of definition.metrics) points[metric.id] = datapoint(metric, from, to);
    values.push(definition.value(points));
  }
  const breaches = (v: number) => compare(v, definition.comparisonOperator, definition.threshold);
  let breaching = 0;
  let notBreaching = 0;
  for (const v of values) {
    if (v === undefined) {
      if (treat === 'breaching') breaching += 1;
      else if (treat === 'notBreaching') notBreaching += 1;
    } else if (breaches(v)) breaching += 1;
    else notBreaching += 1;
  }
  const symbol = SYMBOLS[definition.comparisonOperator];
  const shown = `[${values.map(formatValue).join(', ')}]`;
  const context = `${definition.label} per ${definition.periodSeconds} s, newest period partial; missing data: ${treat}`;
  const latest = values.at(-1);
  const withValue = (e: Omit<Evaluation, 'value'>): Evaluation =>
    latest === undefined ? e : { ...e, value: latest };
  if (breaching >= m)
    return withValue({
      state: 'ALARM',
      reason: `${breaching} of the last ${n} datapoints ${shown} ${symbol} ${definition.threshold} (${m} needed; ${context})`,
    });
  if (notBreaching > n - m)
    return withValue({
      state: 'OK',
      reason: `${breaching} of the last ${n} datapoints ${shown} ${symbol} ${definition.threshold} (${m} needed; ${context})`,
    });
  if (breaching + notBreaching === 0 && treat === 'missing')
    return {
      state: 'INSUFFICIENT_DATA',
      reason: `no datapoint in the last ${n} periods (${context})`,
    };
  return withValue({
    state: current,
    reason: `${current} kept: the datapoints present ${shown} cannot decide ${m} of ${n} (${context})`,
  });
}

function compare(value: number, operator: ComparisonOperator, threshold: number): boolean {
  switch (operator) {
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold;
    case 'GreaterThanThreshold':
      return value > threshold;
    case 'LessThanThreshold':
      return value < threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= threshold;
  }
}

function formatValue(value: number | undefined): string {
  return value === undefined ? '-' : String(Number(value.toPrecision(4)));
}
