import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { sharedDynamoDbLocal } from '@outboxed/dynamodb-local/vitest';
import { defineExpectations, userCreated, userCreatedV1, userCreatedV2 } from '@outboxed/contracts';
import {
  exampleUserCreatedEvent,
  exampleUserCreatedV1Event,
  invalidUserCreatedExamples,
} from '@outboxed/contracts/testing';
import { startEdge } from '@outboxed/local-aws';
import type { Edge } from '@outboxed/local-aws';
import { mockClient } from 'aws-sdk-client-mock';
import type { SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CONSUMER_ENV, CONSUMER_METRICS } from '../environment';
import { ConsumerConfigurationError } from '../errors';
import { createIdempotencyTable, lambdaContext, sqsEventOf } from '../testing';
import { createConsumerHandler } from './create-consumer-handler';

const TRACE_ROOT = '1-67891233-abcdef012345678912345678';
const DLQ_URL = 'https://sqs.us-east-1.amazonaws.com/000000000000/consumer-dlq';

/** The message attributes the kit must set on a record it dead-letters. */
function rejectionAttributes(
  reason: string,
  violations: string,
  explanation: unknown = expect.any(String),
  messageId = 'message-1',
) {
  const text = (value: string) => ({ DataType: 'String', StringValue: value });
  return {
    'outboxed.rejection-reason': text(reason),
    'outboxed.rejection-explanation': { DataType: 'String', StringValue: explanation },
    'outboxed.violations': text(violations),
    'outboxed.consumer': text('test-consumer'),
    'outboxed.source-message-id': text(messageId),
  };
}

describe('createConsumerHandler', () => {
  const ddb = sharedDynamoDbLocal();
  let edge: Edge;
  let dynamoDb: DynamoDBClient;
  let sqs: SQSClient;

  beforeAll(async () => {
    edge = await startEdge();
    dynamoDb = new DynamoDBClient(ddb.clientConfig);
    sqs = new SQSClient({ endpoint: edge.endpoint, region: edge.region, credentials: edge.credentials });
  });
  afterAll(async () => {
    dynamoDb.destroy();
    sqs.destroy();
    await edge.stop();
  });

  /** Every message in the dead-letter queue at `queueUrl`: body and message attributes. */
  async function deadLetters(queueUrl: string) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MessageAttributeNames: ['All'],
        MaxNumberOfMessages: 10,
      }),
    );
    return (Messages ?? []).map((m) => ({ body: m.Body, attributes: m.MessageAttributes }));
  }

  /**
   * A consumer over a fresh idempotency table and dead-letter queue (the local edge's SQS) whose effect records
   * each applied event id.
   */
  async function consumerWith(
    handle: (eventId: string) => Promise<void> = async () => undefined,
    sqsClient?: SQSClient,
  ) {
    const tableName = `idempotency-${randomUUID()}`;
    await createIdempotencyTable(dynamoDb, tableName);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: tableName }));
    const deadLetterQueueUrl = QueueUrl as string;
    const applied: string[] = [];
    // Each published EMF document's metric values, by name (what CloudWatch would receive).
    const published: Record<string, unknown>[] = [];
    const metrics = new Metrics({ namespace: 'Test', serviceName: 'test-consumer' });
    vi.spyOn(metrics, 'publishStoredMetrics').mockImplementation(() => {
      const emf = metrics.serializeMetrics() as unknown as Record<string, unknown>;
      published.push(
        Object.fromEntries(
          Object.values(CONSUMER_METRICS)
            .filter((n) => n in emf)
            .map((n) => [n, emf[n]]),
        ),
      );
      metrics.clearMetrics();
      return metrics;
    });
    const handler = createConsumerHandler(
      {
        expectations: defineExpectations({
          consumer: 'test-consumer',
          subscriptions: [{ contract: userCreatedV1, reads: ['detail.metadata.id'] }],
        }),
        handle: async (event) => {
          await handle(event.detail.metadata.id);
          applied.push(event.detail.metadata.id);
          return { applied: event.detail.metadata.id };
        },
      },
      {
        env: {
          [CONSUMER_ENV.idempotencyTableName]: tableName,
          [CONSUMER_ENV.deadLetterQueueUrl]: deadLetterQueueUrl,
        },
        dynamoDb,
        sqs: sqsClient ?? sqs,
        logger: new Logger({ serviceName: 'test-consumer', logLevel: 'SILENT' }),
        metrics,
      },
    );
    return { handler, applied, deadLetterQueueUrl, published };
  }

  /**
   * A consumer named `service` whose effect does nothing, over a fresh idempotency table, with its logger's `info`
   * spied on and its metrics kept from stdout; `tracer`, when given, is the one it traces with.
   */
  async function observedConsumer(service: string, tracer?: Tracer) {
    const tableName = `idempotency-${randomUUID()}`;
    await createIdempotencyTable(dynamoDb, tableName);
    const logger = new Logger({ serviceName: service, logLevel: 'SILENT' });
    const info = vi.spyOn(logger, 'info');
    const metrics = new Metrics({ namespace: 'Test', serviceName: service });
    vi.spyOn(metrics, 'publishStoredMetrics').mockReturnValue(metrics);
    const handler = createConsumerHandler(
      {
        expectations: defineExpectations({
          consumer: service,
          subscriptions: [{ contract: userCreatedV1, reads: ['detail.metadata.id'] }],
        }),
        handle: async () => undefined,
      },
      {
        env: { [CONSUMER_ENV.idempotencyTableName]: tableName, [CONSUMER_ENV.deadLetterQueueUrl]: DLQ_URL },
        dynamoDb,
        sqs,
        logger,
        metrics,
        ...(tracer ? { tracer } : {}),
      },
    );
    return { handler, info };
  }

  /** A UserCreated written with a version after every committed one, carrying a field no committed version defines. */
  function laterVersionEvent() {
    const event = exampleUserCreatedEvent({ detail: { metadata: { version: userCreated.version + 1 } } });
    return { ...event, detail: { ...event.detail, data: { ...event.detail.data, nickname: 'ada' } } };
  }

  const eventWithId = (id: string) => exampleUserCreatedEvent({ detail: { metadata: { id } } });
  const ID_1 = '01JHB7N9Q3Z5W8X2C4V6T0R1S1';
  const ID_2 = '01JHB7N9Q3Z5W8X2C4V6T0R1S2';
  const ID_3 = '01JHB7N9Q3Z5W8X2C4V6T0R1S3';

  it.each([
    ['v1', exampleUserCreatedV1Event()],
    ['v2', exampleUserCreatedEvent()],
    ['of a later compatible version (a field v1 does not know)', laterVersionEvent()],
  ])(
    'applies a valid UserCreated %s event, read as v1, once and reports no failure',
    async (_version, event) => {
      const { handler, applied } = await consumerWith();

      const response = await handler(sqsEventOf([event]), lambdaContext());

      expect(response).toEqual({ batchItemFailures: [] });
      expect(applied).toEqual([event.detail.metadata.id]);
    },
  );

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
      'a new major of UserCreated the consumer does not subscribe to',
      exampleUserCreatedEvent({ 'detail-type': 'UserCreatedV2' as 'UserCreated' }),
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
      const { handler, applied, deadLetterQueueUrl } = await consumerWith();
      const event = sqsEventOf([body]);

      const response = await handler(event, lambdaContext());

      expect(response).toEqual({ batchItemFailures: [] });
      expect(applied).toEqual([]);
      expect(await deadLetters(deadLetterQueueUrl)).toEqual([
        { body: event.Records[0]?.body, attributes: rejectionAttributes(reason, violations) },
      ]);
    },
  );

  it.each(
    // a tolerant reader ignores fields its version does not declare, so the closed-model example is no violation here
    invalidUserCreatedExamples.filter(
      (e) =>
        e.name !== 'another source' &&
        !e.name.includes('version') &&
        e.violations.every((v) => !v.message.startsWith('is not allowed')),
    ),
  )(
    'guarantee 5: rejects $name to the dead-letter queue with exactly its violations',
    async ({ event, violations }) => {
      const { handler, applied, deadLetterQueueUrl } = await consumerWith();

      const response = await handler(sqsEventOf([event]), lambdaContext());

      expect(response).toEqual({ batchItemFailures: [] });
      expect(applied).toEqual([]);
      expect(await deadLetters(deadLetterQueueUrl)).toEqual([
        {
          body: JSON.stringify(event),
          attributes: rejectionAttributes('ContractViolation', JSON.stringify(violations)),
        },
      ]);
    },
  );

  it('counts each invocation’s records as applied, duplicate, rejected or failed, published once per invocation', async () => {
    const { handler, published } = await consumerWith(async (id) => {
      if (id === ID_3) throw new Error('transient failure');
    });

    await handler(sqsEventOf([eventWithId(ID_1), eventWithId(ID_2)]), lambdaContext());
    await handler(sqsEventOf([eventWithId(ID_1), 'not json', eventWithId(ID_3)]), lambdaContext());

    expect(published).toEqual([
      { EventsApplied: 2, DuplicateEvents: 0, EventsRejected: 0, EventsFailed: 0 },
      { EventsApplied: 0, DuplicateEvents: 1, EventsRejected: 1, EventsFailed: 1 },
    ]);
  });

  it("logs each applied event with the producer's correlation id, so one id leads from the request to the effect", async () => {
    const { handler, info } = await observedConsumer('correlated');
    const event = exampleUserCreatedEvent({ detail: { metadata: { id: ID_1, correlationId: 'req-7f3a' } } });

    await handler(sqsEventOf([event]), lambdaContext());

    expect(info).toHaveBeenCalledWith(
      'Event processed',
      expect.objectContaining({ eventId: ID_1, correlationId: 'req-7f3a' }),
    );
  });

  it("logs and annotates each record with the producer's trace id (its AWSTraceHeader root) beside its ids, never personal data", async () => {
    // Tracer as in Lambda, over a detached segment (no X-Ray daemon here): the segments it opens are inspected
    const tracer = new Tracer({ serviceName: 'traced' });
    let current = new Tracer({ enabled: false }).getSegment();
    const root = current;
    vi.spyOn(tracer, 'isTracingEnabled').mockReturnValue(true);
    vi.spyOn(tracer, 'getSegment').mockImplementation(() => current);
    vi.spyOn(tracer, 'setSegment').mockImplementation((segment) => void (current = segment));
    vi.spyOn(tracer, 'putAnnotation').mockImplementation(() => undefined);
    const { handler, info } = await observedConsumer('traced', tracer);
    const event = exampleUserCreatedEvent({ detail: { metadata: { id: ID_1, correlationId: 'req-7f3a' } } });
    const record = sqsEventOf([event]).Records[0] as SQSRecord;
    const traced = {
      Records: [
        { ...record, attributes: { ...record.attributes, AWSTraceHeader: `Root=${TRACE_ROOT};Sampled=1` } },
      ],
    };

    await handler(traced, lambdaContext());

    expect(info).toHaveBeenCalledWith(
      'Event processed',
      expect.objectContaining({ eventId: ID_1, correlationId: 'req-7f3a', producerTraceId: TRACE_ROOT }),
    );
    const handlerSegment = root?.subsegments?.[0];
    expect(handlerSegment?.name).toMatch(/^## /);
    // `annotations` is the X-Ray SDK's own field (what it sends), not in its typings
    const annotations = (s: object) => (s as { annotations?: Record<string, unknown> }).annotations;
    expect(handlerSegment?.subsegments?.map((s) => [s.name, annotations(s)])).toEqual([
      ['### record', { eventId: ID_1, correlationId: 'req-7f3a', producerTraceId: TRACE_ROOT }],
    ]);
    expect(current).toBe(root);
  });

  it('guarantee 5: a bad record does not block its batch: the valid records around it are applied', async () => {
    const { handler, applied, deadLetterQueueUrl } = await consumerWith();
    const invalid = exampleUserCreatedEvent({ detail: { data: { name: '' } } });

    const response = await handler(
      sqsEventOf([eventWithId(ID_1), invalid, eventWithId(ID_3)]),
      lambdaContext(),
    );

    expect(response).toEqual({ batchItemFailures: [] });
    expect([...applied].sort()).toEqual([ID_1, ID_3]);
    expect((await deadLetters(deadLetterQueueUrl)).map((m) => m.body)).toEqual([JSON.stringify(invalid)]);
  });

  it('reports an invalid record as failed (so it is retried, never dropped) when the dead-letter queue refuses it', async () => {
    const refusing = new SQSClient({ region: 'us-east-1' });
    mockClient(refusing).on(SendMessageCommand).rejects(new Error('AccessDenied'));
    const { handler } = await consumerWith(undefined, refusing);

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
        expectations: defineExpectations({
          consumer: 'logging-consumer',
          subscriptions: [{ contract: userCreatedV2, reads: ['detail.metadata.id'] }],
        }),
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
      {
        expectations: defineExpectations({
          consumer: 'misconfigured',
          subscriptions: [{ contract: userCreatedV2, reads: [] }],
        }),
        handle: async () => undefined,
      },
      { env, dynamoDb, sqs },
    );

    const invocation = handler(sqsEventOf([exampleUserCreatedEvent()]), lambdaContext());

    await expect(invocation).rejects.toThrow(ConsumerConfigurationError);
    await expect(invocation).rejects.toThrow(message);
  });
});

describe('the dead-letter explanation', () => {
  it('keeps why an unsupported event was rejected and what to do', async () => {
    const { checkRecord } = await import('./check-record');
    const expectations = defineExpectations({
      consumer: 'reader-of-v2',
      subscriptions: [{ contract: userCreatedV2, reads: [] }],
    });

    expect(() =>
      checkRecord(JSON.stringify(exampleUserCreatedEvent({ source: 'x' as 'outboxed.users' })), expectations),
    ).toThrow(
      'reader-of-v2 does not subscribe to x/UserCreated; it reads outboxed.users/UserCreated (read as v2). Its rule should not have delivered this event: check the rule pattern, or subscribe to the event type in contract-expectations.ts.',
    );
  });

  it('reads a v1 event as v2 (an earlier version of the same event type)', async () => {
    const { checkRecord } = await import('./check-record');
    const expectations = defineExpectations({
      consumer: 'reader-of-v2',
      subscriptions: [{ contract: userCreatedV2, reads: [] }],
    });

    const checked = checkRecord(JSON.stringify(exampleUserCreatedV1Event()), expectations);

    expect(checked.writtenVersion).toBe(1);
    expect(checked.subscription.contract).toBe(userCreatedV2);
    expect(checked.event.detail.data.locale).toBeUndefined();
  });
});
