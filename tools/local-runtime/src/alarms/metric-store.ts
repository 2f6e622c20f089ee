/**
 * A time series key: namespace, metric name and dimensions (order-insensitive), as CloudWatch identifies a metric.
 *
 * @example seriesKey('AWS/SQS', 'ApproximateNumberOfMessagesVisible', { QueueName: 'dlq' })
 */
export function seriesKey(
  namespace: string,
  metricName: string,
  dimensions: Readonly<Record<string, string>>,
): string {
  const dims = Object.entries(dimensions)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return `${namespace}|${metricName}|${dims}`;
}

/**
 * `service=users-service, outcome=failed`: dimensions as the live log shows them.
 *
 * @example formatDimensions({ QueueName: 'dlq' }) // 'QueueName=dlq'
 */
export function formatDimensions(dimensions: Readonly<Record<string, string>>): string {
  const entries = Object.entries(dimensions);
  return entries.length === 0 ? '(no dimensions)' : entries.map(([k, v]) => `${k}=${v}`).join(', ');
}

interface Sample {
  readonly time: number;
  readonly value: number;
}

/** The first index whose sample is at or after `time` (samples are kept in time order). */
function lowerBound(samples: readonly Sample[], time: number): number {
  let lo = 0;
  let hi = samples.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((samples[mid] as Sample).time < time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The metric datapoints the runtime observed, in memory, kept for `retentionMs`. Each observation is one sample
 * (an invocation's Duration, a queue depth poll, a value of an EMF line); a statistic aggregates the samples of a
 * period as CloudWatch does. Samples stay in time order, so a period is found by binary search.
 *
 * @example
 * const store = new MetricStore();
 * store.record('AWS/Lambda', 'Errors', { FunctionName: 'f' }, 1, Date.now());
 * store.statistic('AWS/Lambda', 'Errors', { FunctionName: 'f' }, 'Sum', from, to) // 1
 */
export class MetricStore {
  private readonly series = new Map<string, Sample[]>();

  constructor(private readonly retentionMs = 3_600_000) {}

  /** Records one sample of a series at `time` (epoch ms). */
  record(
    namespace: string,
    metricName: string,
    dimensions: Readonly<Record<string, string>>,
    value: number,
    time: number,
  ): void {
    const key = seriesKey(namespace, metricName, dimensions);
    let samples = this.series.get(key);
    if (!samples) this.series.set(key, (samples = []));
    const last = samples.at(-1);
    if (!last || last.time <= time) samples.push({ time, value });
    else samples.splice(lowerBound(samples, time + 1), 0, { time, value }); // a clock stepping back
    // pruned now and then, not on every sample
    if (samples.length % 512 === 0) samples.splice(0, lowerBound(samples, time - this.retentionMs));
  }

  /** Whether any sample of this exact series was ever recorded (and is still retained). */
  has(namespace: string, metricName: string, dimensions: Readonly<Record<string, string>>): boolean {
    return (this.series.get(seriesKey(namespace, metricName, dimensions))?.length ?? 0) > 0;
  }

  /**
   * The statistic of the samples in [from, to), or `undefined` when there is none (a missing datapoint).
   *
   * @example store.statistic('AWS/SQS', 'ApproximateNumberOfMessagesVisible', { QueueName: 'dlq' }, 'Maximum', 0, Date.now())
   */
  statistic(
    namespace: string,
    metricName: string,
    dimensions: Readonly<Record<string, string>>,
    statistic: string,
    from: number,
    to: number,
  ): number | undefined {
    const samples = this.series.get(seriesKey(namespace, metricName, dimensions));
    if (!samples) return undefined;
    const values: number[] = [];
    for (let i = lowerBound(samples, from); i < samples.length; i += 1) {
      const sample = samples[i] as Sample;
      if (sample.time >= to) break;
      values.push(sample.value);
    }
    return aggregate(values, statistic);
  }
}

/**
 * CloudWatch's statistic of a period's samples: `SampleCount`, `Sum`, `Average`, `Minimum`, `Maximum` or a
 * percentile `pNN` (nearest rank). `undefined` for no sample.
 *
 * @example aggregate([1, 2, 3], 'Average') // 2
 */
export function aggregate(values: readonly number[], statistic: string): number | undefined {
  if (values.length === 0) return undefined;
  switch (statistic) {
    case 'SampleCount':
      return values.length;
    case 'Sum':
      return values.reduce((a, b) => a + b, 0);
    case 'Average':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'Minimum':
      return values.reduce((a, b) => (b < a ? b : a));
    case 'Maximum':
      return values.reduce((a, b) => (b > a ? b : a));
    default: {
      const p = percentile(statistic);
      if (p === undefined) return undefined;
      const sorted = [...values].sort((a, b) => a - b);
      const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
      return sorted[rank - 1];
    }
  }
}

/**
 * The percentile of a `pNN` statistic; anything else → undefined.
 *
 * @example percentile('p99.9') // 99.9
 */
export function percentile(statistic: string): number | undefined {
  const match = /^p(\d{1,2}(?:\.\d+)?|100)$/.exec(statistic);
  return match ? Number(match[1]) : undefined;
}

/**
 * Whether {@link aggregate} computes a statistic.
 *
 * @example isSupportedStatistic('tm99') // false
 */
export function isSupportedStatistic(statistic: string): boolean {
  return (
    ['SampleCount', 'Sum', 'Average', 'Minimum', 'Maximum'].includes(statistic) ||
    percentile(statistic) !== undefined
  );
}
