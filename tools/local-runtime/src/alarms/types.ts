/**
 * The state of a CloudWatch alarm, as `DescribeAlarms` names it.
 *
 * @example const state: AlarmStateValue = 'ALARM';
 */
export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/**
 * One synthesized alarm as the local runtime last evaluated it (`runtime.alarms()`).
 *
 * @example runtime.alarms().filter((a) => a.state === 'ALARM').map((a) => `${a.stackName}/${a.alarmName}`);
 */
export interface LocalAlarmState {
  readonly stackName: string;
  readonly logicalId: string;
  /** The alarm's name: its `AlarmName`, or the name CloudFormation would generate. */
  readonly alarmName: string;
  readonly state: AlarmStateValue;
  /** The state before the last change; absent until the alarm first changes state. */
  readonly previousState?: AlarmStateValue;
  /** Why it is in this state: the datapoints and threshold, or why it is not evaluated locally. */
  readonly reason: string;
  /** False when no local source can produce its metric (it then stays `INSUFFICIENT_DATA`). */
  readonly evaluatedLocally: boolean;
  /** Namespace of the metric it watches (the first metric of a math expression). */
  readonly namespace?: string;
  readonly metricName?: string;
  /** Dimensions of that metric, resolved to the local physical names. */
  readonly dimensions: Readonly<Record<string, string>>;
  readonly threshold?: number;
  readonly comparisonOperator?: string;
  /** The most recent datapoint of the alarm's metric (the current, partial period), if any. */
  readonly value?: number;
  /** ISO-8601 time of the last state change (or of the start). */
  readonly stateUpdatedAt: string;
}

/**
 * One metric the alarm reads: namespace, name, dimensions and statistic per period.
 *
 * @example const m: MetricSpec = { id: 'm1', namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', dimensions: { QueueName: 'dlq' }, statistic: 'Maximum', periodSeconds: 60 };
 */
export interface MetricSpec {
  readonly id: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  /** `Sum`, `Average`, `Minimum`, `Maximum`, `SampleCount` or a percentile `pNN`/`pNN.NN`. */
  readonly statistic: string;
  readonly periodSeconds: number;
}

/**
 * How missing datapoints count (`TreatMissingData`, default `missing`).
 *
 * @example const treat: TreatMissingData = 'notBreaching';
 */
export type TreatMissingData = 'missing' | 'ignore' | 'breaching' | 'notBreaching';

/**
 * An alarm the runtime can evaluate: its metrics, the expression giving its value per period, and its threshold.
 *
 * @example parseAlarm(properties) // { kind: 'evaluated', definition: { metrics: [...], threshold: 1, … } }
 */
export interface AlarmDefinition {
  readonly metrics: readonly MetricSpec[];
  /** The alarm's value for one period from the metrics' datapoints by id (`undefined`: missing). */
  readonly value: (datapoints: Readonly<Record<string, number | undefined>>) => number | undefined;
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly threshold: number;
  readonly comparisonOperator: ComparisonOperator;
  readonly treatMissingData: TreatMissingData;
  /** What the value is, for reasons: `Maximum of AWS/SQS ApproximateNumberOfMessagesVisible` or the expression. */
  readonly label: string;
}

/**
 * The comparison operators the runtime evaluates (anomaly-detection bands are not).
 *
 * @example const op: ComparisonOperator = 'GreaterThanOrEqualToThreshold';
 */
export type ComparisonOperator =
  | 'GreaterThanOrEqualToThreshold'
  | 'GreaterThanThreshold'
  | 'LessThanThreshold'
  | 'LessThanOrEqualToThreshold';
