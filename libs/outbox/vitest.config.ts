import { mergeConfig } from 'vitest/config';
import { baseConfig } from '../../vitest.base.ts';

// One DynamoDB Local for the whole run: tests reach it with sharedDynamoDbLocal() and create their own tables.
export default mergeConfig(baseConfig, { test: { globalSetup: ['@outboxed/dynamodb-local/vitest-setup'] } });
