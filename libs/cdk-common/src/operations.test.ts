import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { CdkCommonError } from './errors';
import { functionAlarms, functionLogGroup, OperationsTopic } from './operations';
import { unretainedStatefulResources } from './retention';

const PARAMETER = '/outboxed/test/operations-topic-arn';

function stackWithFunction() {
  const stack = new Stack(new App(), 'S');
  const fn = new LambdaFunction(stack, 'Fn', {
    runtime: Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: Code.fromInline('export const handler = async () => {};'),
  });
  return { stack, fn };
}

describe('OperationsTopic', () => {
  it('creates a TLS-only topic and publishes its ARN as an SSM parameter', () => {
    const stack = new Stack(new App(), 'S');
    const operations = new OperationsTopic(stack, 'Operations', { parameterName: PARAMETER });
    const template = Template.fromStack(stack);

    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: PARAMETER,
      Type: 'String',
      Value: { Ref: stack.getLogicalId(operations.topic.node.defaultChild as never) },
    });
    expect(JSON.stringify(template.findResources('AWS::SNS::TopicPolicy'))).toContain('aws:SecureTransport');
  });

  it('uses the topic whose ARN it is given and creates none', () => {
    const stack = new Stack(new App(), 'S');
    const arn = 'arn:aws:sns:eu-west-1:123456789012:pager';
    new OperationsTopic(stack, 'Operations', { parameterName: PARAMETER, topicArn: arn });
    const template = Template.fromStack(stack);

    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: PARAMETER, Value: arn });
  });

  it('rejects a topicArn that is not an SNS ARN', () => {
    const stack = new Stack(new App(), 'S');
    expect(
      () => new OperationsTopic(stack, 'Operations', { parameterName: PARAMETER, topicArn: 'pager' }),
    ).toThrow(
      new CdkCommonError(
        'OperationsTopic: topicArn must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>); received "pager". Leave it unset to create a topic.',
      ),
    );
  });
});

describe('functionAlarms', () => {
  it("creates AWS's recommended Errors and Throttles alarms notifying the given action", () => {
    const { stack, fn } = stackWithFunction();
    const operations = new OperationsTopic(stack, 'Operations', { parameterName: PARAMETER });
    functionAlarms(fn, 'the test function', { actions: [operations.alarmAction] });
    const template = Template.fromStack(stack);
    const topicRef = { Ref: stack.getLogicalId(operations.topic.node.defaultChild as never) };
    const fnRef = { Ref: stack.getLogicalId(fn.node.defaultChild as never) };

    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
      (a) => a['Properties'],
    );
    expect(alarms).toEqual([
      {
        AlarmDescription:
          'the test function (S/Fn) fails: its invocations end in an error. Read its log group for the error names and correlation ids.',
        AlarmActions: [topicRef],
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: fnRef }],
        Statistic: 'Sum',
        Period: 60,
        Threshold: 5,
        EvaluationPeriods: 3,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      },
      {
        AlarmDescription:
          "the test function (S/Fn) is throttled: the account's or its reserved concurrency is exhausted, and its events wait.",
        AlarmActions: [topicRef],
        Namespace: 'AWS/Lambda',
        MetricName: 'Throttles',
        Dimensions: [{ Name: 'FunctionName', Value: fnRef }],
        Statistic: 'Sum',
        Period: 60,
        Threshold: 5,
        EvaluationPeriods: 5,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      },
    ]);
  });
});

describe('functionLogGroup', () => {
  it('keeps logs three months by default and survives a stack deletion', () => {
    const stack = new Stack(new App(), 'S');
    functionLogGroup(stack, 'Logs');
    const template = Template.fromStack(stack);

    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 90 },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    expect(unretainedStatefulResources(template)).toEqual([]);
  });
});

describe('unretainedStatefulResources', () => {
  it('names each stateful resource a stack deletion would destroy', () => {
    const stack = new Stack(new App(), 'S');
    const queue = new Queue(stack, 'Q', { removalPolicy: RemovalPolicy.DESTROY });
    new Queue(stack, 'Kept', { removalPolicy: RemovalPolicy.RETAIN });
    const id = stack.getLogicalId(queue.node.defaultChild as never);

    expect(unretainedStatefulResources(Template.fromStack(stack))).toEqual([
      { logicalId: id, type: 'AWS::SQS::Queue', problem: 'DeletionPolicy Delete' },
      { logicalId: id, type: 'AWS::SQS::Queue', problem: 'UpdateReplacePolicy Delete' },
    ]);
  });
});
