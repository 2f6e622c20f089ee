import { App, Duration, Stack } from 'aws-cdk-lib';
import { Table, AttributeType } from 'aws-cdk-lib/aws-dynamodb';
import { describe, expect, it } from 'vitest';
import { UsersApi, type UsersApiProps } from './construct';

describe('UsersApi', () => {
  it.each<[string, Omit<UsersApiProps, 'table'>, string]>([
    [
      'a zero rate limit',
      { throttlingRateLimit: 0 },
      'UsersApi: throttlingRateLimit must be an integer from 1 to 10000; received 0.',
    ],
    [
      'a burst over 5,000',
      { throttlingBurstLimit: 5001 },
      'UsersApi: throttlingBurstLimit must be an integer from 1 to 5000; received 5001.',
    ],
    [
      'an idempotency TTL under a minute',
      { idempotencyTtl: Duration.seconds(30) },
      'UsersApi: idempotencyTtl (seconds) must be an integer from 60 to 604800; received 30.',
    ],
  ])('rejects %s at synth, naming the prop, the range and the value', (_, props, message) => {
    const stack = new Stack(new App(), 'Test');
    const table = new Table(stack, 'Table', { partitionKey: { name: 'pk', type: AttributeType.STRING } });

    expect(() => new UsersApi(stack, 'Api', { table, ...props })).toThrow(message);
  });
});
