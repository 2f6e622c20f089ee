import { join } from 'node:path';
import { EventConsumer } from '@outboxed/consumer-kit/cdk';
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { Grant } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { expectations } from '../../contract-expectations';
import { AUDIT_ENV } from '../../environment';
import { BY_OCCURRED_ON_INDEX } from './audit-record';

/**
 * Properties of {@link AuditTrail}.
 *
 * @example new AuditTrail(this, 'AuditTrail', { alarmActions: [operations.alarmAction] });
 */
export interface AuditTrailProps {
  /** Actions of every alarm of the consumer. @default none */
  readonly alarmActions?: readonly IAlarmAction[];
}

/**
 * The audit trail: an `EventConsumer` of the users' events appending to its own table, which it may only `PutItem`
 * into (append-only). Table: pk `pk` (aggregate id) + sk `sk` (`<occurredAt>#<eventId>`), index `byOccurredOn`
 * (pk `occurredOn`, sk `sk`) for "what happened that day, in order"; point-in-time recovery on; retained on delete,
 * with deletion protection.
 *
 * @example new AuditTrail(this, 'AuditTrail');
 */
export class AuditTrail extends Construct {
  readonly consumer: EventConsumer;
  readonly table: Table;

  constructor(scope: Construct, id: string, props: AuditTrailProps = {}) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.RETAIN,
      deletionProtection: true,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: BY_OCCURRED_ON_INDEX,
      partitionKey: { name: 'occurredOn', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
    });
    this.consumer = new EventConsumer(this, 'Consumer', {
      expectations,
      entry: join(import.meta.dirname, 'handler.ts'),
      environment: { [AUDIT_ENV.auditTableName]: this.table.tableName },
      alarmActions: props.alarmActions,
    });
    // The table's ARN only (`table.grant` would add its indexes, which PutItem never touches).
    Grant.addToPrincipal({
      grantee: this.consumer.function,
      actions: ['dynamodb:PutItem'],
      resourceArns: [this.table.tableArn],
    });
  }
}
