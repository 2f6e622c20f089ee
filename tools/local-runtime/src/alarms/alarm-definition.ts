import { isSupportedStatistic } from './metric-store';
import { compileExpression } from './math';
import type { AlarmDefinition, ComparisonOperator, MetricSpec, TreatMissingData } from './types';

/**
 * What the runtime makes of an `AWS::CloudWatch::Alarm`'s resolved properties: a definition it evaluates, or the
 * reason it cannot (then the alarm stays `INSUFFICIENT_DATA` and the reason is logged once).
 *
 * @example const parsed = parseAlarm(resource.properties); if (parsed.kind === 'evaluated') parsed.definition.threshold;
 */
export type ParsedAlarm =
  | { readonly kind: 'evaluated'; readonly definition: AlarmDefinition }
  | { readonly kind: 'not-evaluated'; readonly reason: string; readonly metric?: MetricSpec };

const OPERATORS: readonly ComparisonOperator[] = [
  'GreaterThanOrEqualToThreshold',
  'GreaterThanThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
];
const TREATMENTS: readonly TreatMissingData[] = ['missing', 'ignore', 'breaching', 'notBreaching'];

/**
 * Reads an alarm's resolved CloudFormation properties: a single metric (`Namespace`, `MetricName`, `Dimensions`,
 * `Statistic` or `ExtendedStatistic`, `Period`) or `Metrics` (metric stats and the arithmetic subset of metric math,
 * see `compileExpression`), with `Threshold`, `ComparisonOperator`, `EvaluationPeriods`, `DatapointsToAlarm`
 * (default: `EvaluationPeriods`) and `TreatMissingData` (default `missing`).
 *
 * @example parseAlarm({ Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: 'f' }], Statistic: 'Sum', Period: 60, EvaluationPeriods: 3, Threshold: 5, ComparisonOperator: 'GreaterThanOrEqualToThreshold' })
 */
export function parseAlarm(p: Readonly<Record<string, unknown>>): ParsedAlarm {
  let metrics: MetricSpec[];
  let value: AlarmDefinition['value'];
  let label: string;
  if (Array.isArray(p.Metrics)) {
    const parsed = parseMetricQueries(p.Metrics as readonly Record<string, unknown>[]);
    if ('reason' in parsed) return { kind: 'not-evaluated', ...parsed };
    ({ metrics, value, label } = parsed);
  } else {
    const metric = metricSpec('m1', {
      Namespace: p.Namespace,
      MetricName: p.MetricName,
      Dimensions: p.Dimensions,
      Period: p.Period,
      Stat: p.Statistic ?? p.ExtendedStatistic,
    });
    if ('reason' in metric) return { kind: 'not-evaluated', reason: metric.reason };
    metrics = [metric];
    value = (d) => d.m1;
    label = `${metric.statistic} of ${metric.namespace} ${metric.metricName}`;
  }
  const first = metrics[0];
  const operator = String(p.ComparisonOperator ?? '');
  if (!OPERATORS.includes(operator as ComparisonOperator))
    return {
      kind: 'not-evaluated',
      reason: `comparison operator ${operator || '(none)'} (anomaly detection bands are not evaluated locally)`,
      ...(first ? { metric: first } : {}),
    };
  if (p.ThresholdMetricId !== undefined || typeof p.Threshold !== 'number')
    return {
      kind: 'not-evaluated',
      reason: 'the alarm has no numeric Threshold (a ThresholdMetricId band is not evaluated locally)',
      ...(first ? { metric: first } : {}),
    };
  const treat = String(p.TreatMissingData ?? 'missing');
  const evaluationPeriods = Number(p.EvaluationPeriods ?? 1);
  return {
    kind: 'evaluated',
    definition: {
      metrics,
      value,
      label,
      periodSeconds: first?.periodSeconds ?? Number(p.Period ?? 60),
      evaluationPeriods,
      datapointsToAlarm: Number(p.DatapointsToAlarm ?? evaluationPeriods),
      threshold: p.Threshold,
      comparisonOperator: operator as ComparisonOperator,
      treatMissingData: TREATMENTS.includes(treat as TreatMissingData)
        ? (treat as TreatMissingData)
        : 'missing',
    },
  };
}

function metricSpec(id: string, m: Readonly<Record<string, unknown>>): MetricSpec | { reason: string } {
  const namespace = m.Namespace;
  const metricName = m.MetricName;
  if (typeof namespace !== 'string' || typeof metricName !== 'string')
    return { reason: `metric ${id} has no Namespace and MetricName` };
  const dimensions: Record<string, string> = {};
  for (const d of (m.Dimensions ?? []) as readonly { Name?: unknown; Value?: unknown }[])
    dimensions[String(d.Name)] = String(d.Value);
  const statistic = String(m.Stat ?? '');
  if (!isSupportedStatistic(statistic))
    return {
      reason: `statistic ${statistic || '(none)'} of ${namespace} ${metricName} is not computed locally`,
    };
  return { id, namespace, metricName, dimensions, statistic, periodSeconds: Number(m.Period ?? 60) };
}

function parseMetricQueries(
  queries: readonly Record<string, unknown>[],
):
  | { metrics: MetricSpec[]; value: AlarmDefinition['value']; label: string }
  | { reason: string; metric?: MetricSpec } {
  const metrics: MetricSpec[] = [];
  const expressions: { id: string; expression: string }[] = [];
  for (const q of queries) {
    const id = String(q.Id);
    const stat = q.MetricStat as Record<string, unknown> | undefined;
    if (stat) {
      const spec = metricSpec(id, {
        ...(stat.Metric as Record<string, unknown>),
        Period: stat.Period ?? q.Period,
        Stat: stat.Stat,
      });
      if ('reason' in spec) return spec;
      metrics.push(spec);
    } else if (typeof q.Expression === 'string') expressions.push({ id, expression: q.Expression });
    else return { reason: `metric query ${id} has neither MetricStat nor Expression` };
  }
  const returned = queries.filter((q) => q.ReturnData !== false);
  const result = returned.length === 1 ? String(returned[0]?.Id) : undefined;
  if (result === undefined)
    return {
      reason: `${returned.length} metric queries return data (an alarm needs exactly one)`,
      ...(metrics[0] ? { metric: metrics[0] } : {}),
    };
  const ids = queries.map((q) => String(q.Id));
  const compiled: { id: string; run: ReturnType<typeof compileExpression> }[] = [];
  for (const e of expressions) {
    try {
      compiled.push({ id: e.id, run: compileExpression(e.expression, ids) });
    } catch (error) {
      return { reason: (error as Error).message, ...(metrics[0] ? { metric: metrics[0] } : {}) };
    }
  }
  const value: AlarmDefinition['value'] = (datapoints) => {
    const values: Record<string, number | undefined> = { ...datapoints };
    // expressions may use each other: as many passes as there are expressions settle any order
    for (let pass = 0; pass < compiled.length; pass += 1)
      for (const c of compiled) values[c.id] = c.run(values);
    return values[result];
  };
  const expression = expressions.find((e) => e.id === result)?.expression;
  const metric = metrics.find((m) => m.id === result);
  const label =
    expression ?? (metric ? `${metric.statistic} of ${metric.namespace} ${metric.metricName}` : result);
  return { metrics, value, label };
}
