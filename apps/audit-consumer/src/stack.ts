import { OperationsTopic } from '@outboxed/cdk-common';
import { ConsumerDashboard } from '@outboxed/consumer-kit/cdk';
import type { StackProps } from 'aws-cdk-lib';
import { CfnOutput, Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { AuditTrail } from './functions/audit-trail/construct';

/**
 * The SSM parameter holding the ARN of the audit consumer's operations topic (every alarm of the stack notifies it).
 *
 * @example aws ssm get-parameter --name /outboxed/audit-consumer/operations-topic-arn
 */
export const AUDIT_OPERATIONS_TOPIC_PARAMETER = '/outboxed/audit-consumer/operations-topic-arn';

/**
 * Properties of {@link AuditConsumerStack}.
 *
 * @example new AuditConsumerStack(app, 'AuditConsumer', { env: stackEnvironment(), operationsTopicArn });
 */
export interface AuditConsumerStackProps extends StackProps {
  /**
   * ARN of an existing SNS topic every alarm notifies (e.g. the account's pager topic).
   * @default the `operationsTopicArn` context value, else a new topic of this stack
   */
  readonly operationsTopicArn?: string;
}

/**
 * The audit consumer service: its own rule on the users bus (found through SSM), queue, DLQ, function and tables;
 * every alarm notifies its operations topic; a dashboard of the flow.
 *
 * @example new AuditConsumerStack(app, 'AuditConsumer', { env: stackEnvironment() });
 */
export class AuditConsumerStack extends Stack {
  readonly auditTrail: AuditTrail;
  readonly operations: OperationsTopic;
  readonly dashboard: ConsumerDashboard;

  constructor(scope: Construct, id: string, props: AuditConsumerStackProps = {}) {
    super(scope, id, props);
    this.operations = new OperationsTopic(this, 'Operations', {
      topicArn:
        props.operationsTopicArn ?? (this.node.tryGetContext('operationsTopicArn') as string | undefined),
      parameterName: AUDIT_OPERATIONS_TOPIC_PARAMETER,
    });
    this.auditTrail = new AuditTrail(this, 'AuditTrail', { alarmActions: [this.operations.alarmAction] });
    this.dashboard = new ConsumerDashboard(this, 'Dashboard', { consumer: this.auditTrail.consumer });
    new CfnOutput(this, 'OperationsTopicArn', {
      value: this.operations.topic.topicArn,
      description: 'SNS topic every alarm notifies: subscribe the on-call rota to it',
    });
  }
}
