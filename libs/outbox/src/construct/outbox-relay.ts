import { join } from 'node:path';
import {
  acknowledgeFunctionBaseline,
  acknowledgeNag,
  checkDuration,
  checkRange,
  functionAlarms,
  functionLogGroup,
  metricAlarm,
  nodeFunctionDefaults,
  type FunctionAlarms,
} from '@outboxed/cdk-common';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { OUTBOX_STREAM_FILTER } from '../item/outbox-item';
import { RELAY_ENV } from '../relay/environment';
import { RELAY_METRICS } from '../relay/relay-handler';
import { REDRIVE_ENV } from '../redrive/env';
import { OutboxRelayPropsError } from './errors';

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
  /**
   * Memory of the relay function in MB, 128–10,240 (Lambda's CPU share grows with it). `npm run bench shards` gives
   * the size per rate: 256 MB carries ≈ 370 events/s a lane, 1,024 MB ≈ 950.
   * @default 256 (nodeFunctionDefaults)
   */
  readonly memorySize?: number;
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
  /** Actions of every alarm (e.g. the stack's operations topic). @default none: the alarms show in CloudWatch only */
  readonly alarmActions?: readonly IAlarmAction[];
  /**
   * Powertools service name of both functions (`POWERTOOLS_SERVICE_NAME`): their logs' `service` key and their
   * metrics' `service` dimension. Give the producing service's name, so its API and its relay read as one service.
   * @default 'outbox-relay'
   */
  readonly serviceName?: string;
  /** Powertools metrics namespace of both functions (`POWERTOOLS_METRICS_NAMESPACE`). @default 'Outboxed/Outbox' */
  readonly metricsNamespace?: string;
  /** How long both functions' logs are kept. @default RetentionDays.THREE_MONTHS */
  readonly logRetention?: RetentionDays;
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
  /** Fires when PutEvents keeps rejecting entries (the relay's `FailedEntries` metric, 3 minutes in a row). */
  readonly failedEntriesAlarm: Alarm;
  /** Fires when a poison record could not be sent to the poison queue (the relay's `PoisonSendFailures` metric). */
  readonly poisonSendFailuresAlarm: Alarm;
  /** Errors and Throttles alarms of the relay function. */
  readonly functionAlarms: FunctionAlarms;
  /** The redrive function, when `redrive: true`. */
  readonly redriveFunction?: NodejsFunction;
  /** Errors and Throttles alarms of the redrive function, when `redrive: true`. */
  readonly redriveFunctionAlarms?: FunctionAlarms;
  /** Powertools service name of both functions (the `service` dimension of their metrics). */
  readonly serviceName: string;
  /** Metrics namespace of both functions. */
  readonly metricsNamespace: string;

  constructor(scope: Construct, id: string, props: OutboxRelayProps) {
    super(scope, id);
    validateOutboxRelayProps(props, `OutboxRelay ${this.node.path}`);
    if (!props.table.tableStreamArn) {
      throw new OutboxRelayPropsError(
        `OutboxRelay: table ${props.table.node.path} has no stream; received tableStreamArn undefined. Create the table with stream: StreamViewType.NEW_IMAGE (or NEW_AND_OLD_IMAGES), or import it with tableStreamArn.`,
      );
    }

    this.serviceName = props.serviceName ?? 'outbox-relay';
    this.metricsNamespace = props.metricsNamespace ?? 'Outboxed/Outbox';
    const alarmActions = props.alarmActions ?? [];
    this.onFailureQueue = deadLetterQueue(this, 'OnFailureQueue', props.queueRetentionPeriod);
    this.poisonQueue = deadLetterQueue(this, 'PoisonQueue', props.queueRetentionPeriod);

    this.function = new NodejsFunction(this, 'Function', {
      ...nodeFunctionDefaults(),
      entry: props.entry,
      ...(props.memorySize === undefined ? {} : { memorySize: props.memorySize }),
      description: 'outbox relay: table stream → EventBridge',
      logGroup: functionLogGroup(this, 'FunctionLogs', props.logRetention),
      environment: {
        ...props.environment,
        ...this.powertoolsEnvironment(),
        [RELAY_ENV.eventBusName]: props.eventBus.eventBusName,
        [RELAY_ENV.poisonQueueUrl]: this.poisonQueue.queueUrl,
      },
    });
    this.function.addEventSource(relayEventSource(props, this.onFailureQueue));
    // What the relay's code calls: PutEvents, and SendMessage to the poison queue. (The event source mapping
    // itself reads the stream and sends to the on-failure queue with the function's role: DynamoEventSource grants that.)
    props.eventBus.grantPutEventsTo(this.function);
    this.poisonQueue.grant(this.function, 'sqs:SendMessage');
    acknowledgeFunctionBaseline(this.function, {
      scopedTo: 'this table, stream, bus or queues',
      otherWildcardActions: ['dynamodb:ListStreams (the event source mapping)'],
    });

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
    this.failedEntriesAlarm = metricAlarm(this, 'FailedEntriesAlarm', {
      description:
        'EventBridge keeps rejecting PutEvents entries of the outbox relay (FailedEntries for 3 minutes): the relay retries them, but events are late, and past its retries they go to the on-failure queue. Check the error codes in the relay log (throttling, bus policy). See libs/outbox/docs/operating-the-relay.md.',
      metric: this.metric(RELAY_METRICS.failedEntries),
      threshold: 1,
      evaluationPeriods: 3,
    });
    this.poisonSendFailuresAlarm = metricAlarm(this, 'PoisonSendFailuresAlarm', {
      description:
        'The outbox relay could not send a poison record to its poison queue (PoisonSendFailures): the record stays in its batch, which is retried and, past its retries, pointed at by the on-failure queue. See libs/outbox/docs/operating-the-relay.md.',
      metric: this.metric(RELAY_METRICS.poisonSendFailures),
      threshold: 1,
    });
    this.functionAlarms = functionAlarms(this.function, 'The outbox relay');

    if (props.redrive) {
      this.redriveFunction = this.createRedriveFunction(props);
      this.redriveFunctionAlarms = functionAlarms(this.redriveFunction, 'The outbox redrive');
    }
    for (const alarm of this.alarms) {
      for (const action of alarmActions) alarm.addAlarmAction(action);
    }
  }

  /** Every alarm of the construct. */
  get alarms(): Alarm[] {
    return [
      this.onFailureQueueAlarm,
      this.poisonQueueAlarm,
      this.iteratorAgeAlarm,
      this.failedEntriesAlarm,
      this.poisonSendFailuresAlarm,
      this.functionAlarms.errors,
      this.functionAlarms.throttles,
      ...(this.redriveFunctionAlarms
        ? [this.redriveFunctionAlarms.errors, this.redriveFunctionAlarms.throttles]
        : []),
    ];
  }

  /**
   * A metric the relay emits through Powertools (EMF): `RELAY_METRICS` names them. Sum per minute by default.
   *
   * @example new GraphWidget({ left: [relay.metric(RELAY_METRICS.published)] });
   */
  metric(metricName: string, options: { statistic?: string; period?: Duration } = {}): Metric {
    return new Metric({
      namespace: this.metricsNamespace,
      metricName,
      dimensionsMap: { service: this.serviceName },
      statistic: options.statistic ?? 'Sum',
      period: options.period ?? Duration.minutes(1),
    });
  }

  /**
   * Lets `grantee` invoke the redrive function (an operator role, or a CI job): the way to redrive, since the
   * bus admits PutEvents from the relay's roles only.
   *
   * @example relay.grantInvokeRedrive(operatorRole);
   */
  grantInvokeRedrive(grantee: IGrantable) {
    if (!this.redriveFunction) {
      throw new OutboxRelayPropsError(
        'OutboxRelay: grantInvokeRedrive needs the redrive function; received redrive false. Set redrive: true.',
      );
    }
    return this.redriveFunction.grantInvoke(grantee);
  }

  private powertoolsEnvironment(): Record<string, string> {
    return {
      POWERTOOLS_SERVICE_NAME: this.serviceName,
      POWERTOOLS_METRICS_NAMESPACE: this.metricsNamespace,
    };
  }

  private createRedriveFunction(props: OutboxRelayProps): NodejsFunction {
    const fn = new NodejsFunction(this, 'RedriveFunction', {
      ...nodeFunctionDefaults(),
      entry: props.redriveEntry ?? join(import.meta.dirname, '..', 'redrive', 'handler.ts'),
      description: 'outbox redrive: republishes what the on-failure and poison queues hold (invoked by hand)',
      timeout: Duration.minutes(10),
      logGroup: functionLogGroup(this, 'RedriveFunctionLogs', props.logRetention),
      environment: {
        ...this.powertoolsEnvironment(),
        [REDRIVE_ENV.tableName]: props.table.tableName,
        [REDRIVE_ENV.eventBusName]: props.eventBus.eventBusName,
        [REDRIVE_ENV.onFailureQueueUrl]: this.onFailureQueue.queueUrl,
        [REDRIVE_ENV.poisonQueueUrl]: this.poisonQueue.queueUrl,
      },
    });
    // Exactly what the redrive's code calls (outbox-table.ts, stream-range.ts, queue.ts, PutEvents).
    props.table.grant(fn, 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Scan');
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetShardIterator', 'dynamodb:GetRecords'],
        resources: [props.table.tableStreamArn as string],
      }),
    );
    props.eventBus.grantPutEventsTo(fn);
    for (const queue of [this.onFailureQueue, this.poisonQueue]) {
      queue.grant(fn, 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility');
    }
    acknowledgeFunctionBaseline(fn, { scopedTo: 'this table, stream, bus or queues' });
    return fn;
  }
}

/**
 * Synth-time validation of {@link OutboxRelayProps}: every range AWS enforces at deploy, checked before, with
 * the prop, the allowed range and the value received. Unresolved tokens are skipped.
 *
 * @example validateOutboxRelayProps({ table, eventBus, entry, batchSize: 100 }, 'OutboxRelay Stack/Relay');
 */
export function validateOutboxRelayProps(props: OutboxRelayProps, construct = 'OutboxRelay'): void {
  const at = (seconds: number) => Duration.seconds(seconds);
  checkRange(construct, 'memorySize', props.memorySize, { min: 128, max: 10_240 });
  checkRange(construct, 'batchSize', props.batchSize, { min: 1, max: 10_000 });
  checkDuration(construct, 'maxBatchingWindow', props.maxBatchingWindow, { min: at(0), max: at(300) });
  checkRange(construct, 'parallelizationFactor', props.parallelizationFactor, { min: 1, max: 10 });
  checkRange(construct, 'retryAttempts', props.retryAttempts, { min: 0, max: 10_000 });
  checkDuration(construct, 'maxRecordAge', props.maxRecordAge, { min: at(60), max: at(86_400) });
  checkDuration(construct, 'queueRetentionPeriod', props.queueRetentionPeriod, {
    min: at(60),
    max: at(1_209_600),
  });
  checkDuration(construct, 'iteratorAgeAlarmThreshold', props.iteratorAgeAlarmThreshold, {
    min: at(1),
    max: at(86_400),
  });
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

/**
 * One of the relay's two dead-letter queues (the stream's on-failure destination, the poison queue): encrypted,
 * TLS only, and retained, so deleting the stack loses no event.
 */
function deadLetterQueue(scope: Construct, id: string, retentionPeriod = Duration.days(14)): Queue {
  const queue = new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  acknowledgeNag(queue, {
    rule: 'AwsSolutions-SQS3',
    reason:
      'This queue is itself a dead-letter queue of the relay (the stream on-failure destination or the poison queue); a DLQ behind it would hide messages from its depth alarm.',
  });
  return queue;
}

/** The relay's stream event source: outbox INSERTs only, partial batch responses, exhausted batches to `onFailureQueue`. */
function relayEventSource(props: OutboxRelayProps, onFailureQueue: Queue): DynamoEventSource {
  return new DynamoEventSource(props.table, {
    startingPosition: StartingPosition.TRIM_HORIZON,
    batchSize: props.batchSize ?? 100,
    maxBatchingWindow: props.maxBatchingWindow ?? Duration.seconds(0),
    parallelizationFactor: props.parallelizationFactor ?? 1,
    retryAttempts: props.retryAttempts ?? 10,
    maxRecordAge: props.maxRecordAge ?? Duration.hours(6),
    bisectBatchOnError: props.bisectBatchOnError ?? true,
    reportBatchItemFailures: true,
    onFailure: new SqsDlq(onFailureQueue),
    filters: [FilterCriteria.filter(OUTBOX_STREAM_FILTER)],
  });
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
