/**
 * Test helpers for consumers built with the kit: SQS events and Lambda contexts as factories, the idempotency
 * table for DynamoDB Local, and a small EventBridge pattern matcher. Import from `@outboxed/consumer-kit/testing`
 * in tests only.
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

/**
 * Whether an EventBridge event matches a rule pattern, for the subset rule patterns of this workspace use:
 * nested objects, arrays of exact string/number values, `{ prefix }`, `{ exists }` and `{ anything-but }`.
 * Hand-written (EventBridge's `TestEventPattern` is the reference, and needs AWS or an emulator): an operator
 * it does not know makes it throw rather than guess.
 *
 * @example matchesEventPattern({ source: ['outboxed.users'] }, exampleUserCreatedEvent()); // true
 */
export function matchesEventPattern(pattern: Record<string, unknown>, event: unknown): boolean {
  return Object.entries(pattern).every(([key, rule]) => {
    const value = isObject(event) ? event[key] : undefined;
    if (Array.isArray(rule)) return matchesAny(rule, value);
    if (isObject(rule)) return matchesEventPattern(rule, value);
    throw new TypeError(`Pattern field "${key}" must be an array or an object, not ${JSON.stringify(rule)}.`);
  });
}

function matchesAny(rules: readonly unknown[], value: unknown): boolean {
  const values = Array.isArray(value) ? value : [value];
  return rules.some((rule) => {
    if (typeof rule === 'string' || typeof rule === 'number' || rule === null) {
      return values.some((v) => v === rule);
    }
    if (isObject(rule) && 'prefix' in rule) {
      return values.some((v) => typeof v === 'string' && v.startsWith(String(rule.prefix)));
    }
    if (isObject(rule) && 'exists' in rule) return (value !== undefined) === rule.exists;
    if (isObject(rule) && 'anything-but' in rule) {
      const excluded = rule['anything-but'];
      const list = Array.isArray(excluded) ? excluded : [excluded];
      return value !== undefined && values.every((v) => !list.includes(v));
    }
    throw new TypeError(`Unsupported event pattern operator ${JSON.stringify(rule)}.`);
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
