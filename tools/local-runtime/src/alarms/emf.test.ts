import { describe, expect, it } from 'vitest';
import { parseEmfLine } from './emf';

describe('parseEmfLine', () => {
  it('reads each metric of a Powertools EMF line for each dimension set, list values included', () => {
    const line = JSON.stringify({
      _aws: {
        Timestamp: 1_700_000_000_000,
        CloudWatchMetrics: [
          {
            Namespace: 'Outboxed/Users',
            Dimensions: [['service'], ['service', 'outcome']],
            Metrics: [{ Name: 'FailedEntries', Unit: 'Count' }, { Name: 'BatchSize' }],
          },
        ],
      },
      service: 'users-service',
      outcome: 'failed',
      FailedEntries: 2,
      BatchSize: [3, 4],
      level: 'INFO',
    });

    expect(parseEmfLine(line)).toEqual([
      {
        namespace: 'Outboxed/Users',
        metricName: 'FailedEntries',
        dimensions: { service: 'users-service' },
        values: [2],
      },
      {
        namespace: 'Outboxed/Users',
        metricName: 'FailedEntries',
        dimensions: { service: 'users-service', outcome: 'failed' },
        values: [2],
      },
      {
        namespace: 'Outboxed/Users',
        metricName: 'BatchSize',
        dimensions: { service: 'users-service' },
        values: [3, 4],
      },
      {
        namespace: 'Outboxed/Users',
        metricName: 'BatchSize',
        dimensions: { service: 'users-service', outcome: 'failed' },
        values: [3, 4],
      },
    ]);
  });

  it('reads an empty dimension set as no dimension, and skips a set whose value is not in the line', () => {
    const line = JSON.stringify({
      _aws: {
        CloudWatchMetrics: [{ Namespace: 'N', Dimensions: [[], ['missing']], Metrics: [{ Name: 'M' }] }],
      },
      M: 1,
    });

    expect(parseEmfLine(line)).toEqual([{ namespace: 'N', metricName: 'M', dimensions: {}, values: [1] }]);
  });

  it.each(['plain text', '{"level":"INFO","message":"CloudWatchMetrics"}', '{"_aws":{"CloudWatchMetrics":'])(
    'gives nothing for a line that is not EMF: %s',
    (line) => {
      expect(parseEmfLine(line)).toEqual([]);
    },
  );
});
