import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoDbLocalError } from '../errors';
import setupSharedDynamoDbLocal from './global-setup';
import { sharedDynamoDbLocal, uniqueTableName } from './shared';

describe('setupSharedDynamoDbLocal (the global setup)', () => {
  it('provides the endpoint of a DynamoDB Local that answers, and its teardown stops it', async () => {
    const provided = new Map<string, unknown>();

    const teardown = await setupSharedDynamoDbLocal({ provide: (key, value) => provided.set(key, value) });
    const endpoint = provided.get('dynamoDbLocalEndpoint') as string;
    const client = new DynamoDBClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    try {
      expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(await client.send(new ListTablesCommand({}))).toMatchObject({ TableNames: [] });
      await teardown();
      await expect(client.send(new ListTablesCommand({}))).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      client.destroy();
    }
  });
});

describe('sharedDynamoDbLocal', () => {
  it('rejects a run without the global setup, naming the fix', () => {
    expect(() => sharedDynamoDbLocal()).toThrow(DynamoDbLocalError);
    expect(() => sharedDynamoDbLocal()).toThrow(/add dynamoDbLocalGlobalSetup .* to test\.globalSetup/);
  });
});

describe('uniqueTableName', () => {
  it('gives a new DynamoDB table name on each call, starting with the prefix', () => {
    const names = Array.from({ length: 3 }, () => uniqueTableName('users'));

    expect(new Set(names).size).toBe(3);
    for (const name of names) expect(name).toMatch(/^users-[0-9a-f-]{36}$/);
  });

  it.each(['', 'users table', 'a'.repeat(201)])(
    'rejects the prefix %j, naming the allowed characters',
    (prefix) => {
      expect(() => uniqueTableName(prefix)).toThrow(/use 1 to 200 of A-Z, a-z, 0-9/);
    },
  );
});
