import { RELAY_METRICS } from '@outboxed/outbox';
import type { OutboxRelay } from '@outboxed/outbox/cdk';
import { Duration } from 'aws-cdk-lib';
import {
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  Metric,
  TextWidget,
  type IWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, SERVICE_NAME } from './config';
import type { UsersApi } from './functions/api/construct';

/** Properties of {@link UsersDashboard}. */
export interface UsersDashboardProps {
  readonly api: UsersApi;
  readonly relay: OutboxRelay;
  readonly eventBus: IEventBus;
}

const PERIOD = Duration.minutes(1);

/**
 * The users service's CloudWatch dashboard, in the order an event flows: HTTP requests → users committed (with their
 * outbox items) → relay lag and failures → events accepted by the bus; then the state of every alarm. Each
 * consumer's deliveries, age, errors and dead letters are on its own dashboard.
 *
 * @example new UsersDashboard(this, 'Dashboard', { api, relay, eventBus });
 */
export class UsersDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: UsersDashboardProps) {
    super(scope, id);
    const { api, relay } = props;
    const stage = api.stage;
    const widgets: IWidget[][] = [
      [
        new TextWidget({
          markdown:
            '## users-service\nPOST /users → DynamoDB transaction (user + outbox item) → stream → outbox relay → events bus. Runbook: libs/outbox/docs/operating-the-relay.md',
          width: 24,
          height: 2,
        }),
      ],
      [
        graph(
          'Requests',
          [stage.metricCount({ period: PERIOD, statistic: 'Sum' })],
          [
            stage.metricClientError({ period: PERIOD, statistic: 'Sum' }),
            stage.metricServerError({ period: PERIOD, statistic: 'Sum' }),
          ],
        ),
        graph('Latency (ms)', [
          stage.metricLatency({ period: PERIOD, statistic: 'p50' }),
          stage.metricLatency({ period: PERIOD, statistic: 'p90' }),
          stage.metricLatency({ period: PERIOD, statistic: 'p99' }),
        ]),
        graph('Users committed (UsersCreated)', [
          new Metric({
            namespace: METRICS_NAMESPACE,
            metricName: 'UsersCreated',
            dimensionsMap: { service: SERVICE_NAME },
            statistic: 'Sum',
            period: PERIOD,
          }),
        ]),
        graph('API function', [
          api.function.metricErrors({ period: PERIOD, statistic: 'Sum' }),
          api.function.metricThrottles({ period: PERIOD, statistic: 'Sum' }),
        ]),
      ],
      [
        graph('Relay lag (ms)', [
          relay.function.metric('IteratorAge', { period: PERIOD, statistic: 'Maximum' }),
          relay.metric(RELAY_METRICS.oldestRecordAge, { statistic: 'Maximum' }),
        ]),
        graph(
          'Events accepted by the bus',
          [relay.metric(RELAY_METRICS.published)],
          [relay.metric(RELAY_METRICS.requests)],
        ),
        graph('Relay failures', [
          relay.metric(RELAY_METRICS.failedEntries),
          relay.metric(RELAY_METRICS.retriedEntries),
          relay.metric(RELAY_METRICS.poison),
          relay.metric(RELAY_METRICS.poisonSendFailures),
          relay.function.metricErrors({ period: PERIOD, statistic: 'Sum' }),
        ]),
        graph('Relay queues (messages)', [
          relay.onFailureQueue.metricApproximateNumberOfMessagesVisible({
            period: PERIOD,
            statistic: 'Maximum',
          }),
          relay.poisonQueue.metricApproximateNumberOfMessagesVisible({
            period: PERIOD,
            statistic: 'Maximum',
          }),
        ]),
      ],
      [
        new AlarmStatusWidget({
          title: 'Alarms',
          alarms: [...api.alarms, ...relay.alarms],
          width: 24,
        }),
      ],
    ];
    this.dashboard = new Dashboard(this, 'Dashboard', { widgets, defaultInterval: Duration.hours(3) });
  }
}

function graph(title: string, left: Metric[], right: Metric[] = []): GraphWidget {
  return new GraphWidget({ title, left, right, width: 6, height: 6 });
}
