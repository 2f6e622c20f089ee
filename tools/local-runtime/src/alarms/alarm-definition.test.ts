import { describe, expect, it } from 'vitest';
import { parseAlarm } from './alarm-definition';
import { alarmProperties } from './fixtures/alarm-properties';
import { compileExpression } from './math';

// the resolved properties of consumer-kit's DLQ alarm as synthesized
const dlqAlarm = alarmProperties({
  Dimensions: [{ Name: 'QueueName', Value: 'Audit-Dlq-X' }],
  MetricName: 'ApproximateNumberOfMessagesVisible',
  Namespace: 'AWS/SQS',
});

describe('parseAlarm', () => {
  it('reads a synthesized single-metric alarm, DatapointsToAlarm defaulting to EvaluationPeriods', () => {
    const parsed = parseAlarm(dlqAlarm);

    expect(parsed.kind === 'evaluated' && { ...parsed.definition, value: undefined }).toEqual({
      metrics: [
        {
          id: 'm1',
          namespace: 'AWS/SQS',
          metricName: 'ApproximateNumberOfMessagesVisible',
          dimensions: { QueueName: 'Audit-Dlq-X' },
          statistic: 'Maximum',
          periodSeconds: 60,
        },
      ],
      value: undefined,
      label: 'Maximum of AWS/SQS ApproximateNumberOfMessagesVisible',
      periodSeconds: 60,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      threshold: 1,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      treatMissingData: 'notBreaching',
    });
  });

  it('reads ExtendedStatistic (p90) and defaults TreatMissingData to missing', () => {
    const parsed = parseAlarm({
      ...dlqAlarm,
      Statistic: undefined,
      ExtendedStatistic: 'p90',
      TreatMissingData: undefined,
    });

    expect(parsed).toMatchObject({
      kind: 'evaluated',
      definition: { metrics: [{ statistic: 'p90' }], treatMissingData: 'missing' },
    });
  });

  it.each([
    [
      { ComparisonOperator: 'LessThanLowerOrGreaterThanUpperThreshold' },
      /^comparison operator LessThanLowerOrGreaterThanUpperThreshold/,
    ],
    [
      { Statistic: 'tm99' },
      /^statistic tm99 of AWS\/SQS ApproximateNumberOfMessagesVisible is not computed locally$/,
    ],
    [
      {
        Namespace: undefined,
        MetricName: undefined,
        Metrics: [
          {
            Id: 'm',
            MetricStat: { Metric: { Namespace: 'N', MetricName: 'M' }, Period: 60, Stat: 'Sum' },
            ReturnData: false,
          },
          { Id: 'a', Expression: 'ANOMALY_DETECTION_BAND(m)' },
        ],
      },
      /^metric math function ANOMALY_DETECTION_BAND\(\) in "ANOMALY_DETECTION_BAND\(m\)" is not evaluated locally$/,
    ],
  ])('does not evaluate %o, saying why', (overrides, reason) => {
    const parsed = parseAlarm({ ...dlqAlarm, ...overrides });

    expect(parsed.kind).toBe('not-evaluated');
    expect(parsed.kind === 'not-evaluated' && parsed.reason).toMatch(reason);
  });
});

describe('compileExpression', () => {
  it.each([
    ['m1 + m2 * 2', { m1: 1, m2: 3 }, 7],
    ['(m1 + m2) * 2', { m1: 1, m2: 3 }, 8],
    ['-m1 / 4', { m1: 2, m2: 0 }, -0.5],
    ['100 * m1 / m2', { m1: 1, m2: 0 }, undefined],
    ['m1 + m2', { m1: 1, m2: undefined }, undefined],
    ['FILL(m2, 0) + ABS(m1)', { m1: -1, m2: undefined }, 1],
  ])('%s with %o gives %s', (expression, values, expected) => {
    expect(compileExpression(expression, ['m1', 'm2'])(values)).toBe(expected);
  });

  it('rejects an id no metric has, naming it', () => {
    expect(() => compileExpression('m1 + m3', ['m1'])).toThrow(
      'metric math id m3 (no metric or expression has it) in "m1 + m3" is not evaluated locally',
    );
  });
});
