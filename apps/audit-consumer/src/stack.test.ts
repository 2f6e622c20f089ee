import { stackEnvironment } from '@outboxed/cdk-common';
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
import { AuditConsumerStack } from './stack';

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
