import { ConstructValidationError } from '@outboxed/cdk-common';
import { Duration, Stack } from 'aws-cdk-lib';
import { templateApp } from '@outboxed/cdk-common/testing/cdk';
import { Table, AttributeType } from 'aws-cdk-lib/aws-dynamodb';
import { describe, expect, it } from 'vitest';
import { UsersApi, type UsersApiProps } from './construct';

describe('UsersApi', () => {
  it.each<[string, Omit<UsersApiProps, 'table'>, string]>([
    [
      'a zero rate limit',
      { throttlingRateLimit: 0 },
      'UsersApi Test/Api: throttlingRateLimit is 0; allowed: a whole number from 1 to 10000.',
    ],
    [
      'a burst over 5,000',
      { throttlingBurstLimit: 5001 },
      'UsersApi Test/Api: throttlingBurstLimit is 5001; allowed: a whole number from 1 to 5000.',
    ],
    [
      'an idempotency TTL under a minute',
      { idempotencyTtl: Duration.seconds(30) },
      'UsersApi Test/Api: idempotencyTtl is 30 seconds (30 s); allowed: a whole number of seconds from 1 minute (60 s) to 7 days (604800 s).',
    ],
    [
      'a sub-second idempotency TTL',
      { idempotencyTtl: Duration.millis(500) },
      'UsersApi Test/Api: idempotencyTtl is 500 millis (0.5 s); allowed: a whole number of seconds from 1 minute (60 s) to 7 days (604800 s).',
    ],
    [
      'a latency alarm threshold under 100 ms',
      { latencyAlarmThreshold: Duration.millis(50) },
      'UsersApi Test/Api: latencyAlarmThreshold is 50 millis (0.05 s); allowed: a duration from 100 millis (0.1 s) to 29 seconds (29 s).',
    ],
  ])('rejects %s at synth, naming the prop, the range and the value', (_, props, message) => {
    const build = () => {
      const stack = new Stack(templateApp(), 'Test');
      const table = new Table(stack, 'Table', { partitionKey: { name: 'pk', type: AttributeType.STRING } });
      return new UsersApi(stack, 'Api', { table, ...props });
    };

    expect(build).toThrow(ConstructValidationError);
    expect(build).toThrow(message);
  });
});
