import { describe, expect, it } from 'vitest';
import { parseAlarm } from './alarm-definition';
import { evaluateAlarm } from './evaluate';
import { T0, alarmProperties } from './fixtures/alarm-properties';
import { MetricStore, aggregate } from './metric-store';
import type { AlarmDefinition, AlarmStateValue, TreatMissingData } from './types';

const MINUTE = 60_000;
const dims = { QueueName: 'orders-dlq' };

function definition(overrides: Record<string, unknown> = {}): AlarmDefinition {
  const parsed = parseAlarm(
    alarmProperties({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: 'orders-dlq' }],
      ...overrides,
    }),
  );
  if (parsed.kind !== 'evaluated') throw new Error(parsed.reason);
  return parsed.definition;
}

/** A store with one sample per minute from T0: a number, or '-' for no sample (a missing datapoint). */
function storeOf(pattern: string): MetricStore {
  const store = new MetricStore();
  pattern.split(' ').forEach((v, i) => {
    if (v !== '-')
      store.record('AWS/SQS', 'ApproximateNumberOfMessagesVisible', dims, Number(v), T0 + i * MINUTE + 1_000);
  });
  return store;
}

const evaluate = (def: AlarmDefinition, store: MetricStore, now: number, current: AlarmStateValue) =>
  evaluateAlarm(
    def,
    (m, from, to) => store.statistic(m.namespace, m.metricName, m.dimensions, m.statistic, from, to),
    now,
    current,
  );

describe('evaluateAlarm', () => {
  it('goes OK → ALARM → OK as a breaching datapoint enters and leaves the evaluation periods (fake clock)', () => {
    const def = definition({ EvaluationPeriods: 2, DatapointsToAlarm: 1 });
    const store = new MetricStore();
    const record = (value: number, at: number) =>
      store.record('AWS/SQS', 'ApproximateNumberOfMessagesVisible', dims, value, at);
    record(0, T0 + 1_000);
    const states: AlarmStateValue[] = [];
    let state: AlarmStateValue = 'INSUFFICIENT_DATA';
    const at = (now: number) => {
      state = evaluate(def, store, now, state).state;
      states.push(state);
    };

    at(T0 + 5_000); // [-, 0]
    record(3, T0 + MINUTE + 2_000);
    at(T0 + MINUTE + 5_000); // the partial current period breaches: [0, 3]
    at(T0 + 2 * MINUTE + 5_000); // [3, -]: still within the 2 periods
    at(T0 + 3 * MINUTE + 5_000); // [-, -]: missing is not breaching

    expect(states).toEqual(['OK', 'ALARM', 'ALARM', 'OK']);
  });

  it('states the datapoints, the threshold and how missing data counted in its reason', () => {
    const result = evaluate(
      definition({ EvaluationPeriods: 3 }),
      storeOf('0 - 2'),
      T0 + 2 * MINUTE + 5_000,
      'OK',
    );

    expect(result).toEqual({
      state: 'OK',
      value: 2,
      reason:
        '1 of the last 3 datapoints [0, -, 2] >= 1 (3 needed; Maximum of AWS/SQS ApproximateNumberOfMessagesVisible per 60 s, newest period partial; missing data: notBreaching)',
    });
  });

  // "Configuring how CloudWatch alarms treat missing data": 3 of 3 datapoints to alarm, X breaching, 0 not, - missing.
  // The alarm is in ALARM before, so a kept state shows as ALARM.
  it.each<[string, Record<TreatMissingData, AlarmStateValue>]>([
    ['0 0 2', { missing: 'OK', ignore: 'OK', breaching: 'OK', notBreaching: 'OK' }],
    ['0 - -', { missing: 'OK', ignore: 'OK', breaching: 'OK', notBreaching: 'OK' }],
    ['- - -', { missing: 'INSUFFICIENT_DATA', ignore: 'ALARM', breaching: 'ALARM', notBreaching: 'OK' }],
    ['- - 2', { missing: 'ALARM', ignore: 'ALARM', breaching: 'ALARM', notBreaching: 'OK' }],
    ['2 2 2', { missing: 'ALARM', ignore: 'ALARM', breaching: 'ALARM', notBreaching: 'ALARM' }],
  ])('datapoints %s give %o per TreatMissingData', (pattern, expected) => {
    const store = storeOf(pattern);
    const now = T0 + 2 * MINUTE + 30_000;

    const got = Object.fromEntries(
      (['missing', 'ignore', 'breaching', 'notBreaching'] as const).map((treat) => [
        treat,
        evaluate(definition({ EvaluationPeriods: 3, TreatMissingData: treat }), store, now, 'ALARM').state,
      ]),
    );

    expect(got).toEqual(expected);
  });

  it('keeps the state when the missing datapoints could still decide it (missing: no premature transition)', () => {
    const def = definition({ EvaluationPeriods: 3, TreatMissingData: 'missing' });
    const now = T0 + 2 * MINUTE + 30_000;

    expect(evaluate(def, storeOf('- - 2'), now, 'OK').state).toBe('OK');
    expect(evaluate(def, storeOf('- - 2'), now, 'INSUFFICIENT_DATA').state).toBe('INSUFFICIENT_DATA');
    expect(evaluate(def, storeOf('2 2 2'), now, 'OK').state).toBe('ALARM');
  });

  it('fires on M of N: 2 of 3 breaching datapoints with DatapointsToAlarm 2, not with 3', () => {
    const store = storeOf('2 0 2');
    const now = T0 + 2 * MINUTE + 30_000;

    expect(evaluate(definition({ EvaluationPeriods: 3, DatapointsToAlarm: 2 }), store, now, 'OK').state).toBe(
      'ALARM',
    );
    expect(evaluate(definition({ EvaluationPeriods: 3 }), store, now, 'OK').state).toBe('OK');
  });

  it.each([
    ['GreaterThanThreshold', 1, 'OK'],
    ['GreaterThanThreshold', 0.5, 'ALARM'],
    ['LessThanThreshold', 2, 'ALARM'],
    ['LessThanOrEqualToThreshold', 1, 'ALARM'],
    ['LessThanOrEqualToThreshold', 0.5, 'OK'],
  ])('compares with %s %d', (operator, threshold, expected) => {
    const def = definition({ ComparisonOperator: operator, Threshold: threshold });

    expect(evaluate(def, storeOf('1'), T0 + 5_000, 'OK').state).toBe(expected);
  });

  it('evaluates a metric math expression per period: an error rate from two metrics, FILL for a missing one', () => {
    const def = definition({
      Namespace: undefined,
      MetricName: undefined,
      Statistic: undefined,
      Threshold: 50,
      Metrics: [
        {
          Id: 'e',
          ReturnData: false,
          MetricStat: {
            Metric: {
              Namespace: 'AWS/Lambda',
              MetricName: 'Errors',
              Dimensions: [{ Name: 'FunctionName', Value: 'f' }],
            },
            Period: 60,
            Stat: 'Sum',
          },
        },
        {
          Id: 'i',
          ReturnData: false,
          MetricStat: {
            Metric: {
              Namespace: 'AWS/Lambda',
              MetricName: 'Invocations',
              Dimensions: [{ Name: 'FunctionName', Value: 'f' }],
            },
            Period: 60,
            Stat: 'Sum',
          },
        },
        { Id: 'rate', Expression: '100 * FILL(e, 0) / i' },
      ],
    });
    const store = new MetricStore();
    for (const failed of [1, 1, 0, 0]) {
      store.record('AWS/Lambda', 'Invocations', { FunctionName: 'f' }, 1, T0 + 1_000);
      if (failed) store.record('AWS/Lambda', 'Errors', { FunctionName: 'f' }, 1, T0 + 1_000);
    }

    expect(evaluate(def, store, T0 + 5_000, 'OK')).toMatchObject({ state: 'ALARM', value: 50 });
    store.record('AWS/Lambda', 'Invocations', { FunctionName: 'f' }, 1, T0 + MINUTE + 1_000);
    // no Errors sample in the new period: FILL makes it 0
    expect(evaluate(def, store, T0 + MINUTE + 5_000, 'ALARM')).toMatchObject({ state: 'OK', value: 0 });
  });
});

describe('aggregate', () => {
  it.each([
    ['SampleCount', 5],
    ['Sum', 15],
    ['Average', 3],
    ['Minimum', 1],
    ['Maximum', 5],
    ['p50', 3],
    ['p90', 5],
    ['p20', 1],
  ])('computes %s of [1, 2, 3, 4, 5] as %d', (statistic, expected) => {
    expect(aggregate([5, 3, 1, 4, 2], statistic)).toBe(expected);
  });

  it('gives no datapoint for a period without samples', () => {
    expect(aggregate([], 'Sum')).toBeUndefined();
  });
});
