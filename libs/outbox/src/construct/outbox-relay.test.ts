import { join } from 'node:path';
import {
  applyAwsSolutionsChecks,
  ConstructValidationError,
  OperationsTopic,
  stackEnvironment,
} from '@outboxed/cdk-common';
import { CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import {
  templateApp,
  acknowledgedNagFindings,
  synthesizeNagFindings,
  unretainedStatefulResources,
} from '@outboxed/cdk-common/testing/cdk';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AttributeType, StreamViewType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { AccountPrincipal, Role } from 'aws-cdk-lib/aws-iam';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { beforeAll, describe, expect, it } from 'vitest';
import { OUTBOX_STREAM_FILTER } from '../item/outbox-item';
import { REDRIVE_ENV } from '../redrive/env';
import type { OutboxRelayProps } from './outbox-relay';
import { OutboxRelay } from './outbox-relay';

const entry = join(import.meta.dirname, 'fixtures', 'relay-handler.ts');

function relayStack(
  props: Partial<OutboxRelayProps> | ((stack: Stack) => Partial<OutboxRelayProps>) = {},
  options: { stream?: boolean; nag?: boolean } = {},
) {
  const app = templateApp();
  if (options.nag) applyAwsSolutionsChecks(app);
  const stack = new Stack(app, 'Relay', { env: stackEnvironment({}) });
  const table = new Table(stack, 'Table', {
    partitionKey: { name: 'pk', type: AttributeType.STRING },
    sortKey: { name: 'sk', type: AttributeType.STRING },
    stream: options.stream === false ? undefined : StreamViewType.NEW_IMAGE,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
  });
  const eventBus = new EventBus(stack, 'Bus');
  const extra = typeof props === 'function' ? props(stack) : props;
  const relay = new OutboxRelay(stack, 'Outbox', { table, eventBus, entry, ...extra });
  return { app, stack, table, eventBus, relay };
}

const ref = (template: Template, type: string, prefix: string) => {
  const [id] = Object.keys(template.findResources(type)).filter((key) => key.startsWith(prefix));
  if (!id) throw new Error(`no ${type} named ${prefix}*`);
  return id;
};

describe('OutboxRelay', () => {
  let template: Template;
  let ids: { table: string; bus: string; onFailure: string; poison: string; fn: string };

  beforeAll(() => {
    const { stack } = relayStack();
    template = Template.fromStack(stack);
    ids = {
      table: ref(template, 'AWS::DynamoDB::Table', 'Table'),
      bus: ref(template, 'AWS::Events::EventBus', 'Bus'),
      onFailure: ref(template, 'AWS::SQS::Queue', 'OutboxOnFailureQueue'),
      poison: ref(template, 'AWS::SQS::Queue', 'OutboxPoisonQueue'),
      fn: ref(template, 'AWS::Lambda::Function', 'OutboxFunction'),
    };
  });

  it('maps the stream to the relay filtered to outbox INSERTs, with finite retries, bisection, partial batch responses and an SQS on-failure destination', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: ids.fn },
      EventSourceArn: { 'Fn::GetAtt': [ids.table, 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 0,
      ParallelizationFactor: 1,
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 21_600,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [ids.onFailure, 'Arn'] } } },
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify(OUTBOX_STREAM_FILTER) }] },
    });
    expect(JSON.parse(JSON.stringify(OUTBOX_STREAM_FILTER))).toEqual({
      eventName: ['INSERT'],
      dynamodb: { NewImage: { itemType: { S: ['OUTBOX'] } } },
    });
  });

  it('bundles the app handler on the workspace runtime and tells it the bus and the poison queue', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Environment: { Variables: { EVENT_BUS_NAME: { Ref: ids.bus }, POISON_QUEUE_URL: { Ref: ids.poison } } },
    });
  });

  it.each(['onFailure', 'poison'] as const)(
    'encrypts the %s queue (SSE), keeps messages 14 days and denies non-TLS access',
    (queue) => {
      template.hasResourceProperties('AWS::SQS::Queue', {
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: 1_209_600,
      });
      expect(template.toJSON().Resources[ids[queue]].Properties).toEqual({
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: 1_209_600,
      });
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: ids[queue] }],
        PolicyDocument: {
          Statement: [
            {
              Action: 'sqs:*',
              Effect: 'Deny',
              Principal: { AWS: '*' },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              Resource: { 'Fn::GetAtt': [ids[queue], 'Arn'] },
            },
          ],
        },
      });
    },
  );

  it('grants least privilege: PutEvents on this bus and SendMessage on the poison queue (its code), the stream read and on-failure send of its event source mapping, X-Ray', () => {
    const policies = template.findResources('AWS::IAM::Policy');
    const policy = Object.values(policies)[0] as { Properties: { PolicyDocument: { Statement: unknown[] } } };
    expect(Object.keys(policies)).toHaveLength(1);
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      { Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Effect: 'Allow', Resource: '*' },
      {
        Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [ids.onFailure, 'Arn'] },
      },
      { Action: 'dynamodb:ListStreams', Effect: 'Allow', Resource: '*' },
      {
        Action: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [ids.table, 'StreamArn'] },
      },
      { Action: 'events:PutEvents', Effect: 'Allow', Resource: { 'Fn::GetAtt': [ids.bus, 'Arn'] } },
      { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: { 'Fn::GetAtt': [ids.poison, 'Arn'] } },
    ]);
  });

  it('gives the relay its own log group, kept three months and retained, and its Powertools service name and namespace', () => {
    const logGroup = ref(template, 'AWS::Logs::LogGroup', 'OutboxFunctionLogs');
    expect(template.toJSON().Resources[logGroup]).toEqual({
      Type: 'AWS::Logs::LogGroup',
      Properties: { RetentionInDays: 90 },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: logGroup } },
      TracingConfig: { Mode: 'Active' },
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'outbox-relay',
          POWERTOOLS_METRICS_NAMESPACE: 'Outboxed/Outbox',
        }),
      },
    });
  });

  it('retains both queues and the log group when the stack is deleted', () => {
    expect(unretainedStatefulResources(template).filter((r) => r.logicalId.startsWith('Outbox'))).toEqual([]);
  });

  it.each([
    [
      'FailedEntries for 3 minutes',
      'OutboxFailedEntriesAlarm',
      { MetricName: 'FailedEntries', EvaluationPeriods: 3 },
      'EventBridge keeps rejecting PutEvents entries',
    ],
    [
      'any PoisonSendFailures',
      'OutboxPoisonSendFailuresAlarm',
      { MetricName: 'PoisonSendFailures', EvaluationPeriods: 1 },
      'could not send a poison record',
    ],
  ] as const)("alarms on the relay's own metric: %s", (_case, alarm, expected, description) => {
    const id = ref(template, 'AWS::CloudWatch::Alarm', alarm);
    expect(template.toJSON().Resources[id].Properties).toEqual({
      AlarmDescription: expect.stringContaining(description),
      Namespace: 'Outboxed/Outbox',
      Dimensions: [{ Name: 'service', Value: 'outbox-relay' }],
      Statistic: 'Sum',
      Period: 60,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      ...expected,
    });
  });

  it.each([
    ['Errors', 'OutboxFunctionErrorsAlarm', 3],
    ['Throttles', 'OutboxFunctionThrottlesAlarm', 5],
  ] as const)('alarms on the relay function %s', (metric, alarm, periods) => {
    const id = ref(template, 'AWS::CloudWatch::Alarm', alarm);
    expect(template.toJSON().Resources[id].Properties).toEqual({
      AlarmDescription: expect.stringContaining('The outbox relay (Relay/Outbox/Function)'),
      Namespace: 'AWS/Lambda',
      MetricName: metric,
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: ids.fn } }],
      Statistic: 'Sum',
      Period: 60,
      Threshold: 5,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: periods,
      TreatMissingData: 'notBreaching',
    });
  });

  it('notifies the given actions from every alarm, the redrive function’s included', () => {
    const { stack, relay } = relayStack((scope) => ({
      redrive: true,
      alarmActions: [new OperationsTopic(scope, 'Ops', { parameterName: '/test/ops' }).alarmAction],
    }));
    const alarms = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(9);
    expect(relay.alarms).toHaveLength(9);
    for (const alarm of alarms) {
      expect(alarm['Properties'].AlarmActions).toEqual([{ Ref: expect.stringMatching(/^OpsTopic/) }]);
    }
  });

  it.each([
    ['on-failure queue', 'OutboxOnFailureQueueAlarm', 'onFailure'],
    ['poison queue', 'OutboxPoisonQueueAlarm', 'poison'],
  ] as const)('alarms when the %s holds a message', (_name, alarm, queue) => {
    const id = ref(template, 'AWS::CloudWatch::Alarm', alarm);
    expect(template.toJSON().Resources[id].Properties).toEqual({
      AlarmDescription: expect.stringContaining('operating-the-relay.md'),
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [ids[queue], 'QueueName'] } }],
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  it('alarms when the iterator age stays at or above 5 minutes for 3 minutes', () => {
    const id = ref(template, 'AWS::CloudWatch::Alarm', 'OutboxIteratorAgeAlarm');
    expect(template.toJSON().Resources[id].Properties).toEqual({
      AlarmDescription: expect.stringContaining('lags behind the table stream'),
      Namespace: 'AWS/Lambda',
      MetricName: 'IteratorAge',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: ids.fn } }],
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 300_000,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 3,
      TreatMissingData: 'notBreaching',
    });
  });

  it('exposes the function, both queues and the three alarms', () => {
    const { relay } = relayStack();
    expect([relay.function, relay.onFailureQueue, relay.poisonQueue].map((c) => c.node.id)).toEqual([
      'Function',
      'OnFailureQueue',
      'PoisonQueue',
    ]);
    expect(
      [relay.onFailureQueueAlarm, relay.poisonQueueAlarm, relay.iteratorAgeAlarm].map((a) => a.node.id),
    ).toEqual(['OnFailureQueueAlarm', 'PoisonQueueAlarm', 'IteratorAgeAlarm']);
    expect(relay.function).toBeInstanceOf(NodejsFunction);
    expect(relay.redriveFunction).toBeUndefined();
  });

  it('passes its tunables through to the event source mapping and the alarm', () => {
    const { stack } = relayStack({
      batchSize: 25,
      maxBatchingWindow: Duration.seconds(5),
      parallelizationFactor: 4,
      retryAttempts: 3,
      maxRecordAge: Duration.hours(1),
      bisectBatchOnError: false,
      queueRetentionPeriod: Duration.days(4),
      iteratorAgeAlarmThreshold: Duration.minutes(1),
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 25,
      MaximumBatchingWindowInSeconds: 5,
      ParallelizationFactor: 4,
      MaximumRetryAttempts: 3,
      MaximumRecordAgeInSeconds: 3_600,
      BisectBatchOnFunctionError: false,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      StartingPosition: 'TRIM_HORIZON',
    });
    t.allResourcesProperties('AWS::SQS::Queue', { MessageRetentionPeriod: 345_600 });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'IteratorAge', Threshold: 60_000 });
  });

  it('synthesizes with no unacknowledged cdk-nag AwsSolutions finding', () => {
    const { app } = relayStack({ redrive: true }, { nag: true });
    expect(synthesizeNagFindings(app)).toEqual([]);
  });

  it('acknowledges each accepted finding on the resource it concerns, with its reason, in the validation report', () => {
    const { app } = relayStack({ redrive: true }, { nag: true });
    const acknowledged = acknowledgedNagFindings(app)
      .filter((f) => f.acknowledgedAt.startsWith('Relay/Outbox'))
      .map((f) => `${f.rule} ${f.path} (at ${f.acknowledgedAt})`)
      .sort();
    expect(acknowledged).toEqual(
      [
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole] Relay/Outbox/Function/ServiceRole/Resource (at Relay/Outbox/Function)',
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole] Relay/Outbox/RedriveFunction/ServiceRole/Resource (at Relay/Outbox/RedriveFunction)',
        'AwsSolutions-IAM5[Resource::*] Relay/Outbox/Function/ServiceRole/DefaultPolicy/Resource (at Relay/Outbox/Function)',
        'AwsSolutions-IAM5[Resource::*] Relay/Outbox/RedriveFunction/ServiceRole/DefaultPolicy/Resource (at Relay/Outbox/RedriveFunction)',
        'AwsSolutions-L1 Relay/Outbox/Function/Resource (at Relay/Outbox/Function)',
        'AwsSolutions-L1 Relay/Outbox/RedriveFunction/Resource (at Relay/Outbox/RedriveFunction)',
        'AwsSolutions-SQS3 Relay/Outbox/OnFailureQueue/Resource (at Relay/Outbox/OnFailureQueue)',
        'AwsSolutions-SQS3 Relay/Outbox/PoisonQueue/Resource (at Relay/Outbox/PoisonQueue)',
      ].sort(),
    );
  });

  it('gives the relay function the memory size asked for', () => {
    const t = Template.fromStack(relayStack({ memorySize: 1024 }).stack);
    t.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('outbox relay'),
      MemorySize: 1024,
    });
  });

  it.each<[string, Partial<OutboxRelayProps>, string]>([
    ['memorySize 64', { memorySize: 64 }, 'memorySize is 64; allowed: a whole number from 128 to 10240.'],
    ['batchSize 0', { batchSize: 0 }, 'batchSize is 0; allowed: a whole number from 1 to 10000.'],
    [
      'batchSize 10001',
      { batchSize: 10_001 },
      'batchSize is 10001; allowed: a whole number from 1 to 10000.',
    ],
    ['batchSize 1.5', { batchSize: 1.5 }, 'batchSize is 1.5; allowed: a whole number from 1 to 10000.'],
    [
      'maxBatchingWindow 301 s',
      { maxBatchingWindow: Duration.seconds(301) },
      'maxBatchingWindow is 5 minutes 1 second (301 s); allowed: a whole number of seconds from 0 seconds (0 s) to 5 minutes (300 s).',
    ],
    [
      'maxBatchingWindow 500 ms (sub-second)',
      { maxBatchingWindow: Duration.millis(500) },
      'maxBatchingWindow is 500 millis (0.5 s); allowed: a whole number of seconds from 0 seconds (0 s) to 5 minutes (300 s).',
    ],
    [
      'parallelizationFactor 11',
      { parallelizationFactor: 11 },
      'parallelizationFactor is 11; allowed: a whole number from 1 to 10.',
    ],
    [
      'retryAttempts -1 (infinite)',
      { retryAttempts: -1 },
      'retryAttempts is -1; allowed: a whole number from 0 to 10000.',
    ],
    [
      'maxRecordAge 59 s',
      { maxRecordAge: Duration.seconds(59) },
      'maxRecordAge is 59 seconds (59 s); allowed: a whole number of seconds from 1 minute (60 s) to 1 day (86400 s).',
    ],
    [
      'maxRecordAge 2 days (past the stream retention)',
      { maxRecordAge: Duration.days(2) },
      'maxRecordAge is 2 days (172800 s); allowed: a whole number of seconds from 1 minute (60 s) to 1 day (86400 s).',
    ],
    [
      'queueRetentionPeriod 15 days',
      { queueRetentionPeriod: Duration.days(15) },
      'queueRetentionPeriod is 15 days (1296000 s); allowed: a whole number of seconds from 1 minute (60 s) to 14 days (1209600 s).',
    ],
    [
      'iteratorAgeAlarmThreshold 0',
      { iteratorAgeAlarmThreshold: Duration.seconds(0) },
      'iteratorAgeAlarmThreshold is 0 seconds (0 s); allowed: a whole number of seconds from 1 second (1 s) to 1 day (86400 s).',
    ],
  ])('rejects %s at synth, naming the range and the value received', (_case, props, message) => {
    const build = () => relayStack(props);
    expect(build).toThrow(ConstructValidationError);
    expect(build).toThrow(`OutboxRelay Relay/Outbox: ${message}`);
  });

  it('rejects a table without a stream, saying how to give it one', () => {
    expect(() => relayStack({}, { stream: false })).toThrow(
      'OutboxRelay: table Relay/Table has no stream; received tableStreamArn undefined. Create the table with stream: StreamViewType.NEW_IMAGE (or NEW_AND_OLD_IMAGES), or import it with tableStreamArn.',
    );
  });

  it('rejects an iterator age alarm threshold at or above maxRecordAge (it would fire only after records are discarded)', () => {
    expect(() =>
      relayStack({ maxRecordAge: Duration.minutes(10), iteratorAgeAlarmThreshold: Duration.minutes(10) }),
    ).toThrow(
      'OutboxRelay: iteratorAgeAlarmThreshold must be below maxRecordAge (10 minutes), or the alarm fires only once records are already discarded; received 10 minutes.',
    );
  });

  it('rejects redriveEntry without redrive: true, saying what to change', () => {
    expect(() => relayStack({ redriveEntry: 'redrive.ts' })).toThrow(
      'OutboxRelay: redriveEntry is only used with redrive: true; received redriveEntry redrive.ts and redrive undefined. Set redrive: true or drop redriveEntry.',
    );
  });

  it('skips validation of values only known at deploy time (tokens)', () => {
    const { stack } = relayStack((scope) => ({
      batchSize: new CfnParameter(scope, 'BatchSize', { type: 'Number' }).valueAsNumber,
      parallelizationFactor: new CfnParameter(scope, 'Parallelization', { type: 'Number' }).valueAsNumber,
    }));
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: { Ref: 'BatchSize' },
      ParallelizationFactor: { Ref: 'Parallelization' },
    });
  });
});

describe('OutboxRelay with redrive: true', () => {
  let template: Template;

  beforeAll(() => {
    template = Template.fromStack(relayStack({ redrive: true }).stack);
  });

  it('deploys the redrive function with the table, bus and both queue URLs in its environment', () => {
    template.resourceCountIs('AWS::Lambda::Function', 2);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 600,
      Environment: {
        Variables: {
          [REDRIVE_ENV.tableName]: { Ref: Match.stringLikeRegexp('^Table') },
          [REDRIVE_ENV.eventBusName]: { Ref: Match.stringLikeRegexp('^Bus') },
          [REDRIVE_ENV.onFailureQueueUrl]: { Ref: Match.stringLikeRegexp('^OutboxOnFailureQueue') },
          [REDRIVE_ENV.poisonQueueUrl]: { Ref: Match.stringLikeRegexp('^OutboxPoisonQueue') },
        },
      },
    });
  });

  it('grants the redrive function exactly what its code calls: GetItem/UpdateItem/Scan on the table, GetShardIterator/GetRecords on its stream, Receive/Delete/ChangeMessageVisibility on both queues, PutEvents on the bus', () => {
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { PolicyName: Match.stringLikeRegexp('^OutboxRedrive') },
    });
    const statements = Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const consume = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility'];
    expect(statements).toEqual([
      { Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Effect: 'Allow', Resource: '*' },
      {
        Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Scan'],
        Effect: 'Allow',
        Resource: [{ 'Fn::GetAtt': [expect.stringMatching(/^Table/), 'Arn'] }],
      },
      {
        Action: ['dynamodb:GetShardIterator', 'dynamodb:GetRecords'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Table/), 'StreamArn'] },
      },
      {
        Action: 'events:PutEvents',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Bus/), 'Arn'] },
      },
      {
        Action: consume,
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^OutboxOnFailureQueue/), 'Arn'] },
      },
      {
        Action: consume,
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^OutboxPoisonQueue/), 'Arn'] },
      },
    ]);
  });

  it('lets a named principal invoke the redrive function, and nothing else', () => {
    const { stack, relay } = relayStack({ redrive: true });
    const operator = new Role(stack, 'Operator', { assumedBy: new AccountPrincipal('123456789012') });
    relay.grantInvokeRedrive(operator);
    const policy = Object.values(
      Template.fromStack(stack).findResources('AWS::IAM::Policy', {
        Properties: { PolicyName: Match.stringLikeRegexp('^OperatorDefaultPolicy') },
      }),
    )[0];
    expect(policy?.['Properties'].PolicyDocument.Statement).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        Effect: 'Allow',
        Resource: [
          { 'Fn::GetAtt': [expect.stringMatching(/^OutboxRedriveFunction/), 'Arn'] },
          {
            'Fn::Join': [
              '',
              [{ 'Fn::GetAtt': [expect.stringMatching(/^OutboxRedriveFunction/), 'Arn'] }, ':*'],
            ],
          },
        ],
      },
    ]);
  });

  it('lets the redrive function consume only its own queues and publish only to this bus', () => {
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { PolicyName: Match.stringLikeRegexp('^OutboxRedrive') },
    });
    const statements = Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement) as {
      Action: string | string[];
      Resource: unknown;
    }[];
    const resourcesOf = (prefix: string) =>
      statements.filter((s) => [s.Action].flat().some((a) => a.startsWith(prefix))).map((s) => s.Resource);
    expect(resourcesOf('events:')).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^Bus/), 'Arn'] }]);
    expect(resourcesOf('sqs:')).toEqual([
      { 'Fn::GetAtt': [expect.stringMatching(/^OutboxOnFailureQueue/), 'Arn'] },
      { 'Fn::GetAtt': [expect.stringMatching(/^OutboxPoisonQueue/), 'Arn'] },
    ]);
    expect(statements.flatMap((s) => [s.Action].flat()).filter((a) => a.startsWith('sqs:'))).not.toContain(
      'sqs:SendMessage',
    );
  });
});
