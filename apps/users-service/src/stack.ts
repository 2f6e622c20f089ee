import { join } from 'node:path';
import { USERS_EVENT_SOURCE, USERS_SERVICE_PARAMETERS } from '@outboxed/contracts';
import { EventSchemas } from '@outboxed/contracts/cdk';
import { OperationsTopic } from '@outboxed/cdk-common';
import { OutboxRelay } from '@outboxed/outbox/cdk';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { Archive, EventBus } from 'aws-cdk-lib/aws-events';
import { AnyPrincipal, Effect, type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { ARCHIVE_EVENT_PATTERN, METRICS_NAMESPACE, SERVICE_NAME } from './config';
import { UsersApi, type UsersApiProps } from './functions/api/construct';
import { UsersDashboard } from './dashboard';
import { UsersServiceError } from './errors';
import { UsersTable } from './table/users-table';

/**
 * The SSM parameter holding the ARN of the users service's operations topic (every alarm of the stack notifies it).
 *
 * @example aws ssm get-parameter --name /outboxed/users/operations-topic-arn
 */
export const USERS_OPERATIONS_TOPIC_PARAMETER = '/outboxed/users/operations-topic-arn';

/** Properties of {@link UsersServiceStack}. */
export interface UsersServiceStackProps extends StackProps {
  /**
   * How long the bus archive keeps events for replay, 1 day to 10 years. Events carry the user's email and name:
   * the archive keeps them that long (see the users-service README, "Personal data in events").
   * @default Duration.days(30) (enough to replay to a consumer that was down or is new; not a system of record)
   */
  readonly archiveRetention?: Duration;
  /** Settings of the HTTP API. @default UsersApi's defaults */
  readonly api?: Omit<UsersApiProps, 'table' | 'alarmActions'>;
  /**
   * ARN of an existing SNS topic every alarm notifies (e.g. the account's pager topic).
   * @default the `operationsTopicArn` context value, else a new topic of this stack
   */
  readonly operationsTopicArn?: string;
  /**
   * IAM roles of the operators who run the redrive CLI (`libs/outbox/src/redrive/cli.ts`) with their own
   * credentials: the bus policy lets them put events, with the users source only, beside the relay's roles. Each
   * also needs, in its own policy, what the CLI reads (the table, its stream, both relay queues).
   * @default none: on AWS, redrive by invoking the deployed redrive function (`grantInvokeRedrive`)
   */
  readonly redriveOperatorRoles?: readonly IRole[];
}

/**
 * The users service: the users table, the HTTP API writing users and their UserCreated outbox items in one
 * transaction, the outbox relay publishing them to the service's own events bus (archived for replay), the
 * schema registry with every published schema, and the SSM parameters consumers find the bus and registry by.
 * Only the relay (and its redrive) may put events on the bus, and only with the users service's source.
 *
 * @example
 * const app = new App();
 * applyAwsSolutionsChecks(app);
 * new UsersServiceStack(app, 'UsersService', { env: stackEnvironment() });
 */
export class UsersServiceStack extends Stack {
  readonly usersTable: UsersTable;
  readonly eventBus: EventBus;
  readonly archive: Archive;
  readonly schemas: EventSchemas;
  readonly relay: OutboxRelay;
  readonly api: UsersApi;
  /** The topic every alarm of the stack notifies. */
  readonly operations: OperationsTopic;
  /** The service's CloudWatch dashboard: requests → commits → relay → bus. */
  readonly dashboard: UsersDashboard;

  constructor(scope: Construct, id: string, props: UsersServiceStackProps = {}) {
    super(scope, id, props);
    this.operations = new OperationsTopic(this, 'Operations', {
      topicArn:
        props.operationsTopicArn ?? (this.node.tryGetContext('operationsTopicArn') as string | undefined),
      parameterName: USERS_OPERATIONS_TOPIC_PARAMETER,
    });
    const alarmActions = [this.operations.alarmAction];
    this.usersTable = new UsersTable(this, 'Users');
    const table = this.usersTable.table;

    // The bus, its archive and the registry survive a stack deletion: consumers' rules hang on the bus, the
    // archive is the replay history, the registry is what consumers generate their types from.
    this.eventBus = new EventBus(this, 'EventBus', { description: 'users-service events (UserCreated …)' });
    this.eventBus.applyRemovalPolicy(RemovalPolicy.RETAIN);
    const archiveRetention = props.archiveRetention ?? Duration.days(30);
    checkArchiveRetention(archiveRetention);
    this.archive = new Archive(this, 'Archive', {
      sourceEventBus: this.eventBus,
      description: 'Every users-service event, for replay to a new or recovering consumer',
      eventPattern: ARCHIVE_EVENT_PATTERN,
      retention: archiveRetention,
    });
    this.archive.applyRemovalPolicy(RemovalPolicy.RETAIN);
    this.schemas = new EventSchemas(this, 'Schemas');
    this.schemas.registry?.applyRemovalPolicy(RemovalPolicy.RETAIN);
    for (const schema of this.schemas.schemas) schema.applyRemovalPolicy(RemovalPolicy.RETAIN);

    this.relay = new OutboxRelay(this, 'OutboxRelay', {
      table,
      eventBus: this.eventBus,
      entry: join(import.meta.dirname, 'functions', 'relay', 'handler.ts'),
      redrive: true,
      redriveEntry: join(import.meta.dirname, 'functions', 'redrive', 'handler.ts'),
      serviceName: SERVICE_NAME,
      metricsNamespace: METRICS_NAMESPACE,
      alarmActions,
    });
    this.restrictPutEvents([
      this.relay.function.role,
      this.relay.redriveFunction?.role,
      ...(props.redriveOperatorRoles ?? []),
    ]);

    this.api = new UsersApi(this, 'Api', { ...props.api, table, alarmActions });
    this.dashboard = new UsersDashboard(this, 'Dashboard', {
      api: this.api,
      relay: this.relay,
      eventBus: this.eventBus,
    });

    new StringParameter(this, 'EventBusNameParameter', {
      parameterName: USERS_SERVICE_PARAMETERS.eventBusName,
      stringValue: this.eventBus.eventBusName,
      description: 'Name of the users-service events bus (consumers put their rules on it)',
    });
    new StringParameter(this, 'EventBusArnParameter', {
      parameterName: USERS_SERVICE_PARAMETERS.eventBusArn,
      stringValue: this.eventBus.eventBusArn,
      description: 'ARN of the users-service events bus',
    });
    new StringParameter(this, 'SchemaRegistryNameParameter', {
      parameterName: USERS_SERVICE_PARAMETERS.schemaRegistryName,
      stringValue: this.schemas.registryName,
      description: 'Name of the EventBridge schema registry holding the users-service event schemas',
    });

    new CfnOutput(this, 'ApiUrl', {
      value: this.api.httpApi.apiEndpoint,
      description: 'Base URL of the users API',
    });
    new CfnOutput(this, 'EventBusName', { value: this.eventBus.eventBusName });
    new CfnOutput(this, 'OperationsTopicArn', {
      value: this.operations.topic.topicArn,
      description: 'SNS topic every alarm notifies: subscribe the on-call rota to it',
    });
    if (this.relay.redriveFunction) {
      new CfnOutput(this, 'RedriveFunctionName', {
        value: this.relay.redriveFunction.functionName,
        description:
          'The redrive function (outbox-redrive --function-name …); see libs/outbox/docs/operating-the-relay.md',
      });
    }
  }

  /**
   * The bus's resource policy: the relay's roles (and the named redrive operators) may put events only with the
   * users service's source, and no other principal of any account may put events on this bus (AWS services, e.g.
   * archive replay, are exempt).
   */
  private restrictPutEvents(roles: readonly (IRole | undefined)[]): void {
    const publishers = roles.filter((role): role is IRole => role !== undefined);
    const publisherArns = publishers.map((role) => role.roleArn);
    this.eventBus.addToResourcePolicy(
      new PolicyStatement({
        sid: 'RelayPutsUsersEvents',
        effect: Effect.ALLOW,
        principals: publishers.map((role) => role.grantPrincipal),
        actions: ['events:PutEvents'],
        resources: [this.eventBus.eventBusArn],
        conditions: { StringEquals: { 'events:source': USERS_EVENT_SOURCE } },
      }),
    );
    this.eventBus.addToResourcePolicy(
      new PolicyStatement({
        sid: 'OnlyTheRelayPutsEvents',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['events:PutEvents'],
        resources: [this.eventBus.eventBusArn],
        conditions: {
          ArnNotEquals: { 'aws:PrincipalArn': publisherArns },
          Bool: { 'aws:PrincipalIsAWSService': 'false' },
        },
      }),
    );
    this.eventBus.addToResourcePolicy(
      new PolicyStatement({
        sid: 'OnlyTheUsersSource',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['events:PutEvents'],
        resources: [this.eventBus.eventBusArn],
        conditions: {
          StringNotEquals: { 'events:source': USERS_EVENT_SOURCE },
          Bool: { 'aws:PrincipalIsAWSService': 'false' },
        },
      }),
    );
  }
}

function checkArchiveRetention(retention: Duration): void {
  if (retention.isUnresolved()) return;
  const days = retention.toDays({ integral: false });
  if (!Number.isInteger(days) || days < 1 || days > 3650) {
    throw new UsersServiceError(
      `UsersServiceStack: archiveRetention must be a whole number of days from 1 to 3650; received ${retention.toHumanString()}. Events hold emails and names: keep the archive no longer than replay needs.`,
    );
  }
}
