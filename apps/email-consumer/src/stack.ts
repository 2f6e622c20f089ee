import { metricAlarm, OperationsTopic } from '@outboxed/cdk-common';
import { ConsumerDashboard } from '@outboxed/consumer-kit/cdk';
import type { StackProps } from 'aws-cdk-lib';
import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import { type Alarm, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import { WelcomeEmail } from './functions/welcome-email/construct';

/**
 * The SSM parameter holding the ARN of the email consumer's operations topic (every alarm of the stack notifies it).
 *
 * @example aws ssm get-parameter --name /outboxed/email-consumer/operations-topic-arn
 */
export const EMAIL_OPERATIONS_TOPIC_PARAMETER = '/outboxed/email-consumer/operations-topic-arn';

/**
 * Properties of {@link EmailConsumerStack}.
 *
 * @example new EmailConsumerStack(app, 'EmailConsumer', { env: stackEnvironment(), senderAddress: 'welcome@outboxed.example' });
 */
export interface EmailConsumerStackProps extends StackProps {
  /** The `From` address of the welcome email; its domain must be a verified SES identity. */
  readonly senderAddress: string;
  /**
   * ARN of an existing SNS topic every alarm notifies (e.g. the account's pager topic).
   * @default the `operationsTopicArn` context value, else a new topic of this stack
   */
  readonly operationsTopicArn?: string;
}

const SES_PERIOD = Duration.hours(1);

/**
 * The email consumer service: its own rule on the users bus (found through SSM), queue, DLQ, function and tables;
 * every alarm, SES's bounce and complaint rates included, notifies its operations topic; a dashboard of the flow.
 *
 * @example new EmailConsumerStack(app, 'EmailConsumer', { env: stackEnvironment(), senderAddress });
 */
export class EmailConsumerStack extends Stack {
  readonly welcomeEmail: WelcomeEmail;
  readonly operations: OperationsTopic;
  /** Fires when the account's SES bounce rate reaches 5 % (SES reviews the account at 5 %, may pause sending at 10 %). */
  readonly bounceRateAlarm: Alarm;
  /** Fires when the account's SES complaint rate reaches 0.1 % (SES reviews the account at 0.1 %, may pause at 0.5 %). */
  readonly complaintRateAlarm: Alarm;
  readonly dashboard: ConsumerDashboard;

  constructor(scope: Construct, id: string, props: EmailConsumerStackProps) {
    super(scope, id, props);
    this.operations = new OperationsTopic(this, 'Operations', {
      topicArn:
        props.operationsTopicArn ?? (this.node.tryGetContext('operationsTopicArn') as string | undefined),
      parameterName: EMAIL_OPERATIONS_TOPIC_PARAMETER,
    });
    const actions = [this.operations.alarmAction];
    this.welcomeEmail = new WelcomeEmail(this, 'WelcomeEmail', {
      senderAddress: props.senderAddress,
      alarmActions: actions,
    });

    const bounceRate = sesReputation('Reputation.BounceRate');
    const complaintRate = sesReputation('Reputation.ComplaintRate');
    this.bounceRateAlarm = metricAlarm(this, 'BounceRateAlarm', {
      description:
        "The account's SES bounce rate reached 5 %: SES puts the account under review at 5 % and may pause sending at 10 %. Welcome emails go to addresses anyone can type at sign-up: check for a sign-up flood (see the users-service README, Abuse of the public sign-up).",
      metric: bounceRate,
      threshold: 0.05,
      actions,
    });
    this.complaintRateAlarm = metricAlarm(this, 'ComplaintRateAlarm', {
      description:
        "The account's SES complaint rate reached 0.1 %: SES puts the account under review at 0.1 % and may pause sending at 0.5 %. Someone may be signing up addresses that never asked for the email (see the users-service README, Abuse of the public sign-up).",
      metric: complaintRate,
      threshold: 0.001,
      actions,
    });
    this.dashboard = new ConsumerDashboard(this, 'Dashboard', {
      consumer: this.welcomeEmail.consumer,
      effect: { title: 'SES reputation (account)', metrics: [bounceRate, complaintRate] },
      extraAlarms: [this.bounceRateAlarm, this.complaintRateAlarm],
    });
    new CfnOutput(this, 'OperationsTopicArn', {
      value: this.operations.topic.topicArn,
      description: 'SNS topic every alarm notifies: subscribe the on-call rota to it',
    });
  }
}

/** An account-level SES reputation metric (`AWS/SES`, no dimension): a rate from 0 to 1. */
function sesReputation(metricName: 'Reputation.BounceRate' | 'Reputation.ComplaintRate'): Metric {
  return new Metric({ namespace: 'AWS/SES', metricName, statistic: 'Maximum', period: SES_PERIOD });
}
