import { mergeConfig } from 'vitest/config';
import { baseConfig } from '../../vitest.base.ts';

export default mergeConfig(baseConfig, {
  test: {
    // One DynamoDB Local for the whole run: tests reach it with sharedDynamoDbLocal() and create their own tables.
    globalSetup: ['@outboxed/dynamodb-local/vitest-setup'],
    // The files share one module graph (aws-cdk-lib, the AWS SDK and Powertools load once per worker, not once per
    // file). aws-sdk-client-mock patches a client's prototype, so every file that mocks a client restores it after
    // its tests: a file after it in the same worker gets the real client.
    isolate: false,
  },
});
