import { describe, expect, it } from 'vitest';
import { localSource } from './local-sources';
import type { LocalResources } from './local-sources';
import type { MetricSpec } from './types';

const known: LocalResources = {
  functions: new Set(['Users-Relay-X']),
  queues: new Map([['Audit-Dlq-X', 'http://127.0.0.1:4566/000000000000/Audit-Dlq-X']]),
  apis: new Map([['a1b2c3', '$default']]),
  rules: new Map([['Audit-Rule-X', 'users']]),
};
const metric = (namespace: string, metricName: string, dimensions: Record<string, string>): MetricSpec => ({
  id: 'm1',
  namespace,
  metricName,
  dimensions,
  statistic: 'Sum',
  periodSeconds: 60,
});

describe('localSource', () => {
  it.each([
    metric('AWS/Lambda', 'Errors', { FunctionName: 'Users-Relay-X' }),
    metric('AWS/SQS', 'ApproximateAgeOfOldestMessage', { QueueName: 'Audit-Dlq-X' }),
    metric('AWS/ApiGateway', '5xx', { ApiId: 'a1b2c3', Stage: '$default' }),
    metric('AWS/Events', 'FailedInvocations', { EventBusName: 'users', RuleName: 'Audit-Rule-X' }),
    metric('Outboxed/Users', 'FailedEntries', { service: 'users-service' }),
  ])('produces $namespace $metricName', (m) => {
    expect(localSource(m, known)).toEqual({ produced: true });
  });

  it.each([
    [
      metric('AWS/DynamoDB', 'ThrottledRequests', {}),
      "no local source produces AWS/DynamoDB ThrottledRequests (the runtime records metrics of AWS/Lambda, AWS/SQS, AWS/ApiGateway, AWS/Events and the functions' EMF metrics)",
    ],
    [
      metric('AWS/Lambda', 'Throttles', { FunctionName: 'Users-Relay-X' }),
      "no local source produces AWS/Lambda Throttles (the local runtime never throttles: an invocation waits for one of its function's 4 workers)",
    ],
  ])('does not produce %o, saying why', (m, reason) => {
    expect(localSource(m, known)).toEqual({ produced: false, reason });
  });

  it.each([
    [
      metric('AWS/Lambda', 'Errors', { FunctionName: 'Users-Gone-X' }),
      'no function named Users-Gone-X runs locally (functions: Users-Relay-X)',
    ],
    [
      metric('AWS/Events', 'FailedInvocations', { EventBusName: 'users', RuleName: 'users|Audit-Rule-X' }),
      'no rule named users|Audit-Rule-X runs locally (rules: Audit-Rule-X): EventBridge publishes RuleName as the rule\'s name, while the Ref of a rule on a custom bus is "<bus>|<rule>"',
    ],
    [
      metric('AWS/ApiGateway', 'Latency', { ApiId: 'a1b2c3', Stage: 'prod' }),
      'HTTP API a1b2c3 has the stage $default, not prod',
    ],
    [
      metric('AWS/Lambda', 'Errors', { FunctionName: 'Users-Relay-X', Resource: 'Users-Relay-X:live' }),
      'AWS/Lambda Errors is recorded with dimensions {none} or {FunctionName}, not {FunctionName+Resource}',
    ],
  ])('says an alarm on %o would never fire: %s', (m, neverFires) => {
    expect(localSource(m, known)).toEqual({ produced: true, neverFires });
  });
});
