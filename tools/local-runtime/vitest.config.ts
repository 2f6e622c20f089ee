import { mergeConfig } from 'vitest/config';
import { baseConfig } from '../../vitest.base.ts';

export default mergeConfig(baseConfig, {
  test: {
    // One DynamoDB Local for the whole run: tests reach it with sharedDynamoDbLocal() and create their own tables.
    globalSetup: ['@outboxed/dynamodb-local/vitest-setup'],
    // The files share one module graph (aws-cdk-lib and the AWS SDK load once per worker, not once per file). A file
    // that mocks a client with aws-sdk-client-mock restores it after its tests: the next file gets the real client.
    isolate: false,
  },
});
