import { join } from 'node:path';
import { stackEnvironment } from '@outboxed/cdk-common';
import { defineExpectations, eventPattern, userCreatedV1 } from '@outboxed/contracts';
import { Stack } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { EventConsumer } from '../construct/event-consumer';
import type { ConsumerStackFactory } from './consumer-stack';
import {
  actionsOf,
  assertBuffersInQueueWithDeadLetterQueue,
  assertSubscribesOnUsersBus,
  consumerNagFindings,
  consumerTemplate,
  dynamoDbResourcesOf,
  policyStatementsOf,
} from './consumer-stack';

const entry = join(import.meta.dirname, '..', 'construct', 'fixtures', 'handler.ts');
const expectations = defineExpectations({
  consumer: 'fixture-consumer',
  subscriptions: [{ contract: userCreatedV1, reads: [] }],
});
const contracts = [userCreatedV1];

function consumerStack(extra: (stack: Stack) => void = () => undefined): ConsumerStackFactory {
  return (app) => {
    const stack = new Stack(app, 'Consumer', { env: stackEnvironment({}) });
    new EventConsumer(stack, 'Consumer', { expectations, entry });
    extra(stack);
    return stack;
  };
}

describe('consumer stack checks', () => {
  const template = consumerTemplate(consumerStack());
  const statements = policyStatementsOf(template);

  it('assertSubscribesOnUsersBus passes for the exact rule pattern on the users bus', () => {
    expect(() => assertSubscribesOnUsersBus(template, eventPattern(contracts))).not.toThrow();
  });

  it.each([
    [
      'a pattern with a content filter the rule lacks',
      eventPattern([userCreatedV1], { data: { locale: ['en'] } }),
    ],
    ['a pattern of other detail-types', { source: [userCreatedV1.source], 'detail-type': ['UserDeleted'] }],
  ])('assertSubscribesOnUsersBus fails for %s', (_name, pattern) => {
    expect(() => assertSubscribesOnUsersBus(template, pattern)).toThrow(/EventPattern/);
  });

  it('assertBuffersInQueueWithDeadLetterQueue passes for the EventConsumer and fails for another batch size', () => {
    expect(() => assertBuffersInQueueWithDeadLetterQueue(template)).not.toThrow();
    expect(() => assertBuffersInQueueWithDeadLetterQueue(template, { BatchSize: 10_000 })).toThrow(
      /BatchSize/,
    );
  });

  it('lists the granted actions and the DynamoDB resources of the policies', () => {
    expect(actionsOf(statements)).toContain('dynamodb:PutItem');
    expect(actionsOf(statements).filter((a) => a.startsWith('events:'))).toEqual([]);
    expect(dynamoDbResourcesOf(statements)).toEqual([
      { 'Fn::GetAtt': [expect.stringMatching(/^ConsumerIdempotencyTable/), 'Arn'] },
    ]);
  });

  it('consumerNagFindings is empty for the EventConsumer and names the finding of a queue without SSL enforcement', () => {
    expect(consumerNagFindings(consumerStack())).toEqual([]);
    const findings = consumerNagFindings(consumerStack((stack) => new Queue(stack, 'Plain')));
    expect(findings.map((f) => f.rule)).toContain('AwsSolutions-SQS4');
    expect(findings.every((f) => f.path.includes('/Plain'))).toBe(true);
  });
});
