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
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { EMAIL_OPERATIONS_TOPIC_PARAMETER, EmailConsumerStack } from './stack';
import {
  templateApp,
  acknowledgedNagFindings,
  iamActionsFor,
  sdkCommandsSent,
  unretainedStatefulResources,
} from '@outboxed/cdk-common/testing/cdk';

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
        SubjectPart: 'Welcome to outboxed',
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
    expect(ses).toEqual([
      {
        Action: 'ses:SendEmail',
        Effect: 'Allow',
        Resource: [
          {
            'Fn::Join': [
              '',
              ['arn:', { Ref: 'AWS::Partition' }, ':ses:us-east-1:000000000000:identity/outboxed.example'],
            ],
          },
          {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':ses:us-east-1:000000000000:template/',
                { Ref: expect.stringMatching(/^WelcomeEmailTemplate/) },
              ],
            ],
          },
        ],
      },
    ]);
  });

  it('keeps every stateful resource when the stack is deleted: idempotency table (deletion protection), queues, log group', () => {
    expect(unretainedStatefulResources(template)).toEqual([]);
    expect(Object.keys(template.findResources('AWS::SQS::Queue'))).toHaveLength(2);
    expect(Object.keys(template.findResources('AWS::Logs::LogGroup'))).toHaveLength(1);
  });

  it("notifies its operations topic from all seven alarms, SES's bounce (5 %) and complaint (0.1 %) rates included", () => {
    const [topic] = Object.keys(template.findResources('AWS::SNS::Topic'));
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: EMAIL_OPERATIONS_TOPIC_PARAMETER,
      Value: { Ref: topic },
    });
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
      (a) => a['Properties'],
    );
    expect(alarms.map((a) => `${a.Namespace} ${a.MetricName}`).sort()).toEqual([
      'AWS/Events FailedInvocations',
      'AWS/Lambda Errors',
      'AWS/Lambda Throttles',
      'AWS/SES Reputation.BounceRate',
      'AWS/SES Reputation.ComplaintRate',
      'AWS/SQS ApproximateAgeOfOldestMessage',
      'AWS/SQS ApproximateNumberOfMessagesVisible',
    ]);
    expect(alarms.map((a) => a.AlarmActions)).toEqual(alarms.map(() => [{ Ref: topic }]));
    expect(alarms.filter((a) => a.Namespace === 'AWS/SES')).toEqual(
      (
        [
          ['Reputation.BounceRate', 0.05],
          ['Reputation.ComplaintRate', 0.001],
        ] as const
      ).map(([MetricName, Threshold]) => ({
        AlarmDescription: expect.stringContaining('Abuse of the public sign-up'),
        AlarmActions: [{ Ref: topic }],
        Namespace: 'AWS/SES',
        MetricName,
        Statistic: 'Maximum',
        Period: 3600,
        Threshold,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      })),
    );
  });

  it('has a dashboard of the flow with the SES reputation beside it', () => {
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]?.['Properties'].DashboardBody);
    for (const metric of [
      'Invocations',
      'ApproximateAgeOfOldestMessage',
      'EventsApplied',
      'Reputation.BounceRate',
    ]) {
      expect(body).toContain(`\\"${metric}\\"`);
    }
  });

  it("grants the function's role exactly the actions of the SDK commands its code sends (its handler, the consumer kit, Powertools idempotency's DynamoDB persistence), plus its event source mapping's and X-Ray's", () => {
    const root = findWorkspaceRoot();
    const sent = iamActionsFor(
      sdkCommandsSent(
        [
          'apps/email-consumer/src/functions/welcome-email',
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

    expect(sent).toContain('ses:SendEmail');
    expect([...new Set(actionsOf(policyStatementsOf(template)))].sort()).toEqual(
      [...new Set([...sent, ...mapping, 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'])].sort(),
    );
  });

  it('lists each cdk-nag acknowledgement in the validation report on its own resource', () => {
    const app = templateApp({ outdir: mkdtempSync(join(tmpdir(), 'email-')) });
    applyAwsSolutionsChecks(app);
    build(app);
    expect(
      acknowledgedNagFindings(app)
        .map((f) => `${f.rule.replace(/\[.*\]$/, '')} ${f.path}`)
        .sort(),
    ).toEqual([
      'AwsSolutions-DDB3 EmailConsumer/WelcomeEmail/Consumer/IdempotencyTable/Resource',
      'AwsSolutions-IAM4 EmailConsumer/WelcomeEmail/Consumer/Function/ServiceRole/Resource',
      'AwsSolutions-IAM5 EmailConsumer/WelcomeEmail/Consumer/Function/ServiceRole/DefaultPolicy/Resource',
      'AwsSolutions-L1 EmailConsumer/WelcomeEmail/Consumer/Function/Resource',
    ]);
  });

  it('passes the AwsSolutions checks (cdk-nag)', () => {
    expect(consumerNagFindings(build)).toEqual([]);
  });
});
