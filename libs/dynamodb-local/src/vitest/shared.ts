import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { DynamoDbLocalError } from '../errors';
import { dynamoDbLocalClientConfig, type DynamoDbLocal } from '../start-dynamodb-local';
import { SHARED_DYNAMODB_LOCAL_KEY } from './provided-context';

/** The DynamoDB Local shared by every test file of this Vitest run: it is stopped by Vitest, not by tests. */
export type SharedDynamoDbLocal = Pick<DynamoDbLocal, 'endpoint' | 'clientConfig'>;

/**
 * The DynamoDB Local that `@outboxed/dynamodb-local/vitest-setup` started for this Vitest run. Test files run side
 * by side against it: each test creates its own tables, named with {@link uniqueTableName}. A test that stops,
 * pauses or restarts DynamoDB Local, or needs its data on disk, starts its own with `startDynamoDbLocal()` instead.
 *
 * @example
 * const dynamoDb = new DynamoDBClient(sharedDynamoDbLocal().clientConfig);
 * const table = uniqueTableName('users');
 */
export function sharedDynamoDbLocal(): SharedDynamoDbLocal {
  const endpoint = inject(SHARED_DYNAMODB_LOCAL_KEY);
  if (!endpoint) {
    throw new DynamoDbLocalError(
      "No shared DynamoDB Local in this Vitest run: add dynamoDbLocalGlobalSetup (from '@outboxed/dynamodb-local/vitest-setup') to test.globalSetup in this project's vitest.config.ts, or start one in the test with startDynamoDbLocal().",
    );
  }
  return { endpoint, clientConfig: dynamoDbLocalClientConfig(endpoint) };
}

/** DynamoDB's rule for table names, minus the room {@link uniqueTableName} takes for its suffix. */
const TABLE_PREFIX = /^[A-Za-z0-9_.-]{1,200}$/;

/**
 * A table name no other test of the run uses (`<prefix>-<uuid>`), so test files sharing one DynamoDB Local never
 * share a table.
 *
 * @example uniqueTableName('users'); // 'users-3b2a…'
 */
export function uniqueTableName(prefix: string): string {
  if (!TABLE_PREFIX.test(prefix)) {
    throw new DynamoDbLocalError(
      `Table name prefix ${JSON.stringify(prefix)} is not allowed: use 1 to 200 of A-Z, a-z, 0-9, '_', '-' and '.' (DynamoDB's table name characters).`,
    );
  }
  return `${prefix}-${randomUUID()}`;
}
