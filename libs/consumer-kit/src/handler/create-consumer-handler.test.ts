import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startDynamoDbLocal } from '@outboxed/dynamodb-local';
import type { DynamoDbLocal } from '@outboxed/dynamodb-local';
import {
  exampleUserCreatedEvent,
  exampleUserCreatedV1Event,
  invalidUserCreatedExamples,
  userCreatedV1,
  userCreatedV2,
} from '@outboxed/contracts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { CONSUMER_ENV } from '../environment';
import { ConsumerConfigurationError } from '../errors';
import { createIdempotencyTable, lambdaContext, sqsEventOf } from '../testing';
import { createConsumerHandler } from './create-consumer-handler';

const DLQ_URL = 'https://sqs.us-east-1.amazonaws.com/000000000000/consumer-dlq';

describe('createConsumerHandler', () => {
  let ddb: DynamoDbLocal;
  let dynamoDb: DynamoDBClient;
  const sqs = new SQSClient({ region: 'us-east-1' });
  const sqsMock = mockClient(sqs);

  beforeAll(async () => {
    ddb = await startDynamoDbLocal();
    dynamoDb = new DynamoDBClient(ddb.clientConfig);
  });
  afterAll(async () => {
    dynamoDb.destroy();
    await ddb.stop();
  });
  beforeEach(() => {
    sqsMock.reset();
    sqsMock.on(SendMessageCommand).resolves({ MessageId: 'dlq-message-1' });
  });

  /** A consumer over a fresh idempotency table whose effect records each applied event id. */
  async function consumerWith(handle: (eventId: string) => Promise<void> = async () => undefined) {
    const tableName = `idempotency-${randomUUID()}`;
    await createIdempotencyTable(dynamoDb, tableName);
    const applied: string[] = [];
    const handler = createConsumerHandler(
      {
        name: 'test-consumer',
        contracts: [userCreatedV1, userCreatedV2],
        handle: async (event) => {
          await handle(event.detail.metadata.id);
          applied.push(event.detail.metadata.id);
          return { applied: event.detail.metadata.id };
        },
      },
      {
        env: { [CONSUMER_ENV.idempotencyTableName]: tableName, [CONSUMER_ENV.deadLetterQueueUrl]: DLQ_URL },
        dynamoDb,
        sqs,
        logger: new Logger({ serviceName: 'test-consumer', logLevel: 'SILENT' }),
      },
    );
    return { handler, applied };
  }

  const eventWithId = (id: string) => exampleUserCreatedEvent({ detail: { metadata: { id } } });
  const ID_1 = '01JHB7N9Q3Z5W8X2C4V6T0R1S1';
  const ID_2 = '01JHB7N9Q3Z5W8X2C4V6T0R1S2';
  const ID_3 = '01JHB7N9Q3Z5W8X2C4V6T0R1S3';

  it.each([
    ['v1', exampleUserCreatedV1Event()],
    ['v2', exampleUserCreatedEvent()],
  ])('applies a valid UserCreated %s event once and reports no failure', async (_version, event) => {
    const { handler, applied } = await consumerWith();

    const response = await handler(sqsEventOf([event]), lambdaContext());

    expect(response).toEqual({ batchItemFailures: [] });
    expect(applied).toEqual([event.detail.metadata.id]);
  });

  it('guarantee 3: applies an event delivered twice, in two invocations, once', async () => {
    const { handler, applied } = await consumerWith();

    const first = await handler(sqsEventOf([eventWithId(ID_1)], ['message-1']), lambdaContext());
    const second = await handler(sqsEventOf([eventWithId(ID_1)], ['message-2']), lambdaContext());

    expect([first, second]).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
    expect(applied).toEqual([ID_1]);
  });

  it('guarantee 3: applies an event delivered twice in one batch (concurrently) once, the copy retried until it finds the effect done', async () => {
    const { handler, applied } = await consumerWith();
    const event = sqsEventOf([eventWithId(ID_1), eventWithId(ID_1)]);

    const first = await handler(event, lambdaContext());
    const retried = sqsEventOf(
      first.batchItemFailures.map(() => eventWithId(ID_1)),
      first.batchItemFailures.map((f) => f.itemIdentifier),
    );
    const second = await handler(retried, lambdaContext());

    expect(first.batchItemFailures.length).toBeLessThanOrEqual(1);
    expect(second).toEqual({ batchItemFailures: [] });
    expect(applied).toEqual([ID_1]);
  });

  it('reports only the failing record of a batch, and applies it alone when SQS redelivers it', async () => {
    let failNext = true;
    const { handler, applied } = await consumerWith(async (id) => {
      if (id === ID_2 && failNext) {
        failNext = false;
        throw new Error('transient failure');
      }
    });

    const first = await handler(
      sqsEventOf([eventWithId(ID_1), eventWithId(ID_2), eventWithId(ID_3)]),
      lambdaContext(),
    );
    const redelivered = await handler(
      sqsEventOf([eventWithId(ID_1), eventWithId(ID_2), eventWithId(ID_3)]),
      lambdaContext(),
    );

    expect(first).toEqual({ batchItemFailures: [{ itemIdentifier: 'message-2' }] });
    expect(redelivered).toEqual({ batchItemFailures: [] });
    expect([...applied].sort()).toEqual([ID_1, ID_2, ID_3]);
  });

  it.each([
    ['a body that is not JSON', '{"source": ', 'NotJson', '[]'],
    ['a body that is not an EventBridge event', { hello: 'world' }, 'NotAnEvent', '[]'],
    [
      'a UserCreated version the consumer does not handle',
      exampleUserCreatedEvent({ detail: { metadata: { version: 3 } } }),
      'UnsupportedEvent',
      '[]',
    ],
    [
      'an event from another source',
      exampleUserCreatedEvent({ source: 'outboxed.orders' as 'outboxed.users' }),
      'UnsupportedEvent',
      '[]',
    ],
    [
      'an event violating its contract',
      exampleUserCreatedEvent({ detail: { data: { email: undefined } } }),
      'ContractViolation',
      JSON.stringify([{ path: 'detail.data.email', message: 'is required' }]),
    ],
  ])(
    'guarantee 5: moves %s to the dead-letter queue at once, never retried nor applied',
    async (_name, body, reason, violations) => {
      const { handler, applied } = await consumerWith();
      const event = sqsEventOf([body]);

      const response = await handler(event, lambdaContext());

      expect(response).toEqual({ batchItemFailures: [] });
      expect(applied).toEqual([]);
      expect(sqsMock.commandCalls(SendMessageCommand).map((c) => c.args[0].input)).toEqual([
        {
          QueueUrl: DLQ_URL,
          MessageBody: event.Records[0]?.body,
          MessageAttributes: {
            'outboxed.rejection-reason': { DataType: 'String', StringValue: reason },
            'outboxed.violations': { DataType: 'String', StringValue: violations },
            'outboxed.consumer': { DataType: 'String', StringValue: 'test-consumer' },
            'outboxed.source-message-id': { DataType: 'String', StringValue: 'message-1' },
          },
        },
      ]);
    },
  );

  it.each(
    invalidUserCreatedExamples.filter((e) => e.name !== 'another source' && !e.name.includes('version')),
  )(
    'guarantee 5: rejects $name to the dead-letter queue with exactly its violations',
    async ({ event, violations }) => {
      const { handler, applied } = await consumerWith();

      const response = await handler(sqsEventOf([event]), lambdaContext());

      expect(response).toEqual({ batchItemFailures: [] });
      expect(applied).toEqual([]);
      const sent = sqsMock.commandCalls(SendMessageCommand)[0]?.args[0].input;
      expect(JSON.parse(sent?.MessageAttributes?.['outboxed.violations']?.StringValue ?? 'null')).toEqual(
        violations,
      );
    },
  );

  it('reports an invalid record as failed (so it is retried, never dropped) when the dead-letter queue refuses it', async () => {
    sqsMock.on(SendMessageCommand).rejects(new Error('AccessDenied'));
    const { handler } = await consumerWith();

    const response = await handler(sqsEventOf(['not json']), lambdaContext());

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'message-1' }] });
  });

  it('logs ids, types and reasons, never the email or the name', async () => {
    const lines: string[] = [];
    const capture = (chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    };
    const spies = [
      vi.spyOn(process.stdout, 'write').mockImplementation(capture),
      vi.spyOn(process.stderr, 'write').mockImplementation(capture),
    ];
    const tableName = `idempotency-${randomUUID()}`;
    await createIdempotencyTable(dynamoDb, tableName);
    const handler = createConsumerHandler(
      {
        name: 'logging-consumer',
        contracts: [userCreatedV2],
        handle: async () => {
          throw new Error('SES said: ada@example.com is not verified');
        },
      },
      {
        env: { [CONSUMER_ENV.idempotencyTableName]: tableName, [CONSUMER_ENV.deadLetterQueueUrl]: DLQ_URL },
        dynamoDb,
        sqs,
        logger: new Logger({ serviceName: 'logging-consumer', logLevel: 'INFO' }),
      },
    );

    try {
      await handler(
        sqsEventOf([exampleUserCreatedEvent(), exampleUserCreatedEvent({ detail: { data: { name: '' } } })]),
        lambdaContext(),
      );
    } finally {
      for (const spy of spies) spy.mockRestore();
    }

    const output = lines.join('');
    expect(output).toContain('"eventId":"01JHB7N9Q3Z5W8X2C4V6T0R1SM"');
    expect(output).toContain('"reason":"ContractViolation"');
    expect(output).not.toMatch(/ada@example\.com|Ada Lovelace/);
  });

  it.each([
    [
      { [CONSUMER_ENV.deadLetterQueueUrl]: DLQ_URL },
      'Environment variable IDEMPOTENCY_TABLE_NAME is not set',
    ],
    [
      { [CONSUMER_ENV.idempotencyTableName]: 'table' },
      'Environment variable DEAD_LETTER_QUEUE_URL is not set',
    ],
    [
      {
        [CONSUMER_ENV.idempotencyTableName]: 'table',
        [CONSUMER_ENV.deadLetterQueueUrl]: DLQ_URL,
        [CONSUMER_ENV.idempotencyExpiresAfterSeconds]: 'soon',
      },
      'Environment variable IDEMPOTENCY_EXPIRES_AFTER_SECONDS is "soon"; expected a whole number of seconds ≥ 1',
    ],
  ])('fails the invocation naming the variable when the environment is %j', async (env, message) => {
    const handler = createConsumerHandler(
      { name: 'misconfigured', contracts: [userCreatedV2], handle: async () => undefined },
      { env, dynamoDb, sqs },
    );

    const invocation = handler(sqsEventOf([exampleUserCreatedEvent()]), lambdaContext());

    await expect(invocation).rejects.toThrow(ConsumerConfigurationError);
    await expect(invocation).rejects.toThrow(message);
  });
});
