import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyAwsSolutionsChecks, stackEnvironment, synthesizeNagFindings } from '@outboxed/cdk-common';
import { USER_CREATED_DETAIL_TYPE, USERS_EVENT_SOURCE } from '@outboxed/contracts';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { AuditConsumerStack } from './stack';

function synth(nag: boolean) {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'audit-consumer-')) });
  if (nag) applyAwsSolutionsChecks(app);
  const stack = new AuditConsumerStack(app, 'AuditConsumer', { env: stackEnvironment({}) });
  return { app, stack };
}

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

describe('AuditConsumerStack', () => {
  const template = Template.fromStack(synth(false).stack);
  const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (p) => p.Properties.PolicyDocument.Statement as Statement[],
  );

  it('subscribes to UserCreated of the users service on the bus named by its SSM parameter', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: Match.stringLikeRegexp('^SsmParameterValueoutboxedusers') },
      EventPattern: { source: [USERS_EVENT_SOURCE], 'detail-type': [USER_CREATED_DETAIL_TYPE] },
    });
    expect(JSON.stringify(template.toJSON())).not.toContain('Fn::ImportValue');
  });

  it('buffers events in an SSE-SQS queue with a dead-letter queue and reads it reporting batch item failures', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      RedrivePolicy: { maxReceiveCount: 5, deadLetterTargetArn: Match.anyValue() },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
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
      },
    });
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
    const dynamoResources = statements
      .filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')))
      .flatMap((s) => [s.Resource].flat());
    expect(dynamoResources).toEqual([
      { 'Fn::GetAtt': [expect.stringMatching(/^AuditTrailConsumerIdempotencyTable/), 'Arn'] },
      { 'Fn::GetAtt': [expect.stringMatching(/^AuditTrailTable/), 'Arn'] },
    ]);
    expect(statements.flatMap((s) => [s.Action].flat()).filter((a) => a.startsWith('events:'))).toEqual([]);
  });

  it('passes the AwsSolutions checks (cdk-nag)', () => {
    expect(synthesizeNagFindings(synth(true).app)).toEqual([]);
  });
});
