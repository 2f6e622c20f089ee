import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findWorkspaceRoot } from '@outboxed/cdk-common/workspace-root';
import { applyAwsSolutionsChecks, stackEnvironment } from '@outboxed/cdk-common';
import {
  actionsOf,
  assertBuffersInQueueWithDeadLetterQueue,
  assertSubscribesOnUsersBus,
  consumerNagFindings,
  consumerTemplate,
  dynamoDbResourcesOf,
  policyStatementsOf,
} from '@outboxed/consumer-kit/testing';
import type { ConsumerStackFactory } from '@outboxed/consumer-kit/testing';
import { USER_CREATED_DETAIL_TYPE, USERS_EVENT_SOURCE } from '@outboxed/contracts';
import { describe, expect, it } from 'vitest';
import { AUDIT_OPERATIONS_TOPIC_PARAMETER, AuditConsumerStack } from './stack';
import {
  templateApp,
  acknowledgedNagFindings,
  iamActionsFor,
  sdkCommandsSent,
  unretainedStatefulResources,
} from '@outboxed/cdk-common/testing/cdk';

const build: ConsumerStackFactory = (app) =>
  new AuditConsumerStack(app, 'AuditConsumer', { env: stackEnvironment({}) });

describe('AuditConsumerStack', () => {
  const template = consumerTemplate(build);
  const statements = policyStatementsOf(template);

  it('subscribes to UserCreated of the users service on the bus named by its SSM parameter', () => {
    assertSubscribesOnUsersBus(template, {
      source: [USERS_EVENT_SOURCE],
      'detail-type': [USER_CREATED_DETAIL_TYPE],
    });
  });

  it('buffers events in an SSE-SQS queue with a dead-letter queue and reads it reporting batch item failures', () => {
    assertBuffersInQueueWithDeadLetterQueue(template, { BatchSize: 10 });
  });

  it('keeps the audit trail in its own retained table keyed by user and time, with an index by day', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'byOccurredOn',
            KeySchema: [
              { AttributeName: 'occurredOn', KeyType: 'HASH' },
              { AttributeName: 'sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      },
    });
  });

  it('keeps every stateful resource when the stack is deleted: audit and idempotency tables (deletion protection), queues, log group', () => {
    expect(unretainedStatefulResources(template)).toEqual([]);
    expect(Object.keys(template.findResources('AWS::DynamoDB::Table'))).toHaveLength(2);
    expect(Object.keys(template.findResources('AWS::SQS::Queue'))).toHaveLength(2);
    expect(Object.keys(template.findResources('AWS::Logs::LogGroup'))).toHaveLength(1);
  });

  it('notifies its operations topic, whose ARN it publishes in SSM, from each of its five alarms', () => {
    const [topic] = Object.keys(template.findResources('AWS::SNS::Topic'));
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: AUDIT_OPERATIONS_TOPIC_PARAMETER,
      Value: { Ref: topic },
    });
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.map((a) => `${a['Properties'].Namespace} ${a['Properties'].MetricName}`).sort()).toEqual([
      'AWS/Events FailedInvocations',
      'AWS/Lambda Errors',
      'AWS/Lambda Throttles',
      'AWS/SQS ApproximateAgeOfOldestMessage',
      'AWS/SQS ApproximateNumberOfMessagesVisible',
    ]);
    expect(alarms.map((a) => a['Properties'].AlarmActions)).toEqual(alarms.map(() => [{ Ref: topic }]));
  });

  it('has a dashboard of the flow: deliveries, queue age and depth, outcomes, errors, dead letters, alarms', () => {
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]?.['Properties'].DashboardBody);
    for (const metric of [
      'Invocations',
      'ApproximateAgeOfOldestMessage',
      'EventsApplied',
      'DuplicateEvents',
      'EventsRejected',
      'EventsFailed',
      'Errors',
      'ApproximateNumberOfMessagesVisible',
    ]) {
      expect(body).toContain(`\\"${metric}\\"`);
    }
  });

  it("grants the function's role exactly the actions of the SDK commands its code sends (its handler, the consumer kit, Powertools idempotency's DynamoDB persistence), plus its event source mapping's and X-Ray's", () => {
    const root = findWorkspaceRoot();
    const sent = iamActionsFor(
      sdkCommandsSent(
        [
          'apps/audit-consumer/src/functions/audit-trail',
          'libs/consumer-kit/src/handler',
          'node_modules/@aws-lambda-powertools/idempotency/lib/esm/persistence/DynamoDBPersistenceLayer.js',
        ].map((path) => join(root, path)),
      ),
    );
    // the SQS event source mapping receives, deletes and changes visibility with the function's role
    const mapping = [
      'sqs:ChangeMessageVisibility',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:ReceiveMessage',
    ];

    expect(sent).toContain('dynamodb:PutItem');
    expect([...new Set(actionsOf(statements))].sort()).toEqual(
      [...new Set([...sent, ...mapping, 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'])].sort(),
    );
  });

  it('lists each cdk-nag acknowledgement in the validation report on its own resource', () => {
    const app = templateApp({ outdir: mkdtempSync(join(tmpdir(), 'audit-')) });
    applyAwsSolutionsChecks(app);
    build(app);
    expect(
      acknowledgedNagFindings(app)
        .map((f) => `${f.rule.replace(/\[.*\]$/, '')} ${f.path}`)
        .sort(),
    ).toEqual([
      'AwsSolutions-DDB3 AuditConsumer/AuditTrail/Consumer/IdempotencyTable/Resource',
      'AwsSolutions-IAM4 AuditConsumer/AuditTrail/Consumer/Function/ServiceRole/Resource',
      'AwsSolutions-IAM5 AuditConsumer/AuditTrail/Consumer/Function/ServiceRole/DefaultPolicy/Resource',
      'AwsSolutions-L1 AuditConsumer/AuditTrail/Consumer/Function/Resource',
    ]);
  });

  it('least privilege: only PutItem on the audit table (append-only); no users table, no PutEvents', () => {
    const onAuditTable = statements.filter((s) => JSON.stringify(s.Resource).includes('AuditTrailTable'));
    expect(onAuditTable).toEqual([
      {
        Action: 'dynamodb:PutItem',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^AuditTrailTable/), 'Arn'] },
      },
    ]);
    expect(dynamoDbResourcesOf(statements)).toEqual([
      { 'Fn::GetAtt': [expect.stringMatching(/^AuditTrailConsumerIdempotencyTable/), 'Arn'] },
      { 'Fn::GetAtt': [expect.stringMatching(/^AuditTrailTable/), 'Arn'] },
    ]);
    expect(actionsOf(statements).filter((a) => a.startsWith('events:'))).toEqual([]);
  });

  it('passes the AwsSolutions checks (cdk-nag)', () => {
    expect(consumerNagFindings(build)).toEqual([]);
  });
});
