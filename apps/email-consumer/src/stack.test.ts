import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyAwsSolutionsChecks, stackEnvironment, synthesizeNagFindings } from '@outboxed/cdk-common';
import { USER_CREATED_DETAIL_TYPE, USERS_EVENT_SOURCE } from '@outboxed/contracts';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { EmailConsumerStack } from './stack';

const SENDER = 'welcome@outboxed.example';

function synth(nag: boolean) {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'email-consumer-')) });
  if (nag) applyAwsSolutionsChecks(app);
  const stack = new EmailConsumerStack(app, 'EmailConsumer', {
    env: stackEnvironment({}),
    senderAddress: SENDER,
  });
  return { app, stack };
}

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

describe('EmailConsumerStack', () => {
  const { stack } = synth(false);
  const template = Template.fromStack(stack);

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
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as Statement[],
    );
    const actions = statements.flatMap((s) => s.Action);
    expect(actions).not.toContain('events:PutEvents');
    expect(actions.filter((a) => a.startsWith('events:'))).toEqual([]);
    const dynamoResources = statements
      .filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')))
      .flatMap((s) => [s.Resource].flat());
    expect(dynamoResources).toEqual([
      { 'Fn::GetAtt': [expect.stringMatching(/^WelcomeEmailConsumerIdempotencyTable/), 'Arn'] },
    ]);
    const ses = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('ses:')));
    expect(JSON.stringify(ses)).toContain(':identity/outboxed.example');
    expect(JSON.stringify(ses)).toContain(':template/');
    expect(ses.flatMap((s) => [s.Resource].flat())).not.toContain('*');
  });

  it('passes the AwsSolutions checks (cdk-nag)', () => {
    expect(synthesizeNagFindings(synth(true).app)).toEqual([]);
  });
});
