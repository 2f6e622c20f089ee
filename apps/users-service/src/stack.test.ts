import { findWorkspaceRoot } from '@outboxed/cdk-common/workspace-root';
import { applyAwsSolutionsChecks, stackEnvironment } from '@outboxed/cdk-common';
import {
  eventCatalog,
  USERS_EVENT_SOURCE,
  USERS_SCHEMA_REGISTRY_NAME,
  USERS_SERVICE_PARAMETERS,
} from '@outboxed/contracts';
import { OUTBOX_STREAM_FILTER } from '@outboxed/outbox/testing';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import {
  templateApp,
  acknowledgedNagFindings,
  iamActionsFor,
  sdkCommandsSent,
  synthesizeNagFindings,
  unretainedStatefulResources,
  type AcknowledgedNagFinding,
  type NagFinding,
} from '@outboxed/cdk-common/testing/cdk';
import { Role } from 'aws-cdk-lib/aws-iam';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnRegistry } from 'aws-cdk-lib/aws-eventschemas';
import { beforeAll, describe, expect, it } from 'vitest';
import { USERS_OPERATIONS_TOPIC_PARAMETER, UsersServiceStack } from './stack';
import { usersTableCreateInput } from './table/create-table-input';
import { API_ENV } from './config';

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Principal?: unknown;
  Condition?: unknown;
}

let template: Template;
let stack: UsersServiceStack;
let findings: NagFinding[];
let acknowledged: AcknowledgedNagFinding[];

beforeAll(() => {
  const app = templateApp();
  applyAwsSolutionsChecks(app);
  stack = new UsersServiceStack(app, 'UsersService', { env: stackEnvironment({}) });
  findings = synthesizeNagFindings(app);
  acknowledged = acknowledgedNagFindings(app);
  template = Template.fromStack(stack);
});

const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as never);

/** Every IAM policy statement attached to the role with this logical id. */
function statementsOfRole(roleLogicalId: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((policy) =>
      (policy['Properties'] as { Roles: { Ref: string }[] }).Roles.some((role) => role.Ref === roleLogicalId),
    )
    .flatMap(
      (policy) =>
        (policy['Properties'] as { PolicyDocument: { Statement: Statement[] } }).PolicyDocument.Statement,
    );
}

function roleOf(functionLogicalId: string): string {
  const fn = template.findResources('AWS::Lambda::Function')[functionLogicalId];
  return (fn?.['Properties'] as { Role: { 'Fn::GetAtt': [string, string] } }).Role['Fn::GetAtt'][0];
}

const actions = (statements: Statement[]) =>
  statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

describe('UsersServiceStack', () => {
  it('passes the cdk-nag AwsSolutions pack with no unacknowledged finding', () => {
    expect(findings).toEqual([]);
  });

  it('lists every acknowledged cdk-nag finding in the validation report, each on its own resource with a reason', () => {
    expect(
      acknowledged.map((f) => `${f.rule.replace(/\[.*\]$/, '')} ${f.path} (at ${f.acknowledgedAt})`).sort(),
    ).toEqual(
      [
        'AwsSolutions-APIG4 UsersService/Api/HttpApi/POST--users/Resource (at UsersService/Api/HttpApi/POST--users)',
        ...['Api/Function', 'OutboxRelay/Function', 'OutboxRelay/RedriveFunction'].flatMap((fn) => [
          `AwsSolutions-IAM4 UsersService/${fn}/ServiceRole/Resource (at UsersService/${fn})`,
          `AwsSolutions-IAM5 UsersService/${fn}/ServiceRole/DefaultPolicy/Resource (at UsersService/${fn})`,
          `AwsSolutions-L1 UsersService/${fn}/Resource (at UsersService/${fn})`,
        ]),
        'AwsSolutions-SQS3 UsersService/OutboxRelay/OnFailureQueue/Resource (at UsersService/OutboxRelay/OnFailureQueue)',
        'AwsSolutions-SQS3 UsersService/OutboxRelay/PoisonQueue/Resource (at UsersService/OutboxRelay/PoisonQueue)',
      ].sort(),
    );
    for (const finding of acknowledged) expect(finding.reason.length).toBeGreaterThan(40);
  });

  it('keeps every stateful resource when the stack is deleted: table (deletion protection), bus, archive, registry, queues, log groups', () => {
    expect(unretainedStatefulResources(template)).toEqual([]);
    expect(Object.keys(template.findResources('AWS::EventSchemas::Registry'))).toHaveLength(1);
    expect(Object.keys(template.findResources('AWS::Logs::LogGroup'))).toHaveLength(4);
  });

  it('notifies the operations topic, whose ARN it publishes in SSM, from every alarm', () => {
    const topic = { Ref: logicalId(stack.operations.topic) };
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: USERS_OPERATIONS_TOPIC_PARAMETER,
      Type: 'String',
      Value: topic,
    });
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.map((a) => a['Properties'].AlarmActions)).toEqual(alarms.map(() => [topic]));
    expect(alarms.map((a) => `${a['Properties'].Namespace} ${a['Properties'].MetricName}`).sort()).toEqual(
      [
        'AWS/ApiGateway 5xx',
        'AWS/ApiGateway Latency',
        'AWS/Lambda Errors',
        'AWS/Lambda Errors',
        'AWS/Lambda Errors',
        'AWS/Lambda IteratorAge',
        'AWS/Lambda Throttles',
        'AWS/Lambda Throttles',
        'AWS/Lambda Throttles',
        'AWS/SQS ApproximateNumberOfMessagesVisible',
        'AWS/SQS ApproximateNumberOfMessagesVisible',
        'Outboxed/Users FailedEntries',
        'Outboxed/Users PoisonSendFailures',
      ].sort(),
    );
  });

  it("alarms on AWS's recommended HTTP API thresholds: 5xx rate above 5 % for 3 minutes, p90 latency at or above 2.5 s for 5", () => {
    const stage = '$default';
    const api = { Ref: logicalId(stack.api.httpApi) };
    const byMetric = (name: string) =>
      Object.values(template.findResources('AWS::CloudWatch::Alarm')).find(
        (a) => a['Properties'].MetricName === name,
      )?.['Properties'];
    expect(byMetric('5xx')).toEqual({
      AlarmDescription: expect.stringContaining('5xx'),
      AlarmActions: [{ Ref: logicalId(stack.operations.topic) }],
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
      Dimensions: [
        { Name: 'ApiId', Value: api },
        { Name: 'Stage', Value: stage },
      ],
      Statistic: 'Average',
      Period: 60,
      Threshold: 0.05,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 3,
      TreatMissingData: 'notBreaching',
    });
    expect(byMetric('Latency')).toEqual({
      AlarmDescription: expect.stringContaining('p90'),
      AlarmActions: [{ Ref: logicalId(stack.operations.topic) }],
      Namespace: 'AWS/ApiGateway',
      MetricName: 'Latency',
      Dimensions: [
        { Name: 'ApiId', Value: api },
        { Name: 'Stage', Value: stage },
      ],
      ExtendedStatistic: 'p90',
      Period: 60,
      Threshold: 2500,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 5,
      TreatMissingData: 'notBreaching',
    });
  });

  it('has one dashboard following the flow: requests, commits, relay lag and failures, bus, alarms', () => {
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]?.['Properties'].DashboardBody);
    for (const title of [
      'Requests',
      'Latency (ms)',
      'Users committed (UsersCreated)',
      'Relay lag (ms)',
      'Events accepted by the bus',
      'Relay failures',
      'Relay queues (messages)',
      'Alarms',
    ]) {
      expect(body).toContain(`\\"title\\":\\"${title}\\"`);
    }
  });

  it('gives every function the Powertools service name and namespace of the service', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function')).filter(
      (f) => f['Properties'].Runtime === 'nodejs22.x',
    );
    expect(functions).toHaveLength(3);
    for (const fn of functions) {
      expect(fn['Properties'].Environment.Variables).toMatchObject({
        POWERTOOLS_SERVICE_NAME: 'users-service',
        POWERTOOLS_METRICS_NAMESPACE: 'Outboxed/Users',
      });
    }
  });

  it('admits a named redrive operator role in the bus policy, beside the relay roles, with the users source only', () => {
    const app = templateApp();
    const roles = new Stack(app, 'Roles', { env: stackEnvironment({}) });
    const withOperator = new UsersServiceStack(app, 'WithOperator', {
      env: stackEnvironment({}),
      redriveOperatorRoles: [
        Role.fromRoleArn(roles, 'Operator', 'arn:aws:iam::000000000000:role/outbox-redrive-operator', {
          mutable: false,
        }),
      ],
    });
    const policy = Object.values(
      Template.fromStack(withOperator).findResources('AWS::Events::EventBusPolicy'),
    )
      .map((p) => p['Properties'].Statement as Statement & { Sid: string })
      .find((s) => s.Sid === 'cdk-RelayPutsUsersEvents');
    const operator = 'arn:aws:iam::000000000000:role/outbox-redrive-operator';

    expect(JSON.stringify(policy?.Principal)).toContain(operator);
    expect(policy?.Condition).toEqual({ StringEquals: { 'events:source': USERS_EVENT_SOURCE } });
    const deny = Object.values(Template.fromStack(withOperator).findResources('AWS::Events::EventBusPolicy'))
      .map((p) => p['Properties'].Statement as Statement & { Sid: string })
      .find((s) => s.Sid === 'cdk-OnlyTheRelayPutsEvents');
    expect(JSON.stringify(deny?.Condition)).toContain(operator);
  });

  it.each([
    ['API', () => stack.api.function, ['apps/users-service/src/functions/api', 'libs/outbox/src/writer'], []],
    [
      'relay',
      () => stack.relay.function,
      ['libs/outbox/src/relay'],
      // its event source mapping reads the stream and sends batch pointers to the on-failure queue with its role
      [
        'dynamodb:DescribeStream',
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
        'dynamodb:ListStreams',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:SendMessage',
      ],
    ],
    [
      'redrive',
      () => stack.relay.redriveFunction as never,
      ['libs/outbox/src/redrive', 'libs/outbox/src/relay/publish-in-order.ts'],
      [],
    ],
  ] as const)(
    "grants the %s function's role exactly the actions of the SDK commands its code sends (plus its event source mapping's and X-Ray's)",
    (_name, fn, folders, mapping) => {
      const root = findWorkspaceRoot();
      const sent = iamActionsFor(sdkCommandsSent(folders.map((f) => join(root, f))));
      const granted = [...new Set(actions(statementsOfRole(roleOf(logicalId(fn())))))].sort();

      expect(granted).toEqual(
        [...new Set([...sent, ...mapping, 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'])].sort(),
      );
    },
  );

  it('defines the users table as the tests create it: pk/sk, on-demand, NEW_IMAGE stream, TTL, PITR, encryption, retained', () => {
    const input = usersTableCreateInput('ignored');

    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        KeySchema: input.KeySchema,
        AttributeDefinitions: input.AttributeDefinitions,
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        DeletionProtectionEnabled: true,
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
  });

  it('creates the events bus with an archive of every users event for replay', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.hasResourceProperties('AWS::Events::Archive', {
      SourceArn: { 'Fn::GetAtt': [logicalId(stack.eventBus), 'Arn'] },
      EventPattern: { source: [USERS_EVENT_SOURCE] },
      RetentionDays: 30,
    });
  });

  it('publishes every schema version of the contracts to the registry', () => {
    template.hasResourceProperties('AWS::EventSchemas::Registry', {
      RegistryName: USERS_SCHEMA_REGISTRY_NAME,
    });
    for (const contract of eventCatalog) {
      template.hasResourceProperties('AWS::EventSchemas::Schema', {
        SchemaName: `${contract.schemaName}.v${contract.version}`,
        Type: 'JSONSchemaDraft4',
        Content: JSON.stringify(contract.schema),
      });
    }
  });

  it('reads the table stream with the relay: outbox INSERTs only, partial batch failures, bounded retries, on-failure queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(stack.relay.function) },
      EventSourceArn: { 'Fn::GetAtt': [logicalId(stack.usersTable.table), 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify(OUTBOX_STREAM_FILTER) }] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: Match.anyValue(),
      MaximumRecordAgeInSeconds: Match.anyValue(),
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(stack.relay.onFailureQueue), 'Arn'] } },
      },
    });
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
  });

  it('lets the relay put events on this bus only', () => {
    const relay = statementsOfRole(roleOf(logicalId(stack.relay.function)));

    expect(relay.filter((s) => actions([s]).some((a) => a.startsWith('events:')))).toEqual([
      {
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: { 'Fn::GetAtt': [logicalId(stack.eventBus), 'Arn'] },
      },
    ]);
  });

  it('grants events:PutEvents to no role but the relay and its redrive', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).map(
      (policy) =>
        policy['Properties'] as { Roles: { Ref: string }[]; PolicyDocument: { Statement: Statement[] } },
    );
    const putters = policies
      .filter((policy) =>
        actions(policy.PolicyDocument.Statement).some((action) => action.startsWith('events:')),
      )
      .flatMap((policy) => policy.Roles.map((role) => role.Ref))
      .sort();

    expect(putters).toEqual(
      [stack.relay.function, stack.relay.redriveFunction].map((fn) => roleOf(logicalId(fn as never))).sort(),
    );
  });

  it('gives the API function get/put on the users table and no EventBridge action at all', () => {
    const api = statementsOfRole(roleOf(logicalId(stack.api.function)));

    expect(actions(api).filter((a) => a.startsWith('events:'))).toEqual([]);
    expect(api.filter((s) => actions([s]).some((a) => a.startsWith('dynamodb:')))).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        Resource: [{ 'Fn::GetAtt': [logicalId(stack.usersTable.table), 'Arn'] }],
      },
    ]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ [API_ENV.tableName]: { Ref: logicalId(stack.usersTable.table) } }),
      },
    });
  });

  it('publishes the bus name, bus ARN and registry name as the SSM parameters consumers read', () => {
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: USERS_SERVICE_PARAMETERS.eventBusName,
      Type: 'String',
      Value: { Ref: logicalId(stack.eventBus) },
    });
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: USERS_SERVICE_PARAMETERS.eventBusArn,
      Type: 'String',
      Value: { 'Fn::GetAtt': [logicalId(stack.eventBus), 'Arn'] },
    });
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: USERS_SERVICE_PARAMETERS.schemaRegistryName,
      Type: 'String',
      Value: { 'Fn::GetAtt': [stack.getLogicalId(stack.schemas.registry as CfnRegistry), 'RegistryName'] },
    });
    template.resourceCountIs('AWS::SSM::Parameter', 4);
  });

  it('has a bus policy letting only the relay roles put events, and only with the users source', () => {
    const relayRoles = [stack.relay.function, stack.relay.redriveFunction].map((fn) => ({
      'Fn::GetAtt': [roleOf(logicalId(fn as never)), 'Arn'],
    }));
    const bus = { 'Fn::GetAtt': [logicalId(stack.eventBus), 'Arn'] };
    const notAService = { Bool: { 'aws:PrincipalIsAWSService': 'false' } };

    template.hasResourceProperties('AWS::Events::EventBusPolicy', {
      EventBusName: { Ref: logicalId(stack.eventBus) },
      Statement: {
        Sid: 'cdk-RelayPutsUsersEvents', // CDK prefixes the statement ids it writes to AWS::Events::EventBusPolicy
        Effect: 'Allow',
        Principal: { AWS: relayRoles },
        Action: 'events:PutEvents',
        Resource: bus,
        Condition: { StringEquals: { 'events:source': USERS_EVENT_SOURCE } },
      },
    });
    template.hasResourceProperties('AWS::Events::EventBusPolicy', {
      EventBusName: { Ref: logicalId(stack.eventBus) },
      Statement: {
        Sid: 'cdk-OnlyTheRelayPutsEvents', // CDK prefixes the statement ids it writes to AWS::Events::EventBusPolicy
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'events:PutEvents',
        Resource: bus,
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': relayRoles }, ...notAService },
      },
    });
    template.hasResourceProperties('AWS::Events::EventBusPolicy', {
      EventBusName: { Ref: logicalId(stack.eventBus) },
      Statement: {
        Sid: 'cdk-OnlyTheUsersSource', // CDK prefixes the statement ids it writes to AWS::Events::EventBusPolicy
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'events:PutEvents',
        Resource: bus,
        Condition: { StringNotEquals: { 'events:source': USERS_EVENT_SOURCE }, ...notAService },
      },
    });
    template.resourceCountIs('AWS::Events::EventBusPolicy', 3);
  });

  it('serves POST /users publicly and GET /users/{id} with IAM authorization through one Lambda proxy', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'POST /users',
      AuthorizationType: 'NONE',
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'GET /users/{id}',
      AuthorizationType: 'AWS_IAM',
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
    });
    template.resourceCountIs('AWS::ApiGatewayV2::Route', 2);
  });

  it('logs every API request (JSON access log) and throttles the stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [logicalId(stack.api.accessLogGroup), 'Arn'] },
        Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"'),
      },
    });
  });
});
