import type { ConsumerExpectations } from '@outboxed/contracts';
import { eventPattern, USERS_SERVICE_PARAMETERS } from '@outboxed/contracts';
import {
  acknowledgeFunctionBaseline,
  acknowledgeNag,
  functionAlarms,
  functionLogGroup,
  metricAlarm,
  nodeFunctionDefaults,
  type FunctionAlarms,
} from '@outboxed/cdk-common';
import { Duration, Fn, RemovalPolicy, Token } from 'aws-cdk-lib';
import type { IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import {
  CONSUMER_ENV,
  DEFAULT_CONSUMER_METRICS_NAMESPACE,
  DEFAULT_IDEMPOTENCY_EXPIRES_AFTER_SECONDS,
} from '../environment';
import { validateProps } from './validate-props';

/**
 * The SSM parameter names through which the producer publishes its bus (the rule needs only the name).
 *
 * @example new EventConsumer(this, 'C', { expectations, entry, producerParameters: { eventBusName: '/orders/event-bus-name' } });
 */
export interface ProducerParameters {
  readonly eventBusName: string;
}

/**
 * Properties of {@link EventConsumer}.
 *
 * @example const props: EventConsumerProps = { expectations, entry: join(import.meta.dirname, 'handler.ts'), batchSize: 5 };
 */
export interface EventConsumerProps {
  /**
   * What the consumer reads (its `contract-expectations.ts`): the rule matches each subscribed event type (source and
   * detail-type) in every version, and nothing else, so no event the consumer cannot read reaches its queue; a
   * breaking change, published as a new detail-type (major), is not delivered until the consumer subscribes to it.
   */
  readonly expectations: ConsumerExpectations;
  /**
   * Extra content filter on `detail`, merged into the rule pattern by `eventPattern` of `@outboxed/contracts`.
   * @default no filter: every event of the subscribed event types
   */
  readonly contentFilter?: Parameters<typeof eventPattern>[1];
  /** The handler file (exports `handler = createConsumerHandler(...)`). */
  readonly entry: string;
  /** Extra environment variables of the function (the kit's own are added). @default none */
  readonly environment?: Readonly<Record<string, string>>;
  /** The function's timeout; the queue's visibility timeout is six times it (AWS's advice for SQS event sources). @default 30 seconds */
  readonly timeout?: Duration;
  /**
   * SSM parameter names the producer publishes its bus under; resolved by CloudFormation at deploy time,
   * so the consumer needs no CloudFormation export and deploys on its own.
   * @default USERS_SERVICE_PARAMETERS of `@outboxed/contracts`
   */
  readonly producerParameters?: ProducerParameters;
  /** Memory of the function in MB, 128–10,240 (`npm run bench cost` says which size is cheapest). @default 256 (nodeFunctionDefaults) */
  readonly memorySize?: number;
  /** Records per invocation, 1–10 (up to 10,000 with `maxBatchingWindow`). @default 10 */
  readonly batchSize?: number;
  /** How long to gather records before invoking. @default no window */
  readonly maxBatchingWindow?: Duration;
  /** Maximum concurrent invocations by the event source, 2–1000. @default no limit but the account's */
  readonly maxConcurrency?: number;
  /** Receives of a message before SQS moves it to the dead-letter queue, 1–1000. @default 5 */
  readonly maxReceiveCount?: number;
  /** How long the queue keeps an unprocessed message, 1 minute–14 days. @default 4 days */
  readonly retentionPeriod?: Duration;
  /**
   * How long an event's idempotency record lives (a duplicate arriving later is applied again), at least 1 minute.
   * @default 14 days (the longest an SQS message, or its dead-letter copy, can live)
   */
  readonly idempotencyExpiration?: Duration;
  /** Age of the oldest queued message at which the age alarm fires. @default 10 minutes */
  readonly messageAgeAlarmThreshold?: Duration;
  /** Actions of every alarm (e.g. the stack's operations topic). @default none: the alarms are only visible in CloudWatch */
  readonly alarmActions?: readonly IAlarmAction[];
  /**
   * Powertools metrics namespace of the function (`POWERTOOLS_METRICS_NAMESPACE`); its service name
   * (`POWERTOOLS_SERVICE_NAME`, the metrics' `service` dimension) is `expectations.consumer`.
   * @default 'Outboxed/Consumers'
   */
  readonly metricsNamespace?: string;
  /** How long the function's logs are kept. @default RetentionDays.THREE_MONTHS */
  readonly logRetention?: RetentionDays;
}

/**
 * An event consumer of the users service's bus, the way every consumer of this workspace is built:
 *
 * the bus found through the SSM parameters its producer publishes (resolved at deploy time, no CloudFormation
 * exports) → a rule whose pattern comes from the contracts → an SSE-SQS encrypted, TLS-only queue whose policy
 * admits only that rule (`aws:SourceArn`) and with a dead-letter queue (also the rule target's DLQ) → the function,
 * reading the queue in batches with `ReportBatchItemFailures` → a Powertools idempotency table (pk `id`, TTL
 * `expiration`); alarms on dead-letter queue depth and on the age of the oldest message.
 *
 * The function gets no permission on the producer's resources: it can read its queue, send to its dead-letter
 * queue and use its idempotency table, nothing else; grant what the effect needs on {@link EventConsumer.function}.
 *
 * @example
 * const consumer = new EventConsumer(this, 'Audit', {
 *   expectations,
 *   entry: join(import.meta.dirname, 'handler.ts'),
 * });
 * auditTable.grant(consumer.function, 'dynamodb:PutItem');
 */
export class EventConsumer extends Construct {
  /** The producer's bus, imported from the SSM parameters. */
  readonly eventBus: IEventBus;
  readonly rule: Rule;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly idempotencyTable: Table;
  readonly function: NodejsFunction;
  /** Fires when the dead-letter queue holds at least one message. */
  readonly deadLetterQueueAlarm: Alarm;
  /** Fires when the oldest message of the queue is older than `messageAgeAlarmThreshold`. */
  readonly messageAgeAlarm: Alarm;
  /** Fires when the rule fails to deliver events to the queue (`FailedInvocations`; they go to the dead-letter queue). */
  readonly ruleFailedInvocationsAlarm: Alarm;
  /** Errors and Throttles alarms of the function. */
  readonly functionAlarms: FunctionAlarms;
  /** Powertools service name of the function: `expectations.consumer`. */
  readonly serviceName: string;
  /** Powertools metrics namespace of the function. */
  readonly metricsNamespace: string;

  constructor(scope: Construct, id: string, props: EventConsumerProps) {
    super(scope, id);
    validateProps(props, `EventConsumer ${this.node.path}`);
    const timeout = props.timeout ?? Duration.seconds(30);
    const parameters = props.producerParameters ?? USERS_SERVICE_PARAMETERS;
    this.serviceName = props.expectations.consumer;
    this.metricsNamespace = props.metricsNamespace ?? DEFAULT_CONSUMER_METRICS_NAMESPACE;

    this.eventBus = EventBus.fromEventBusName(
      this,
      'EventBus',
      StringParameter.valueForStringParameter(this, parameters.eventBusName),
    );

    ({ queue: this.queue, deadLetterQueue: this.deadLetterQueue } = consumerQueues(this, props, timeout));

    const contracts = props.expectations.subscriptions.map((s) => s.contract);
    const pattern = eventPattern(contracts, props.contentFilter);
    this.rule = new Rule(this, 'Rule', {
      eventBus: this.eventBus,
      description: `Events of ${contracts.map((c) => `${c.detailType} (read as v${c.version})`).join(', ')} to ${this.node.path}`,
      eventPattern: { source: pattern.source, detailType: pattern['detail-type'], detail: pattern.detail },
      targets: [new SqsQueue(this.queue, { deadLetterQueue: this.deadLetterQueue })],
    });

    this.idempotencyTable = idempotencyTable(this);

    this.function = new NodejsFunction(this, 'Function', {
      ...nodeFunctionDefaults(),
      entry: props.entry,
      timeout,
      ...(props.memorySize === undefined ? {} : { memorySize: props.memorySize }),
      description: `${this.serviceName}: applies the events of its queue`,
      logGroup: functionLogGroup(this, 'FunctionLogs', props.logRetention),
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: this.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: this.metricsNamespace,
        [CONSUMER_ENV.idempotencyTableName]: this.idempotencyTable.tableName,
        [CONSUMER_ENV.deadLetterQueueUrl]: this.deadLetterQueue.queueUrl,
        [CONSUMER_ENV.idempotencyExpiresAfterSeconds]: String(
          props.idempotencyExpiration?.toSeconds() ?? DEFAULT_IDEMPOTENCY_EXPIRES_AFTER_SECONDS,
        ),
      },
    });
    this.function.addEventSource(queueEventSource(this.queue, props));
    this.idempotencyTable.grant(
      this.function,
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
    );
    // The kit's code sends invalid events to the dead-letter queue (SendMessage only).
    this.deadLetterQueue.grant(this.function, 'sqs:SendMessage');
    acknowledgeFunctionBaseline(this.function, {
      scopedTo: 'the idempotency table and the dead-letter queue',
    });

    const alarmActions = props.alarmActions ?? [];
    this.deadLetterQueueAlarm = deadLetterQueueAlarm(this, this.deadLetterQueue);
    const ageThreshold = props.messageAgeAlarmThreshold ?? Duration.minutes(10);
    this.messageAgeAlarm = new Alarm(this, 'MessageAgeAlarm', {
      alarmDescription: `${this.node.path} lags: its oldest queued event is older than ${ageThreshold.toHumanString()}.`,
      metric: this.queue.metricApproximateAgeOfOldestMessage({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: ageThreshold.toSeconds(),
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.ruleFailedInvocationsAlarm = metricAlarm(this, 'RuleFailedInvocationsAlarm', {
      description: `The rule of ${this.node.path} fails to deliver events to its queue (FailedInvocations): after its retries they go to the dead-letter queue. Check the queue policy and encryption.`,
      metric: this.metricRule('FailedInvocations'),
      threshold: 1,
    });
    this.functionAlarms = functionAlarms(this.function, `The consumer ${this.serviceName}`);
    for (const alarm of this.alarms) {
      for (const action of alarmActions) alarm.addAlarmAction(action);
    }
  }

  /** Every alarm of the consumer. */
  get alarms(): Alarm[] {
    return [
      this.deadLetterQueueAlarm,
      this.messageAgeAlarm,
      this.ruleFailedInvocationsAlarm,
      this.functionAlarms.errors,
      this.functionAlarms.throttles,
    ];
  }

  /**
   * A metric the consumer's handler emits (`CONSUMER_METRICS` of the kit), in its namespace and `service` dimension. Sum per minute.
   *
   * @example new GraphWidget({ left: [consumer.metric(CONSUMER_METRICS.applied)] });
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
   * A metric of the consumer's rule (`AWS/Events`, dimensions `EventBusName` and `RuleName`): `Invocations` are the
   * events the bus delivered to the queue. Sum per minute.
   *
   * @example consumer.metricRule('Invocations')
   */
  metricRule(metricName: 'Invocations' | 'FailedInvocations' | 'InvocationsSentToDlq'): Metric {
    return new Metric({
      namespace: 'AWS/Events',
      metricName,
      dimensionsMap: { EventBusName: this.eventBus.eventBusName, RuleName: this.ruleNameDimension() },
      statistic: 'Sum',
      period: Duration.minutes(1),
    });
  }
  /**
   * The rule's name as `AWS/Events` publishes it. A rule's `Ref` (CDK's `rule.ruleName`) on a custom bus is
   * `<bus>|<rule>`, while the metrics' `RuleName` dimension is the plain rule name: an alarm on the `Ref` would
   * watch a metric that never exists and never fire.
   */
  private ruleNameDimension(): string {
    const bus = this.eventBus.eventBusName;
    if (!Token.isUnresolved(bus) && bus === 'default') return this.rule.ruleName;
    return Fn.select(1, Fn.split('|', this.rule.ruleName));
  }
}

/**
 * The consumer's queue and its dead-letter queue: encrypted, TLS only, retained (events not yet applied survive a
 * stack deletion and can be moved back once the consumer is redeployed); the visibility timeout is six times the
 * function's timeout plus the batching window, as Lambda advises for SQS event sources.
 */
function consumerQueues(
  scope: Construct,
  props: EventConsumerProps,
  timeout: Duration,
): { readonly queue: Queue; readonly deadLetterQueue: Queue } {
  const deadLetterQueue = new Queue(scope, 'DeadLetterQueue', {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const queue = new Queue(scope, 'Queue', {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: props.retentionPeriod ?? Duration.days(4),
    visibilityTimeout: Duration.seconds(
      timeout.toSeconds() * 6 + (props.maxBatchingWindow?.toSeconds() ?? 0),
    ),
    deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 5 },
    removalPolicy: RemovalPolicy.RETAIN,
  });
  return { queue, deadLetterQueue };
}

/**
 * The idempotency table of the consumer's handler, retained and protected: deleting it while events wait in the
 * retained queues would apply them a second time once redeployed.
 */
function idempotencyTable(scope: Construct): Table {
  const table = new Table(scope, 'IdempotencyTable', {
    partitionKey: { name: 'id', type: AttributeType.STRING },
    timeToLiveAttribute: 'expiration',
    billingMode: BillingMode.PAY_PER_REQUEST,
    removalPolicy: RemovalPolicy.RETAIN,
    deletionProtection: true,
  });
  acknowledgeNag(table, {
    rule: 'AwsSolutions-DDB3',
    reason:
      'Idempotency records are transient (TTL); restoring them to a point in time would serve no purpose.',
  });
  return table;
}

/** The function's event source on `queue`, with partial batch responses. */
function queueEventSource(queue: Queue, props: EventConsumerProps): SqsEventSource {
  return new SqsEventSource(queue, {
    batchSize: props.batchSize ?? 10,
    maxBatchingWindow: props.maxBatchingWindow,
    maxConcurrency: props.maxConcurrency,
    reportBatchItemFailures: true,
  });
}

/** Fires as soon as the dead-letter queue holds an event the consumer could not process. */
function deadLetterQueueAlarm(scope: Construct, deadLetterQueue: Queue): Alarm {
  return new Alarm(scope, 'DeadLetterQueueAlarm', {
    alarmDescription: `Events ${scope.node.path} could not process are waiting in its dead-letter queue.`,
    metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({
      period: Duration.minutes(1),
      statistic: 'Maximum',
    }),
    threshold: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
}
