import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLE_KEYS, TTL_ATTRIBUTE } from './keys';

/** Properties of {@link UsersTable}. */
export interface UsersTableProps {
  /**
   * What happens to the table when it leaves the stack.
   * @default RemovalPolicy.RETAIN (users are never deleted by a deploy)
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The users table (single-table design, see `keys.ts`): users, email-uniqueness, idempotency and outbox items.
 * On-demand, encrypted with the AWS-managed KMS key, point-in-time recovery, TTL on `ttl` (outbox and
 * idempotency items clean themselves up), and a `NEW_IMAGE` stream the outbox relay reads.
 *
 * @example const { table } = new UsersTable(this, 'Users');
 */
export class UsersTable extends Construct {
  /** The table. */
  readonly table: Table;

  constructor(scope: Construct, id: string, props: UsersTableProps = {}) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      stream: StreamViewType.NEW_IMAGE,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: (props.removalPolicy ?? RemovalPolicy.RETAIN) === RemovalPolicy.RETAIN,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }
}
