import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  applyAwsSolutionsChecks,
  ConstructValidationError,
  OperationsTopic,
  stackEnvironment,
} from '@outboxed/cdk-common';
import { USERS_EVENT_SOURCE, defineExpectations, userCreatedV1 } from '@outboxed/contracts';
import { Duration, Stack } from 'aws-cdk-lib';
import {
  templateApp,
  acknowledgedNagFindings,
  synthesizeNagFindings,
  unretainedStatefulResources,
} from '@outboxed/cdk-common/testing/cdk';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { EventConsumerPropsError } from '../errors';
import type { EventConsumerProps } from './event-consumer';
import { EventConsumer } from './event-consumer';

const entry = join(import.meta.dirname, 'fixtures', 'handler.ts');

function synth(props: Partial<EventConsumerProps> = {}, nag = false) {
  const app = templateApp({ outdir: mkdtempSync(join(tmpdir(), 'consumer-kit-')) });
  if (nag) applyAwsSolutionsChecks(app);
  const stack = new Stack(app, 'Consumer', { env: stackEnvironment({}) });
  const consumer = new EventConsumer(stack, 'Consumer', {
    expectations: defineExpectations({
      consumer: 'fixture-consumer',
      subscriptions: [{ contract: userCreatedV1, reads: ['detail.metadata.id'] }],
    }),
    entry,
    ...props,
  });
  return { app, stack, consumer, template: nag ? undefined : Template.fromStack(stack) };
}

describe('EventConsumer', () => {
  const template = synth().template as Template;

  it('finds the bus through the producer SSM parameters, resolved by CloudFormation at deploy time', () => {
    const parameters = template.toJSON().Parameters as Record<string, { Type: string; Default: string }>;
    expect(
      Object.values(parameters).filter(
        (p) => p.Type.startsWith('AWS::SSM') && !p.Default.startsWith('/cdk-bootstrap/'),
      ),
    ).toEqual([{ Type: 'AWS::SSM::Parameter::Value<String>', Default: '/outboxed/users/event-bus-name' }]);
    expect(JSON.stringify(template.toJSON())).not.toContain('Fn::ImportValue');
  });

  it('creates a rule on that bus matching the contracts source and detail-types, targeting the queue with the DLQ', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: Match.stringLikeRegexp('SsmParameterValueoutboxedusersevent.*busname') },
      EventPattern: { source: [USERS_EVENT_SOURCE], 'detail-type': ['UserCreated'] },
      State: 'ENABLED',
      Targets: [
        {
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ConsumerQueue'), 'Arn'] },
          Id: 'Target0',
          DeadLetterConfig: {
            Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ConsumerDeadLetterQueue'), 'Arn'] },
          },
        },
      ],
    });
  });

  it('gives the function the memory size asked for', () => {
    const sized = synth({ memorySize: 512 }).template as Template;
    sized.hasResourceProperties('AWS::Lambda::Function', { MemorySize: 512 });
    template.hasResourceProperties('AWS::Lambda::Function', { MemorySize: 256 });
  });

  it('adds a content filter on detail when given', () => {
    const filtered = synth({ contentFilter: { data: { locale: [{ prefix: 'en' }] } } }).template as Template;
    filtered.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: [USERS_EVENT_SOURCE],
        'detail-type': ['UserCreated'],
        detail: { data: { locale: [{ prefix: 'en' }] } },
      },
    });
  });

  it('creates an SSE-SQS queue with a dead-letter queue after 5 receives and a visibility timeout six times the function timeout', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 345_600,
      VisibilityTimeout: 180,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ConsumerDeadLetterQueue'), 'Arn'] },
        maxReceiveCount: 5,
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1_209_600,
      RedrivePolicy: Match.absent(),
    });
  });

  it('admits on the queue only the rule (aws:SourceArn) and denies every request without TLS', () => {
    const policies = template.findResources('AWS::SQS::QueuePolicy');
    const queuePolicy = Object.values(policies).find((p) =>
      JSON.stringify(p.Properties.Queues).includes('ConsumerQueue'),
    );
    expect(queuePolicy?.Properties.PolicyDocument.Statement).toEqual([
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      {
        Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
        Condition: {
          ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [expect.stringMatching(/^ConsumerRule/), 'Arn'] } },
        },
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^ConsumerQueue/), 'Arn'] },
      },
    ]);
  });

  it('admits on the dead-letter queue only the rule (its delivery failures) and the function, over TLS', () => {
    const policies = template.findResources('AWS::SQS::QueuePolicy');
    const deadLetterPolicy = Object.values(policies).find((p) =>
      JSON.stringify(p.Properties.Queues).includes('ConsumerDeadLetterQueue'),
    );
    expect(deadLetterPolicy?.Properties.PolicyDocument.Statement).toEqual([
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      {
        Action: 'sqs:SendMessage',
        Condition: {
          ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [expect.stringMatching(/^ConsumerRule/), 'Arn'] } },
        },
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^ConsumerDeadLetterQueue/), 'Arn'] },
        Sid: expect.any(String),
      },
    ]);
  });

  it('reads the queue in batches of 10 reporting batch item failures', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ConsumerQueue'), 'Arn'] },
    });
  });

  it('creates the Powertools idempotency table (pk id, TTL expiration) and passes the kit environment', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
      BillingMode: 'PAY_PER_REQUEST',
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Environment: {
        Variables: {
          IDEMPOTENCY_TABLE_NAME: { Ref: Match.stringLikeRegexp('^ConsumerIdempotencyTable') },
          DEAD_LETTER_QUEUE_URL: { Ref: Match.stringLikeRegexp('^ConsumerDeadLetterQueue') },
          IDEMPOTENCY_EXPIRES_AFTER_SECONDS: '1209600',
          POWERTOOLS_SERVICE_NAME: 'fixture-consumer',
          POWERTOOLS_METRICS_NAMESPACE: 'Outboxed/Consumers',
        },
      },
    });
  });

  it('traces the function with X-Ray (Tracing: Active) under the service name its Tracer reads', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      TracingConfig: { Mode: 'Active' },
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'fixture-consumer' }) },
    });
  });

  it('grants the function only its queue, its dead-letter queue, its idempotency table and X-Ray', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    const actions = policies.flatMap((p) =>
      (p.Properties.PolicyDocument.Statement as { Action: string | string[] }[]).flatMap((s) => s.Action),
    );
    expect(actions.sort()).toEqual(
      [
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:ReceiveMessage',
        'sqs:SendMessage',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ].sort(),
    );
  });

  it('alarms when the dead-letter queue holds a message and when the oldest message is older than 10 minutes', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ConsumerDeadLetterQueue'), 'QueueName'] },
        },
      ],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateAgeOfOldestMessage',
      Threshold: 600,
      ComparisonOperator: 'GreaterThanThreshold',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ConsumerQueue'), 'QueueName'] },
        },
      ],
    });
  });

  it('passes the AwsSolutions checks (cdk-nag) with only its reasoned acknowledgements', () => {
    expect(synthesizeNagFindings(synth({}, true).app)).toEqual([]);
  });

  it('lists each acknowledgement in the validation report on the resource it concerns', () => {
    const acknowledged = acknowledgedNagFindings(synth({}, true).app).map(
      (f) => `${f.rule} ${f.path} (at ${f.acknowledgedAt})`,
    );
    expect(acknowledged.sort()).toEqual(
      [
        'AwsSolutions-DDB3 Consumer/Consumer/IdempotencyTable/Resource (at Consumer/Consumer/IdempotencyTable)',
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole] Consumer/Consumer/Function/ServiceRole/Resource (at Consumer/Consumer/Function)',
        'AwsSolutions-IAM5[Resource::*] Consumer/Consumer/Function/ServiceRole/DefaultPolicy/Resource (at Consumer/Consumer/Function)',
        'AwsSolutions-L1 Consumer/Consumer/Function/Resource (at Consumer/Consumer/Function)',
      ].sort(),
    );
  });

  it('retains its queues, idempotency table (with deletion protection) and log group when the stack is deleted', () => {
    expect(unretainedStatefulResources(template)).toEqual([]);
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 90 },
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: {
        LogFormat: 'JSON',
        LogGroup: { Ref: Match.stringLikeRegexp('^ConsumerFunctionLogs') },
      },
    });
  });

  it.each([
    ['Errors', 'ConsumerFunctionErrorsAlarm', 'AWS/Lambda', 5, 3],
    ['Throttles', 'ConsumerFunctionThrottlesAlarm', 'AWS/Lambda', 5, 5],
    ['FailedInvocations', 'ConsumerRuleFailedInvocationsAlarm', 'AWS/Events', 1, 1],
  ] as const)('alarms on %s', (metricName, prefix, namespace, threshold, periods) => {
    const [alarm] = Object.entries(template.findResources('AWS::CloudWatch::Alarm')).filter(([id]) =>
      id.startsWith(prefix),
    );
    expect(alarm?.[1]['Properties']).toEqual({
      AlarmDescription: expect.any(String),
      Namespace: namespace,
      MetricName: metricName,
      Dimensions:
        namespace === 'AWS/Lambda'
          ? [{ Name: 'FunctionName', Value: { Ref: expect.stringMatching(/^ConsumerFunction/) } }]
          : [
              { Name: 'EventBusName', Value: { Ref: expect.stringMatching(/^SsmParameterValue/) } },
              // a rule's Ref on a custom bus is `<bus>|<rule>`; AWS/Events publishes the plain rule name
              {
                Name: 'RuleName',
                Value: {
                  'Fn::Select': [1, { 'Fn::Split': ['|', { Ref: expect.stringMatching(/^ConsumerRule/) }] }],
                },
              },
            ],
      Statistic: 'Sum',
      Period: 60,
      Threshold: threshold,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: periods,
      TreatMissingData: 'notBreaching',
    });
  });

  it('notifies the given actions from each of its five alarms', () => {
    const app = templateApp({ outdir: mkdtempSync(join(tmpdir(), 'consumer-kit-')) });
    const stack = new Stack(app, 'Consumer', { env: stackEnvironment({}) });
    const operations = new OperationsTopic(stack, 'Ops', { parameterName: '/test/ops' });
    const consumer = new EventConsumer(stack, 'Consumer', {
      expectations: defineExpectations({
        consumer: 'fixture-consumer',
        subscriptions: [{ contract: userCreatedV1, reads: ['detail.metadata.id'] }],
      }),
      entry,
      alarmActions: [operations.alarmAction],
    });
    const alarms = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'));

    expect(consumer.alarms).toHaveLength(5);
    expect(alarms.map((a) => a['Properties'].AlarmActions)).toEqual(
      Array.from({ length: 5 }, () => [{ Ref: expect.stringMatching(/^OpsTopic/) }]),
    );
  });

  it.each<[string, Partial<EventConsumerProps>, string]>([
    [
      'a batch of 11 without a window',
      { batchSize: 11 },
      'EventConsumer Consumer/Consumer: batchSize is 11; allowed: a whole number from 1 to 10 (set maxBatchingWindow for more than 10)',
    ],
    ['a batch of 0', { batchSize: 0 }, 'EventConsumer Consumer/Consumer: batchSize is 0'],
    [
      'memorySize 64',
      { memorySize: 64 },
      'EventConsumer Consumer/Consumer: memorySize is 64; allowed: a whole number from 128 to 10240',
    ],
    [
      'maxReceiveCount 0',
      { maxReceiveCount: 0 },
      'EventConsumer Consumer/Consumer: maxReceiveCount is 0; allowed: a whole number from 1 to 1000',
    ],
    [
      'maxConcurrency 1',
      { maxConcurrency: 1 },
      'EventConsumer Consumer/Consumer: maxConcurrency is 1; allowed: a whole number from 2 to 1000',
    ],
    [
      'a retention of 15 days',
      { retentionPeriod: Duration.days(15) },
      'EventConsumer Consumer/Consumer: retentionPeriod is 15 days (1296000 s); allowed: a whole number of seconds from 1 minute (60 s) to 14 days (1209600 s)',
    ],
    [
      'an idempotency expiration of 30 s',
      { idempotencyExpiration: Duration.seconds(30) },
      'EventConsumer Consumer/Consumer: idempotencyExpiration is 30 seconds (30 s); allowed: a whole number of seconds from 1 minute (60 s) or more',
    ],
    [
      'a timeout of 16 minutes',
      { timeout: Duration.minutes(16) },
      'EventConsumer Consumer/Consumer: timeout is 16 minutes (960 s); allowed: a whole number of seconds from 1 second (1 s) to 15 minutes (900 s)',
    ],
    [
      'a sub-second timeout',
      { timeout: Duration.millis(500) },
      'EventConsumer Consumer/Consumer: timeout is 500 millis (0.5 s); allowed: a whole number of seconds from 1 second (1 s) to 15 minutes (900 s)',
    ],
    [
      'a sub-second batching window',
      { maxBatchingWindow: Duration.millis(500) },
      'EventConsumer Consumer/Consumer: maxBatchingWindow is 500 millis (0.5 s); allowed: a whole number of seconds from 0 seconds (0 s) to 5 minutes (300 s)',
    ],
  ])('rejects %s at synth, naming the prop, the value and the range', (_name, props, message) => {
    expect(() => synth(props)).toThrow(ConstructValidationError);
    expect(() => synth(props)).toThrow(message);
  });

  it('rejects no subscriptions at synth, naming the prop and what it needs', () => {
    const props = { expectations: { consumer: 'nobody', subscriptions: [] } };
    expect(() => synth(props)).toThrow(EventConsumerPropsError);
    expect(() => synth(props)).toThrow(
      'EventConsumer prop expectations.subscriptions is []; allowed: at least one subscription',
    );
  });

  it('accepts a batch of 100 with a batching window and widens the visibility timeout by the window', () => {
    const batched = synth({ batchSize: 100, maxBatchingWindow: Duration.seconds(20) }).template as Template;
    batched.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 20,
    });
    batched.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 200 });
  });
});
