import { join } from 'node:path';
import { USERS_EVENT_SOURCE, USERS_SERVICE_PARAMETERS } from '@outboxed/contracts';
import { EventSchemas } from '@outboxed/contracts/cdk';
import { OutboxRelay } from '@outboxed/outbox/cdk';
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Archive, EventBus } from 'aws-cdk-lib/aws-events';
import { AnyPrincipal, Effect, type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { ARCHIVE_EVENT_PATTERN } from './config';
import { UsersApi, type UsersApiProps } from './functions/api/construct';
import { UsersTable } from './table/users-table';

/** Properties of {@link UsersServiceStack}. */
export interface UsersServiceStackProps extends StackProps {
  /** How long the bus archive keeps events for replay. @default Duration.days(365) */
  readonly archiveRetention?: Duration;
  /** Settings of the HTTP API. @default UsersApi's defaults */
  readonly api?: Omit<UsersApiProps, 'table'>;
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

  constructor(scope: Construct, id: string, props: UsersServiceStackProps = {}) {
    super(scope, id, props);
    this.usersTable = new UsersTable(this, 'Users');
    const table = this.usersTable.table;

    this.eventBus = new EventBus(this, 'EventBus', { description: 'users-service events (UserCreated …)' });
    this.archive = new Archive(this, 'Archive', {
      sourceEventBus: this.eventBus,
      description: 'Every users-service event, for replay to a new or recovering consumer',
      eventPattern: ARCHIVE_EVENT_PATTERN,
      retention: props.archiveRetention ?? Duration.days(365),
    });
    this.schemas = new EventSchemas(this, 'Schemas');

    this.relay = new OutboxRelay(this, 'OutboxRelay', {
      table,
      eventBus: this.eventBus,
      entry: join(import.meta.dirname, 'functions', 'relay', 'handler.ts'),
      redrive: true,
      redriveEntry: join(import.meta.dirname, 'functions', 'redrive', 'handler.ts'),
    });
    this.restrictPutEvents([this.relay.function.role, this.relay.redriveFunction?.role]);

    this.api = new UsersApi(this, 'Api', { ...props.api, table });

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
  }

  /**
   * The bus's resource policy: the relay's roles may put events only with the users service's source, and no
   * other principal of any account may put events on this bus (AWS services, e.g. archive replay, are exempt).
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
