import { Duration } from 'aws-cdk-lib';
import {
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  TextWidget,
  type IAlarm,
  type IMetric,
  type IWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { CONSUMER_METRICS } from '../environment';
import type { EventConsumer } from './event-consumer';

/**
 * Properties of {@link ConsumerDashboard}.
 *
 * @example new ConsumerDashboard(this, 'Dashboard', { consumer, effect: { title: 'SES', metrics: [bounceRate] } });
 */
export interface ConsumerDashboardProps {
  /** The consumer to show. */
  readonly consumer: EventConsumer;
  /** A graph of the consumer's effect (e.g. SES reputation), beside the kit's own graphs. @default none */
  readonly effect?: { readonly title: string; readonly metrics: readonly IMetric[] };
  /** Alarms to show beside the consumer's own (e.g. of its effect). @default none */
  readonly extraAlarms?: readonly IAlarm[];
}

const PERIOD = Duration.minutes(1);

/**
 * A consumer's CloudWatch dashboard, in the order an event flows: the rule's deliveries from the bus → the queue
 * (age of the oldest event, depth) → the function's outcomes (applied, duplicate, rejected, failed; errors and
 * throttles) → the dead-letter queue; then the state of every alarm.
 *
 * @example new ConsumerDashboard(this, 'Dashboard', { consumer: auditTrail.consumer });
 */
export class ConsumerDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: ConsumerDashboardProps) {
    super(scope, id);
    const { consumer } = props;
    const row: IWidget[] = [
      graph(
        'Bus deliveries (rule)',
        [consumer.metricRule('Invocations')],
        [consumer.metricRule('FailedInvocations'), consumer.metricRule('InvocationsSentToDlq')],
      ),
      graph('Queue: age of the oldest event (s)', [
        consumer.queue.metricApproximateAgeOfOldestMessage({ period: PERIOD, statistic: 'Maximum' }),
      ]),
      graph('Queue: events waiting', [
        consumer.queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }),
        consumer.queue.metricApproximateNumberOfMessagesNotVisible({ period: PERIOD, statistic: 'Maximum' }),
      ]),
      graph('Events by outcome', [
        consumer.metric(CONSUMER_METRICS.applied),
        consumer.metric(CONSUMER_METRICS.duplicate),
        consumer.metric(CONSUMER_METRICS.rejected),
        consumer.metric(CONSUMER_METRICS.failed),
        consumer.metric(CONSUMER_METRICS.possibleDuplicate),
      ]),
    ];
    const second: IWidget[] = [
      graph('Function errors and throttles', [
        consumer.function.metricErrors({ period: PERIOD, statistic: 'Sum' }),
        consumer.function.metricThrottles({ period: PERIOD, statistic: 'Sum' }),
      ]),
      graph('Function duration (ms)', [
        consumer.function.metricDuration({ period: PERIOD, statistic: 'p90' }),
      ]),
      graph('Dead-letter queue', [
        consumer.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: PERIOD,
          statistic: 'Maximum',
        }),
      ]),
      ...(props.effect ? [graph(props.effect.title, [...props.effect.metrics])] : []),
    ];
    this.dashboard = new Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(3),
      widgets: [
        [
          new TextWidget({
            markdown: `## ${consumer.serviceName}\nusers bus → rule → queue → function → effect; what it cannot apply waits in its dead-letter queue.`,
            width: 24,
            height: 2,
          }),
        ],
        row,
        second,
        [
          new AlarmStatusWidget({
            title: 'Alarms',
            alarms: [...consumer.alarms, ...(props.extraAlarms ?? [])],
            width: 24,
          }),
        ],
      ],
    });
  }
}

function graph(title: string, left: IMetric[], right: IMetric[] = []): GraphWidget {
  return new GraphWidget({ title, left, right, width: 6, height: 6 });
}
