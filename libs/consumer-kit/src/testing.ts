/**
 * Test helpers for consumers built with the kit: SQS events and Lambda contexts as factories, the idempotency
 * table for DynamoDB Local, and the checks every consumer app's stack and contract tests share (its stack's
 * template, cdk-nag findings and IAM statements; its rule pattern tested with the local edge's `TestEventPattern`
 * from `@outboxed/local-aws`). Import from `@outboxed/consumer-kit/testing` in tests only.
 *
 * @example const event = sqsEventOf([exampleUserCreatedEvent()]);
 */
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';

/**
 * An SQS event whose records carry `bodies` (objects are JSON-encoded, strings kept as they are), with message ids
 * `message-1`, `message-2` … unless `messageIds` is given.
 *
 * @example const event = sqsEventOf([exampleUserCreatedEvent(), 'not json']);
 */
export function sqsEventOf(bodies: readonly unknown[], messageIds?: readonly string[]): SQSEvent {
  return { Records: bodies.map((body, i) => sqsRecordOf(body, messageIds?.[i] ?? `message-${i + 1}`)) };
}

/**
 * One SQS record as Lambda's event source mapping delivers it from a standard queue.
 *
 * @example const record = sqsRecordOf(exampleUserCreatedEvent(), 'message-1');
 */
export function sqsRecordOf(body: unknown, messageId: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `receipt-${messageId}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1768471200000',
      SenderId: 'AROAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1768471200001',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:consumer-queue',
    awsRegion: 'us-east-1',
  };
}

/**
 * A Lambda context with `remainingMs` left (Powertools idempotency uses it to expire in-progress records).
 *
 * @example await handler(sqsEventOf([event]), lambdaContext());
 */
export function lambdaContext(remainingMs = 30_000): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'consumer-test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:consumer-test',
    memoryLimitInMB: '256',
    awsRequestId: 'request-1',
    logGroupName: '/aws/lambda/consumer-test',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * Creates a Powertools idempotency table (pk `id`, the layout the `EventConsumer` construct deploys).
 *
 * @example await createIdempotencyTable(new DynamoDBClient(ddb.clientConfig), 'idempotency-1');
 */
export async function createIdempotencyTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}

export {
  actionsOf,
  assertBuffersInQueueWithDeadLetterQueue,
  assertSubscribesOnUsersBus,
  consumerNagFindings,
  consumerTemplate,
  dynamoDbResourcesOf,
  policyStatementsOf,
} from './testing/consumer-stack';
export type { ConsumerStackFactory, PolicyStatement } from './testing/consumer-stack';
export { consumerRulePattern, eventsOffRoute, startEventPatternTester } from './testing/rule-pattern';
export type { ConsumerRulePattern, EventPatternTester } from './testing/rule-pattern';
