import type { StackProps } from 'aws-cdk-lib';
import { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { AuditTrail } from './functions/audit-trail/construct';

/**
 * The audit consumer service: its own rule on the users bus (found through SSM), queue, DLQ, function and tables.
 *
 * @example new AuditConsumerStack(app, 'AuditConsumer', { env: stackEnvironment() });
 */
export class AuditConsumerStack extends Stack {
  readonly auditTrail: AuditTrail;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.auditTrail = new AuditTrail(this, 'AuditTrail');
  }
}
