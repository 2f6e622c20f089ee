import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyAwsSolutionsChecks } from '@outboxed/cdk-common';
import type { App, Stack } from 'aws-cdk-lib';
import { templateApp, synthesizeNagFindings, type NagFinding } from '@outboxed/cdk-common/testing/cdk';
import { Match, Template } from 'aws-cdk-lib/assertions';

/**
 * Builds the consumer's stack in the App it is given (the consumer app's own stack class, with its test props).
 *
 * @example const build: ConsumerStackFactory = (app) => new BillingConsumerStack(app, 'BillingConsumer', { env });
 */
export type ConsumerStackFactory = (app: App) => Stack;

/** One statement of an `AWS::IAM::Policy` as synthesized. */
export interface PolicyStatement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}

function newApp(): App {
  return templateApp({ outdir: mkdtempSync(join(tmpdir(), 'consumer-stack-')) });
}

/**
 * The template of the stack `build` creates, in a fresh App WITHOUT the cdk-nag plugin (so synthesis succeeds even
 * while findings remain; check those with {@link consumerNagFindings}).
 *
 * @example const template = consumerTemplate((app) => new AuditConsumerStack(app, 'AuditConsumer', { env }));
 */
export function consumerTemplate(build: ConsumerStackFactory): Template {
  return Template.fromStack(build(newApp()));
}

/**
 * The unacknowledged AwsSolutions (cdk-nag) findings of the stack `build` creates, in a fresh App with the checks
 * applied as the consumer's CDK app applies them: `[]` when it passes.
 *
 * @example expect(consumerNagFindings((app) => new AuditConsumerStack(app, 'AuditConsumer', { env }))).toEqual([]);
 */
export function consumerNagFindings(build: ConsumerStackFactory): NagFinding[] {
  const app = newApp();
  applyAwsSolutionsChecks(app);
  build(app);
  return synthesizeNagFindings(app);
}

/**
 * Every statement of every IAM policy of `template`, in template order.
 *
 * @example const statements = policyStatementsOf(template);
 */
export function policyStatementsOf(template: Template): PolicyStatement[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (policy) => policy.Properties.PolicyDocument.Statement as PolicyStatement[],
  );
}

/**
 * Every action `statements` grant, flattened (a statement's single action or its list).
 *
 * @example expect(actionsOf(statements).filter((a) => a.startsWith('events:'))).toEqual([]);
 */
export function actionsOf(statements: readonly PolicyStatement[]): string[] {
  return statements.flatMap((s) => [s.Action].flat());
}

/**
 * The resources of the statements granting any `dynamodb:` action, flattened: the tables the consumer may touch.
 *
 * @example expect(dynamoDbResourcesOf(statements)).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^Idem/), 'Arn'] }]);
 */
export function dynamoDbResourcesOf(statements: readonly PolicyStatement[]): unknown[] {
  return statements
    .filter((s) => actionsOf([s]).some((a) => a.startsWith('dynamodb:')))
    .flatMap((s) => [s.Resource].flat());
}

/**
 * Asserts (throwing like `Template.hasResourceProperties`) that the consumer has exactly one rule, with exactly
 * `eventPattern`, on the users bus whose name it reads from the producer's SSM parameter, and imports no
 * CloudFormation export anywhere.
 *
 * @example assertSubscribesOnUsersBus(template, eventPattern);
 */
export function assertSubscribesOnUsersBus(template: Template, eventPattern: unknown): void {
  template.resourceCountIs('AWS::Events::Rule', 1);
  template.hasResourceProperties('AWS::Events::Rule', {
    EventBusName: { Ref: Match.stringLikeRegexp('^SsmParameterValueoutboxedusers') },
    EventPattern: Match.exact(JSON.parse(JSON.stringify(eventPattern))),
  });
  if (JSON.stringify(template.toJSON()).includes('Fn::ImportValue')) {
    throw new Error(
      'The consumer stack uses Fn::ImportValue; read the producer through its SSM parameters instead.',
    );
  }
}

/**
 * Asserts (throwing like `Template.hasResourceProperties`) that the consumer buffers its events in an SSE-SQS queue
 * with a dead-letter queue after 5 receives, read by an event source mapping that reports batch item failures and
 * has the further `mapping` properties (e.g. `{ BatchSize: 10 }`).
 *
 * @example assertBuffersInQueueWithDeadLetterQueue(template, { BatchSize: 10 });
 */
export function assertBuffersInQueueWithDeadLetterQueue(
  template: Template,
  mapping: Readonly<Record<string, unknown>> = {},
): void {
  template.hasResourceProperties('AWS::SQS::Queue', {
    SqsManagedSseEnabled: true,
    RedrivePolicy: { maxReceiveCount: 5, deadLetterTargetArn: Match.anyValue() },
  });
  template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
    ...mapping,
    FunctionResponseTypes: ['ReportBatchItemFailures'],
  });
}
