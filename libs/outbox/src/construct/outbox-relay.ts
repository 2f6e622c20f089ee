import { join } from 'node:path';
import { nodeFunctionDefaults } from '@outboxed/cdk-common';
import { Duration, Validations } from 'aws-cdk-lib';
import type { IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { OUTBOX_STREAM_FILTER } from '../item/outbox-item';
import { RELAY_ENV } from '../relay/environment';
import { REDRIVE_ENV } from '../redrive/env';
import { OutboxRelayPropsError } from './errors';
import { checkDuration, checkRange } from './validate';

/** Properties of {@link OutboxRelay}. */
export interface OutboxRelayProps {
  /** The table holding the outbox items. It must have a stream (`NEW_IMAGE` or `NEW_AND_OLD_IMAGES`). */
  readonly table: ITable;
  /** The bus the relay publishes to. The function may call `events:PutEvents` on this bus only. */
  readonly eventBus: IEventBus;
  /**
   * Path of the app's relay handler module: it calls the relay factory with its contracts (this library
   * cannot import them) and exports `handler`.
   */
  readonly entry: string;
  /** Extra environment variables of the relay function. @default none beyond the bus name and poison queue URL */
  readonly environment?: Readonly<Record<string, string>>;
  /** Records per invocation, 1–10,000. @default 100 */
  readonly batchSize?: number;
  /** How long to gather records before invoking, 0–300 seconds. @default Duration.seconds(0) (invoke as soon as records arrive) */
  readonly maxBatchingWindow?: Duration;
  /** Concurrent batches per shard, 1–10 (order per aggregate holds: one partition key stays on one batch). @default 1 */
  readonly parallelizationFactor?: number;
  /**
   * Times a failing batch is retried before its pointer goes to the on-failure queue, 0–10,000. Always finite:
   * an endless retry would block the shard for up to a day. @default 10
   */
  readonly retryAttempts?: number;
  /**
   * Age past which a record is no longer retried and its pointer goes to the on-failure queue, 60 seconds to
   * 24 hours (a DynamoDB stream keeps records 24 hours). Always finite. @default Duration.hours(6)
   */
  readonly maxRecordAge?: Duration;
  /** Split a failing batch in two to isolate the failing record (does not use up retries). @default true */
  readonly bisectBatchOnError?: boolean;
  /** How long both queues keep messages, 60 seconds to 14 days. @default Duration.days(14) */
  readonly queueRetentionPeriod?: Duration;
  /**
   * Iterator age (age of the last record read) at which the lag alarm fires, 1 second to 24 hours and below
   * `maxRecordAge`. @default Duration.minutes(5)
   */
  readonly iteratorAgeAlarmThreshold?: Duration;
  /** Action of every alarm (e.g. an SNS topic action). @default no action: the alarms show in CloudWatch only */
  readonly alarmAction?: IAlarmAction;
  /**
   * Also deploy the redrive function (invoked by hand: `aws lambda invoke --payload '{"dryRun":true}'`), which
   * republishes what the on-failure queue points at and what the poison queue holds.
   * @default false
   */
  readonly redrive?: boolean;
  /**
   * Path of the app's redrive handler module (`export const handler = createRedriveHandler({ contracts })`), so the
   * redrive checks poison records against the contracts before republishing them. Only with `redrive: true`.
   * @default the library's redrive handler, which has no contracts: it republishes on-failure items as stored and
   * poison records only when invoked with their `eventId`
   */
  readonly redriveEntry?: string;
}

/**
 * The outbox relay on AWS: a function on the table's stream, filtered to outbox INSERTs, that publishes each
 * outbox item to the bus; an SQS on-failure destination for batches that exhaust their retries; a poison queue
 * for records that can never be published as they are; alarms on both queues and on the iterator age;
 * least-privilege grants. Optionally the redrive function.
 *
 * @example
 * const relay = new OutboxRelay(this, 'Relay', {
 *   table, eventBus, entry: join(import.meta.dirname, 'functions', 'relay', 'handler.ts'),
 * });
 * relay.onFailureQueue; // the pointers of what exhausted its retries
 */
export class OutboxRelay extends Construct {
  /** The relay function. */
  readonly function: NodejsFunction;
  /** On-failure destination of the event source mapping: pointers (shard, sequence range) to batches that exhausted their retries. */
  readonly onFailureQueue: Queue;
  /** Poison queue: whole outbox records that can never be published as they are, with the reason. */
  readonly poisonQueue: Queue;
  /** Fires when the on-failure queue holds a message. */
  readonly onFailureQueueAlarm: Alarm;
  /** Fires when the poison queue holds a message. */
  readonly poisonQueueAlarm: Alarm;
  /** Fires when the relay falls behind the stream by more than `iteratorAgeAlarmThreshold`. */
  readonly iteratorAgeAlarm: Alarm;
  /** The redrive function, when `redrive: true`. */
  readonly redriveFunction?: NodejsFunction;

  constructor(scope: Construct, id: string, props: OutboxRelayProps) {
    super(scope, id);
    validateOutboxRelayProps(props);
    if (!props.table.tableStreamArn) {
      throw new OutboxRelayPropsError(
        `OutboxRelay: table ${props.table.node.path} has no stream; received tableStreamArn undefined. Create the table with stream: StreamViewType.NEW_IMAGE (or NEW_AND_OLD_IMAGES), or import it with tableStreamArn.`,
      );
    }

    const retentionPeriod = props.queueRetentionPeriod ?? Duration.days(14);
    const queueProps = { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod };
    this.onFailureQueue = new Queue(this, 'OnFailureQueue', queueProps);
    this.poisonQueue = new Queue(this, 'PoisonQueue', queueProps);

    this.function = new NodejsFunction(this, 'Function', {
      ...nodeFunctionDefaults(),
      entry: props.entry,
      environment: {
        ...props.environment,
        [RELAY_ENV.eventBusName]: props.eventBus.eventBusName,
        [RELAY_ENV.poisonQueueUrl]: this.poisonQueue.queueUrl,
      },
    });
    this.function.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: props.batchSize ?? 100,
        maxBatchingWindow: props.maxBatchingWindow ?? Duration.seconds(0),
        parallelizationFactor: props.parallelizationFactor ?? 1,
        retryAttempts: props.retryAttempts ?? 10,
        maxRecordAge: props.maxRecordAge ?? Duration.hours(6),
        bisectBatchOnError: props.bisectBatchOnError ?? true,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.onFailureQueue),
        filters: [FilterCriteria.filter(OUTBOX_STREAM_FILTER)],
      }),
    );
    props.eventBus.grantPutEventsTo(this.function);
    this.poisonQueue.grantSendMessages(this.function);

    this.onFailureQueueAlarm = queueDepthAlarm(
      this,
      'OnFailureQueueAlarm',
      this.onFailureQueue,
      'on-failure',
    );
    this.poisonQueueAlarm = queueDepthAlarm(this, 'PoisonQueueAlarm', this.poisonQueue, 'poison');
    this.iteratorAgeAlarm = new Alarm(this, 'IteratorAgeAlarm', {
      alarmDescription:
        'The outbox relay lags behind the table stream: events reach the bus late, and past maxRecordAge their pointers go to the on-failure queue. See libs/outbox/docs/operating-the-relay.md.',
      metric: this.function.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(1) }),
      threshold: (props.iteratorAgeAlarmThreshold ?? Duration.minutes(5)).toMilliseconds(),
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    if (props.redrive) this.redriveFunction = this.createRedriveFunction(props);
    for (const alarm of [this.onFailureQueueAlarm, this.poisonQueueAlarm, this.iteratorAgeAlarm]) {
      if (props.alarmAction) alarm.addAlarmAction(props.alarmAction);
    }
    this.suppressNagFindings();
  }

  private createRedriveFunction(props: OutboxRelayProps): NodejsFunction {
    const fn = new NodejsFunction(this, 'RedriveFunction', {
      ...nodeFunctionDefaults(),
      entry: props.redriveEntry ?? join(import.meta.dirname, '..', 'redrive', 'handler.ts'),
      timeout: Duration.minutes(10),
      environment: {
        [REDRIVE_ENV.tableName]: props.table.tableName,
        [REDRIVE_ENV.eventBusName]: props.eventBus.eventBusName,
        [REDRIVE_ENV.onFailureQueueUrl]: this.onFailureQueue.queueUrl,
        [REDRIVE_ENV.poisonQueueUrl]: this.poisonQueue.queueUrl,
      },
    });
    props.table.grantReadData(fn);
    props.table.grant(fn, 'dynamodb:UpdateItem');
    props.table.grantStreamRead(fn);
    props.eventBus.grantPutEventsTo(fn);
    this.onFailureQueue.grantConsumeMessages(fn);
    this.poisonQueue.grantConsumeMessages(fn);
    return fn;
  }

  /** Acknowledges the cdk-nag AwsSolutions findings this construct accepts on purpose, each with its reason. */
  private suppressNagFindings(): void {
    Validations.of(this).acknowledge(...NAG_ACKNOWLEDGMENTS);
  }
}

/**
 * Synth-time validation of {@link OutboxRelayProps}: every range AWS enforces at deploy, checked before, with
 * the prop, the allowed range and the value received. Unresolved tokens are skipped.
 *
 * @example validateOutboxRelayProps({ table, eventBus, entry, batchSize: 100 });
 */
export function validateOutboxRelayProps(props: OutboxRelayProps): void {
  checkRange('batchSize', props.batchSize, 1, 10_000);
  checkDuration('maxBatchingWindow', props.maxBatchingWindow, 0, 300);
  checkRange('parallelizationFactor', props.parallelizationFactor, 1, 10);
  checkRange('retryAttempts', props.retryAttempts, 0, 10_000);
  checkDuration('maxRecordAge', props.maxRecordAge, 60, 86_400);
  checkDuration('queueRetentionPeriod', props.queueRetentionPeriod, 60, 1_209_600);
  checkDuration('iteratorAgeAlarmThreshold', props.iteratorAgeAlarmThreshold, 1, 86_400);
  const threshold = props.iteratorAgeAlarmThreshold ?? Duration.minutes(5);
  const maxRecordAge = props.maxRecordAge ?? Duration.hours(6);
  if (
    !threshold.isUnresolved() &&
    !maxRecordAge.isUnresolved() &&
    threshold.toSeconds({ integral: false }) >= maxRecordAge.toSeconds({ integral: false })
  ) {
    throw new OutboxRelayPropsError(
      `OutboxRelay: iteratorAgeAlarmThreshold must be below maxRecordAge (${maxRecordAge.toHumanString()}), or the alarm fires only once records are already discarded; received ${threshold.toHumanString()}.`,
    );
  }
  if (props.redriveEntry && !props.redrive) {
    throw new OutboxRelayPropsError(
      `OutboxRelay: redriveEntry is only used with redrive: true; received redriveEntry ${props.redriveEntry} and redrive ${String(props.redrive)}. Set redrive: true or drop redriveEntry.`,
    );
  }
}

function queueDepthAlarm(scope: Construct, id: string, queue: Queue, kind: 'on-failure' | 'poison'): Alarm {
  const holds =
    kind === 'on-failure'
      ? 'a batch of outbox records exhausted its retries (the message points at its stream range)'
      : 'an outbox record can never be published as it is (the message holds it and the reason)';
  return new Alarm(scope, id, {
    alarmDescription: `The outbox relay's ${kind} queue holds a message: ${holds}. Fix the cause, then redrive: see libs/outbox/docs/operating-the-relay.md.`,
    metric: queue.metricApproximateNumberOfMessagesVisible({
      statistic: 'Maximum',
      period: Duration.minutes(1),
    }),
    threshold: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
}

/** The cdk-nag AwsSolutions findings this construct accepts on purpose, each with its reason. */
const NAG_ACKNOWLEDGMENTS = [
  {
    id: 'AwsSolutions-SQS3',
    reason:
      'Both queues are themselves dead-letter queues of the relay (the stream on-failure destination and the poison queue); a DLQ behind them would hide messages from the depth alarms.',
  },
  {
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: 'AWSLambdaBasicExecutionRole only lets the function write its own CloudWatch Logs.',
  },
  {
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'xray:PutTraceSegments, xray:PutTelemetryRecords and dynamodb:ListStreams support no resource-level permissions; every other action is scoped to this table, stream, bus and queues.',
  },
  {
    id: 'AwsSolutions-L1',
    reason:
      'The workspace pins one runtime for every function (nodeFunctionDefaults: Node.js 22, the version the local toolchain builds and tests for).',
  },
];
