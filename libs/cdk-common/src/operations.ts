import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import type { IAlarmAction, IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { CdkCommonError } from './errors';

/**
 * Properties of {@link OperationsTopic}.
 *
 * @example new OperationsTopic(this, 'Operations', { parameterName: '/outboxed/users-service/operations-topic-arn' });
 */
export interface OperationsTopicProps {
  /**
   * ARN of an existing SNS topic the on-call rota already subscribes to (e.g. one topic per account, wired to a pager).
   * @default a new topic, owned by this stack (subscribe the rota to it once after the first deploy)
   */
  readonly topicArn?: string;
  /** SSM parameter the topic's ARN is published under, as the bus name is, so runbooks and tools find it. */
  readonly parameterName: string;
}

/**
 * The topic every alarm of a stack notifies: created, or imported by ARN, and its ARN published as an SSM parameter.
 * The topic accepts TLS-only publishing. It is not encrypted with a KMS key: CloudWatch cannot publish to a topic
 * encrypted with the AWS managed key `aws/sns`, and alarm notifications carry alarm names and states, never personal data.
 *
 * @example
 * const operations = new OperationsTopic(this, 'Operations', { parameterName: '/outboxed/audit/operations-topic-arn' });
 * alarm.addAlarmAction(operations.alarmAction);
 */
export class OperationsTopic extends Construct {
  /** The topic alarms notify. */
  readonly topic: ITopic;
  /** The action to add to every alarm (`alarm.addAlarmAction(operations.alarmAction)`). */
  readonly alarmAction: IAlarmAction;
  /** The SSM parameter holding the topic's ARN. */
  readonly parameter: StringParameter;

  constructor(scope: Construct, id: string, props: OperationsTopicProps) {
    super(scope, id);
    if (
      props.topicArn !== undefined &&
      !Token.isUnresolved(props.topicArn) &&
      !/^arn:aws[\w-]*:sns:/.test(props.topicArn)
    ) {
      throw new CdkCommonError(
        `OperationsTopic: topicArn must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>); received "${props.topicArn}". Leave it unset to create a topic.`,
      );
    }
    if (props.topicArn === undefined) {
      const topic = new Topic(this, 'Topic', {
        displayName: 'Operations alarms',
        enforceSSL: true,
      });
      this.topic = topic;
    } else {
      this.topic = Topic.fromTopicArn(this, 'Topic', props.topicArn);
    }
    this.alarmAction = new SnsAction(this.topic);
    this.parameter = new StringParameter(this, 'ArnParameter', {
      parameterName: props.parameterName,
      stringValue: this.topic.topicArn,
      description: 'ARN of the SNS topic every alarm of this service notifies',
    });
  }
}

/**
 * Options of {@link functionAlarms}.
 *
 * @example functionAlarms(this, fn, { actions: [operations.alarmAction] });
 */
export interface FunctionAlarmsOptions {
  /** Actions of both alarms. @default none */
  readonly actions?: readonly IAlarmAction[];
  /** Errors (sum per minute) at which the errors alarm fires, 3 minutes in a row. @default 5 (AWS's recommended alarm) */
  readonly errorsThreshold?: number;
  /** Throttles (sum per minute) at which the throttles alarm fires, 5 minutes in a row. @default 5 (AWS's recommended alarm) */
  readonly throttlesThreshold?: number;
}

/** The two alarms {@link functionAlarms} creates. */
export interface FunctionAlarms {
  readonly errors: Alarm;
  readonly throttles: Alarm;
}

/**
 * AWS's recommended Lambda alarms for one function: `Errors` (Sum, 1 minute, 3 of 3 at or above 5) and `Throttles`
 * (Sum, 1 minute, 5 of 5 at or above 5), missing data not breaching (no invocation, no error), created as children
 * of the function so that their ids name it.
 *
 * @example const { errors } = functionAlarms(fn, 'the outbox relay', { actions: [operations.alarmAction] });
 */
export function functionAlarms(
  fn: IFunction,
  role: string,
  options: FunctionAlarmsOptions = {},
): FunctionAlarms {
  const errors = metricAlarm(fn, 'ErrorsAlarm', {
    description: `${role} (${fn.node.path}) fails: its invocations end in an error. Read its log group for the error names and correlation ids.`,
    metric: fn.metricErrors({ statistic: 'Sum', period: Duration.minutes(1) }),
    threshold: options.errorsThreshold ?? 5,
    evaluationPeriods: 3,
    actions: options.actions,
  });
  const throttles = metricAlarm(fn, 'ThrottlesAlarm', {
    description: `${role} (${fn.node.path}) is throttled: the account's or its reserved concurrency is exhausted, and its events wait.`,
    metric: fn.metricThrottles({ statistic: 'Sum', period: Duration.minutes(1) }),
    threshold: options.throttlesThreshold ?? 5,
    evaluationPeriods: 5,
    actions: options.actions,
  });
  return { errors, throttles };
}

/**
 * Options of {@link metricAlarm}.
 *
 * @example metricAlarm(this, 'Age', { description, metric, threshold: 600, evaluationPeriods: 3 });
 */
export interface MetricAlarmOptions {
  readonly description: string;
  readonly metric: IMetric;
  /** Fires at or above this value. */
  readonly threshold: number;
  /** Consecutive breaching periods before it fires. @default 1 */
  readonly evaluationPeriods?: number;
  /** @default none */
  readonly actions?: readonly IAlarmAction[];
}

/**
 * An alarm the way this workspace writes them: fires at or above its threshold, missing data not breaching (a metric
 * with no datapoint means nothing happened), with the given actions.
 *
 * @example metricAlarm(this, 'DlqAlarm', { description: 'Events wait in the DLQ', metric: dlq.metricApproximateNumberOfMessagesVisible(), threshold: 1 });
 */
export function metricAlarm(scope: Construct, id: string, options: MetricAlarmOptions): Alarm {
  const alarm = new Alarm(scope, id, {
    alarmDescription: options.description,
    metric: options.metric,
    threshold: options.threshold,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: options.evaluationPeriods ?? 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  for (const action of options.actions ?? []) alarm.addAlarmAction(action);
  return alarm;
}

/**
 * The log group of a function, created in the stack so that it has a retention and is CloudFormation's, not left by
 * Lambda to grow forever. Retained on stack deletion: a deleted stack's logs are the post-mortem's evidence, and
 * they expire with their retention anyway.
 *
 * @example new NodejsFunction(this, 'Fn', { ...nodeFunctionDefaults(), logGroup: functionLogGroup(this, 'FnLogs') });
 */
export function functionLogGroup(
  scope: Construct,
  id: string,
  retention: RetentionDays = RetentionDays.THREE_MONTHS,
): LogGroup {
  return new LogGroup(scope, id, { retention, removalPolicy: RemovalPolicy.RETAIN });
}
