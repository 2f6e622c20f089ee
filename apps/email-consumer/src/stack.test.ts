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
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { EmailConsumerStack } from './stack';

const SENDER = 'welcome@outboxed.example';

const build: ConsumerStackFactory = (app) =>
  new EmailConsumerStack(app, 'EmailConsumer', { env: stackEnvironment({}), senderAddress: SENDER });

describe('EmailConsumerStack', () => {
  const template = consumerTemplate(build);

  it('subscribes to UserCreated of the users service on the bus named by its SSM parameter', () => {
    assertSubscribesOnUsersBus(template, {
      source: [USERS_EVENT_SOURCE],
      'detail-type': [USER_CREATED_DETAIL_TYPE],
    });
  });

  it('buffers events in an SSE-SQS queue with a dead-letter queue and reads it reporting batch item failures', () => {
    assertBuffersInQueueWithDeadLetterQueue(template, { BatchSize: 10 });
  });

  it('creates the welcome template and gives its name and the sender to the function', () => {
    template.hasResourceProperties('AWS::SES::Template', {
      Template: {
        SubjectPart: 'Welcome to outboxed, {{name}}',
        TextPart: Match.stringLikeRegexp('Hello \\{\\{name\\}\\}'),
        HtmlPart: Match.anyValue(),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          WELCOME_EMAIL_SENDER: SENDER,
          WELCOME_EMAIL_TEMPLATE: { Ref: Match.stringLikeRegexp('^WelcomeEmailTemplate') },
        }),
      },
    });
  });

  it('least privilege: sends email only as the sender identity and template; no users table, no PutEvents', () => {
    const statements = policyStatementsOf(template);
    const actions = actionsOf(statements);
    expect(actions).not.toContain('events:PutEvents');
    expect(actions.filter((a) => a.startsWith('events:'))).toEqual([]);
    expect(dynamoDbResourcesOf(statements)).toEqual([
      { 'Fn::GetAtt': [expect.stringMatching(/^WelcomeEmailConsumerIdempotencyTable/), 'Arn'] },
    ]);
    const ses = statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('ses:')));
    expect(JSON.stringify(ses)).toContain(':identity/outboxed.example');
    expect(JSON.stringify(ses)).toContain(':template/');
    expect(ses.flatMap((s) => [s.Resource].flat())).not.toContain('*');
  });

  it('passes the AwsSolutions checks (cdk-nag)', () => {
    expect(consumerNagFindings(build)).toEqual([]);
  });
});
