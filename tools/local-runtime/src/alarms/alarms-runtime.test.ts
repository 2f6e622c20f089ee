// The synthesized alarms evaluated by a real local runtime (DynamoDB Local, the edge, worker processes): a stack
// written as CDK synthesizes consumer-kit's consumer (a queue, its DLQ, the function and its mapping, the DLQ
// alarm with the operations topic as action), with a Powertools EMF metric alarm, an alarm whose EMF dimensions do
// not match what the function emits, and one on a metric nothing produces locally.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RuntimeLogEvent } from '../esm/types';
import { startLocalRuntime } from '../runtime';
import type { LocalRuntime } from '../runtime';
import type { CfnTemplate } from '../template/types';
import { alarmProperties } from './fixtures/alarm-properties';
import type { LocalAlarmState } from './types';

const alarm = (properties: Record<string, unknown>) => ({
  Type: 'AWS::CloudWatch::Alarm',
  Properties: alarmProperties({ AlarmActions: [{ Ref: 'OperationsTopic' }], ...properties }),
});

const template: CfnTemplate = {
  Resources: {
    OperationsTopic: { Type: 'AWS::SNS::Topic', Properties: {} },
    DeadLetterQueue: { Type: 'AWS::SQS::Queue', Properties: {} },
    Queue: {
      Type: 'AWS::SQS::Queue',
      Properties: {
        VisibilityTimeout: 1,
        RedrivePolicy: {
          deadLetterTargetArn: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] },
          maxReceiveCount: 2,
        },
      },
    },
    Consumer: {
      Type: 'AWS::Lambda::Function',
      Properties: { Handler: 'index.handler', Runtime: 'nodejs22.x', Timeout: 5 },
      Metadata: { 'aws:asset:path': 'failing-consumer' },
    },
    ConsumerMapping: {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: {
        EventSourceArn: { 'Fn::GetAtt': ['Queue', 'Arn'] },
        FunctionName: { Ref: 'Consumer' },
        BatchSize: 1,
      },
    },
    // as consumer-kit synthesizes it
    DeadLetterQueueAlarm: alarm({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['DeadLetterQueue', 'QueueName'] } }],
      Statistic: 'Maximum',
    }),
    // 1 of the last 2 minutes: an error counts in the minute it happened and the next one. With one period, errors
    // recorded just before a minute turns no longer count once it has turned (CloudWatch's newest period is the
    // current, partial one), so the alarm would be OK again when the DLQ alarm, polled each evaluation, turns.
    ConsumerErrorsAlarm: alarm({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'Consumer' } }],
      Statistic: 'Sum',
      EvaluationPeriods: 2,
      DatapointsToAlarm: 1,
    }),
    ProcessedAlarm: alarm({
      Namespace: 'Local/AlarmsTest',
      MetricName: 'ProcessedMessages',
      Dimensions: [{ Name: 'service', Value: 'failing-consumer' }],
      Statistic: 'Sum',
    }),
    MisspelledServiceAlarm: alarm({
      Namespace: 'Local/AlarmsTest',
      MetricName: 'ProcessedMessages',
      Dimensions: [{ Name: 'service', Value: 'failing-consumer-typo' }],
      Statistic: 'Sum',
    }),
    BounceRateAlarm: alarm({
      Namespace: 'AWS/SES',
      MetricName: 'Reputation.BounceRate',
      Statistic: 'Maximum',
      Period: 3600,
      Threshold: 0.05,
    }),
  },
};

let runtime: LocalRuntime;
let sqs: SQSClient;
const events: RuntimeLogEvent[] = [];

beforeAll(async () => {
  runtime = await startLocalRuntime({
    stacks: [
      {
        app: 'alarms-test',
        stackName: 'AlarmsTest',
        template,
        assemblyDir: join(import.meta.dirname, 'fixtures'),
      },
    ],
    dataDir: mkdtempSync(join(tmpdir(), 'alarms-')),
    dynamoDbPort: 0,
    edgePort: 0,
    apiPort: 0,
    alarmEvaluationIntervalMs: 200,
    log: (e) => events.push(e),
    functionLog: () => undefined,
  });
  sqs = new SQSClient({
    endpoint: runtime.endpoints.edge,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterAll(async () => {
  sqs?.destroy();
  await runtime?.stop();
});

const alarmState = (logicalId: string): LocalAlarmState | undefined =>
  runtime.alarms().find((a) => a.logicalId === logicalId);
const send = (body: string) =>
  sqs.send(new SendMessageCommand({ QueueUrl: runtime.ref('AlarmsTest', 'Queue'), MessageBody: body }));
const ofKind = (kind: string, logicalId: string) =>
  events.filter((e) => e.kind === kind && e.details?.logicalId === logicalId);

describe('local alarms (a real runtime evaluating the synthesized alarms)', () => {
  it('a consumer failing into its DLQ turns its DLQ alarm to ALARM, and the live log carries the change', async () => {
    await expect.poll(() => alarmState('DeadLetterQueueAlarm')?.state, { timeout: 10_000 }).toBe('OK');
    expect(alarmState('ConsumerErrorsAlarm')?.state).toBe('OK');

    await send('fail');

    await expect.poll(() => alarmState('DeadLetterQueueAlarm')?.state, { timeout: 30_000 }).toBe('ALARM');
    const dlqName = runtime.ref('AlarmsTest', 'DeadLetterQueue').split('/').at(-1) ?? '';
    const alarmName = runtime.ref('AlarmsTest', 'DeadLetterQueueAlarm');
    expect(alarmName).toMatch(/^AlarmsTest-DeadLetterQueueAlarm-[A-Z0-9]+$/);
    expect(ofKind('alarm.state', 'DeadLetterQueueAlarm').at(-1)).toEqual({
      kind: 'alarm.state',
      message: `ALARM  AlarmsTest/${alarmName}: 1 of the last 1 datapoints [1] >= 1 (1 needed; Maximum of AWS/SQS ApproximateNumberOfMessagesVisible per 60 s, newest period partial; missing data: notBreaching) (was OK)`,
      details: {
        stackName: 'AlarmsTest',
        logicalId: 'DeadLetterQueueAlarm',
        alarmName,
        state: 'ALARM',
        previousState: 'OK',
        reason: `1 of the last 1 datapoints [1] >= 1 (1 needed; Maximum of AWS/SQS ApproximateNumberOfMessagesVisible per 60 s, newest period partial; missing data: notBreaching)`,
        namespace: 'AWS/SQS',
        metricName: 'ApproximateNumberOfMessagesVisible',
        dimensions: `QueueName=${dlqName}`,
      },
    });
    expect(alarmState('DeadLetterQueueAlarm')).toEqual({
      stackName: 'AlarmsTest',
      logicalId: 'DeadLetterQueueAlarm',
      alarmName,
      state: 'ALARM',
      previousState: 'OK',
      reason: expect.stringMatching(/^1 of the last 1 datapoints \[1\] >= 1/),
      evaluatedLocally: true,
      namespace: 'AWS/SQS',
      metricName: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: dlqName },
      threshold: 1,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      value: 1,
      stateUpdatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    // the failed invocations (two: maxReceiveCount 2) are the function's Errors
    expect(alarmState('ConsumerErrorsAlarm')?.state).toBe('ALARM');
  });

  it('an EMF metric a function prints (Powertools format) drives the alarm watching it', async () => {
    await expect.poll(() => alarmState('ProcessedAlarm')?.state, { timeout: 10_000 }).toBe('OK');

    await send('ok');

    await expect.poll(() => alarmState('ProcessedAlarm')?.state, { timeout: 20_000 }).toBe('ALARM');
    expect(ofKind('alarm.state', 'ProcessedAlarm').at(-1)?.message).toMatch(
      /^ALARM {2}AlarmsTest\/AlarmsTest-ProcessedAlarm-[A-Z0-9]+: 1 of the last 1 datapoints \[[1-9]\] >= 1 \(1 needed; Sum of Local\/AlarmsTest ProcessedMessages per 60 s/,
    );
  });

  it('reports once an alarm that would never fire, naming the metric it watches and what the function emits', async () => {
    await send('ok');
    await send('ok');

    await expect
      .poll(() => ofKind('alarm.never-fires', 'MisspelledServiceAlarm').length, { timeout: 20_000 })
      .toBe(1);
    const alarmName = runtime.ref('AlarmsTest', 'MisspelledServiceAlarm');
    expect(ofKind('alarm.never-fires', 'MisspelledServiceAlarm')[0]?.message).toBe(
      `AlarmsTest/${alarmName} would never fire: it watches Local/AlarmsTest ProcessedMessages {service=failing-consumer-typo}, but Consumer emits Local/AlarmsTest ProcessedMessages {service=failing-consumer}`,
    );
    expect(alarmState('MisspelledServiceAlarm')?.state).toBe('OK');
  });

  it('leaves an alarm on a metric nothing produces locally in INSUFFICIENT_DATA and says why, once', () => {
    expect(alarmState('BounceRateAlarm')).toMatchObject({
      state: 'INSUFFICIENT_DATA',
      evaluatedLocally: false,
      reason:
        'not evaluated locally: no local source produces AWS/SES Reputation.BounceRate (the local SES accepts every email and nothing bounces)',
    });
    expect(ofKind('alarm.not-evaluated', 'BounceRateAlarm')).toHaveLength(1);
  });

  it('says once per stack that alarm actions (the SNS operations topic) are not delivered locally', () => {
    expect(events.filter((e) => e.kind === 'alarm.actions')).toEqual([
      {
        kind: 'alarm.actions',
        message:
          'AlarmsTest: the actions of its 5 alarm(s) (SNS notifications) are not delivered locally, SNS being ignored: state changes show here instead',
        details: { stackName: 'AlarmsTest', alarms: 5 },
      },
    ]);
  });
});
