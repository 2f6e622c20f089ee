/** The key under which the shared DynamoDB Local's endpoint is provided to the tests of one Vitest run. */
export const SHARED_DYNAMODB_LOCAL_KEY = 'dynamoDbLocalEndpoint' as const;

declare module 'vitest' {
  export interface ProvidedContext {
    /** `http://127.0.0.1:<port>` of the DynamoDB Local that `@outboxed/dynamodb-local/vitest-setup` started. */
    dynamoDbLocalEndpoint: string;
  }
}
