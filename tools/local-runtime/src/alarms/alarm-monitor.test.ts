import { describe, expect, it } from 'vitest';
import type { RuntimeLogEvent } from '../esm/types';
import type { DeployedResource, DeployedStack } from '../template/deploy';
import { AlarmMonitor } from './alarm-monitor';
import { T0, alarmProperties } from './fixtures/alarm-properties';

/** A deployed stack as the runtime hands it over: only the types, refs and resolved properties the monitor reads. */
function stackOf(
  resources: Record<
    string,
    { type: string; ref: string; properties?: Record<string, unknown>; attributes?: Record<string, unknown> }
  >,
): DeployedStack {
  const map = new Map<string, DeployedResource>(
    Object.entries(resources).map(([logicalId, r]) => [
      logicalId,
      {
        logicalId,
        type: r.type,
        properties: r.properties ?? {},
        identity: { ref: r.ref, attributes: r.attributes ?? {} },
        metadata: {},
      },
    ]),
  );
  return {
    plan: { input: { stackName: 'Orders' } },
    resources: map,
    outputs: {},
  } as unknown as DeployedStack;
}

const alarm = (ref: string, properties: Record<string, unknown>) => ({
  type: 'AWS::CloudWatch::Alarm',
  ref,
  properties: alarmProperties(properties),
});

function setUp() {
  let now = T0 + 1_000;
  const events: RuntimeLogEvent[] = [];
  const attributes: Record<string, string> = {
    ApproximateNumberOfMessages: '0',
    ApproximateNumberOfMessagesNotVisible: '0',
    ApproximateNumberOfMessagesDelayed: '0',
  };
  const stack = stackOf({
    Fn: { type: 'AWS::Lambda::Function', ref: 'Orders-Fn-X' },
    Queue: {
      type: 'AWS::SQS::Queue',
      ref: 'http://edge/000000000000/Orders-Queue-X',
      attributes: { QueueName: 'Orders-Queue-X', QueueUrl: 'http://edge/000000000000/Orders-Queue-X' },
    },
    Api: { type: 'AWS::ApiGatewayV2::Api', ref: 'api1' },
    Rule: { type: 'AWS::Events::Rule', ref: 'orders|Orders-Rule-X' },
    Errors: alarm('Orders-Errors', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: 'Orders-Fn-X' }],
      Statistic: 'Sum',
    }),
    IteratorAge: alarm('Orders-IteratorAge', {
      Namespace: 'AWS/Lambda',
      MetricName: 'IteratorAge',
      Dimensions: [{ Name: 'FunctionName', Value: 'Orders-Fn-X' }],
      Threshold: 60_000,
    }),
    Age: alarm('Orders-Age', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: 'Orders-Queue-X' }],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 600,
    }),
    ServerErrors: alarm('Orders-5xx', {
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
      Dimensions: [
        { Name: 'ApiId', Value: 'api1' },
        { Name: 'Stage', Value: '$default' },
      ],
      Statistic: 'Average',
      Threshold: 0.5,
    }),
    RuleFailures: alarm('Orders-RuleFailures', {
      Namespace: 'AWS/Events',
      MetricName: 'FailedInvocations',
      Dimensions: [
        { Name: 'EventBusName', Value: 'orders' },
        { Name: 'RuleName', Value: 'Orders-Rule-X' },
      ],
      Statistic: 'Sum',
    }),
    Emf: alarm('Orders-Emf', {
      Namespace: 'Orders',
      MetricName: 'Failures',
      Dimensions: [{ Name: 'service', Value: 'orders' }],
      Statistic: 'Sum',
    }),
  });
  const monitor = new AlarmMonitor({
    stacks: [stack],
    log: (e) => events.push(e),
    now: () => now,
    queueAttributes: async () => attributes,
  });
  const state = (ref: string) => monitor.states().find((a) => a.alarmName === ref)?.state;
  return {
    monitor,
    events,
    attributes,
    state,
    advance: (ms: number) => (now += ms),
    at: () => now,
  };
}

describe('AlarmMonitor (fake clock, fake queue attributes)', () => {
  it('turns the Errors alarm OK → ALARM on a failed invocation and back to OK once its period has passed (notBreaching)', async () => {
    const { monitor, state, advance } = setUp();
    const states: (string | undefined)[] = [];

    await monitor.evaluate();
    states.push(state('Orders-Errors'));
    await expect(
      monitor.observeInvocation('Orders-Fn-X', {}, () => Promise.reject(new Error('boom'))),
    ).rejects.toThrow('boom');
    await monitor.evaluate();
    states.push(state('Orders-Errors'));
    advance(60_000);
    await monitor.evaluate();
    states.push(state('Orders-Errors'));

    expect(states).toEqual(['OK', 'ALARM', 'OK']);
  });

  it("takes IteratorAge from the stream batch's last record when it is invoked", async () => {
    const { monitor, state, at } = setUp();
    const created = Math.floor((at() - 90_000) / 1000);

    await monitor.observeInvocation(
      'Orders-Fn-X',
      { Records: [{ dynamodb: { ApproximateCreationDateTime: created } }] },
      async () => ({}),
    );
    await monitor.evaluate();

    expect(state('Orders-IteratorAge')).toBe('ALARM');
    expect(monitor.states().find((a) => a.alarmName === 'Orders-IteratorAge')?.value).toBe(
      at() - created * 1000,
    );
  });

  it('ages the oldest message its mapping received while the queue holds it, and forgets it once handled', async () => {
    const { monitor, state, attributes, at, advance } = setUp();
    const record = {
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:Orders-Queue-X',
      messageId: 'm1',
      attributes: { SentTimestamp: String(at() - 700_000) },
    };
    attributes.ApproximateNumberOfMessagesNotVisible = '1';

    await expect(
      monitor.observeInvocation('Orders-Fn-X', { Records: [record] }, () =>
        Promise.reject(new Error('again')),
      ),
    ).rejects.toThrow();
    await monitor.evaluate();
    const failing = state('Orders-Age');
    await monitor.observeInvocation('Orders-Fn-X', { Records: [record] }, async () => ({
      batchItemFailures: [],
    }));
    // another message waits, which no mapping received yet: m1's age must not count any more
    attributes.ApproximateNumberOfMessagesNotVisible = '0';
    attributes.ApproximateNumberOfMessages = '1';
    advance(60_000);
    await monitor.evaluate();

    expect([failing, state('Orders-Age')]).toEqual(['ALARM', 'OK']);
  });

  it('computes the HTTP API 5xx rate (Average) per ApiId and Stage', async () => {
    const { monitor, state } = setUp();

    monitor.observeHttpRequest('api1', 201, 20);
    monitor.observeHttpRequest('api1', 500, 20);
    await monitor.evaluate();
    const half = state('Orders-5xx');
    monitor.observeHttpRequest('api1', 201, 20);
    await monitor.evaluate();

    expect([half, state('Orders-5xx')]).toEqual(['ALARM', 'OK']);
  });

  it("counts the edge's failed deliveries (events.dlq) as the rule's FailedInvocations", async () => {
    const { monitor, state } = setUp();

    monitor.observeEdgeEvent({ kind: 'events.delivered', details: { rule: 'Orders-Rule-X' } });
    await monitor.evaluate();
    const delivered = state('Orders-RuleFailures');
    monitor.observeEdgeEvent({ kind: 'events.dlq', details: { rule: 'Orders-Rule-X' } });
    await monitor.evaluate();

    expect([delivered, state('Orders-RuleFailures')]).toEqual(['OK', 'ALARM']);
  });

  it('reports an EMF alarm in another namespace than the function emits once, and not for another metric name', () => {
    const { monitor, events } = setUp();
    const emf = (namespace: string, name: string) =>
      JSON.stringify({
        _aws: {
          CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [['service']], Metrics: [{ Name: name }] }],
        },
        service: 'orders',
        [name]: 1,
      });

    monitor.observeFunctionLine('OrdersFn', emf('Orders', 'Processed'));
    const afterOtherName = events.filter((e) => e.kind === 'alarm.never-fires').length;
    monitor.observeFunctionLine('OrdersFn', emf('Orders/Prod', 'Failures'));
    monitor.observeFunctionLine('OrdersFn', emf('Orders/Prod', 'Failures'));

    expect(afterOtherName).toBe(0);
    expect(events.filter((e) => e.kind === 'alarm.never-fires').map((e) => e.message)).toEqual([
      'Orders/Orders-Emf would never fire: it watches Orders Failures {service=orders}, but OrdersFn emits Orders/Prod Failures {service=orders}',
    ]);
  });
});
