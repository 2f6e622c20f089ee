import { mergeConfig } from 'vitest/config';
import { baseConfig } from '../../vitest.base.ts';

export default mergeConfig(baseConfig, {
  test: {
    // One DynamoDB Local for the whole run: tests reach it with sharedDynamoDbLocal() and create their own tables.
    globalSetup: ['@outboxed/dynamodb-local/vitest-setup'],
    // The files share one module graph: aws-cdk-lib, the AWS SDK and Powertools load once per run instead of once per
    // file (a third less CPU for this suite). They keep no state between files: clients and mocks are per test.
    isolate: false,
  },
});
