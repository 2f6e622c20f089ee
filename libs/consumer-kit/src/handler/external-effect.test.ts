import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { sharedDynamoDbLocal } from '@outboxed/dynamodb-local/vitest';
import { defineExpectations, userCreatedV1 } from '@outboxed/contracts';
import { exampleUserCreatedEvent } from '@outboxed/contracts/testing';
import { startEdge } from '@outboxed/local-aws';
import type { Edge } from '@outboxed/local-aws';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CONSUMER_ENV } from '../environment';
import { createIdempotencyTable, lambdaContext, sqsEventOf } from '../testing';
import { createConsumerHandler } from './create-consumer-handler';

describe('createConsumerHandler with externalEffect (guarantee 3: at most one duplicate per crashed invocation)', () => {
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

  async function consumer(
    externalEffect: boolean,
    handle: (eventId: string) => Promise<void>,
    tableName?: string,
  ) {
    const table = tableName ?? `idempotency-${randomUUID()}`;
    if (!tableName) await createIdempotencyTable(dynamoDb, table);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: table }));
    const logger = new Logger({ serviceName: 'external', logLevel: 'SILENT' });
    const metrics = new Metrics({ namespace: 'test', serviceName: 'external' });
    const warn = vi.spyOn(logger, 'warn');
    const addMetric = vi.spyOn(metrics, 'addMetric');
    vi.spyOn(metrics, 'publishStoredMetrics').mockReturnValue(metrics);
    const handler = createConsumerHandler(
      {
        expectations: defineExpectations({
          consumer: 'external',
          subscriptions: [{ contract: userCreatedV1, reads: ['detail.metadata.id'] }],
        }),
        externalEffect,
        handle: async (event) => handle(event.detail.metadata.id),
      },
      {
        env: {
          [CONSUMER_ENV.idempotencyTableName]: table,
          [CONSUMER_ENV.deadLetterQueueUrl]: QueueUrl as string,
        },
        dynamoDb,
        sqs,
        logger,
        metrics,
      },
    );
    return { handler, table, warn, addMetric };
  }

  const events = (n: number) =>
    Array.from({ length: n }, (_, i) =>
      exampleUserCreatedEvent({
        detail: { metadata: { id: `01JHB7N9Q3Z5W8X2C4V6T0R${String(i).padStart(3, '0')}` } },
      }),
    );

  it('applies the records of a batch one at a time', async () => {
    let running = 0;
    let peak = 0;
    const { handler } = await consumer(true, async () => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((r) => setImmediate(r));
      running -= 1;
    });

    const response = await handler(sqsEventOf(events(5)), lambdaContext());

    expect(response).toEqual({ batchItemFailures: [] });
    expect(peak).toBe(1);
  });

  it('without externalEffect, applies the records of a batch in parallel (two effects overlap)', async () => {
    let running = 0;
    let bothRunning: () => void = () => undefined;
    const overlap = new Promise<void>((r) => (bothRunning = r));
    const { handler } = await consumer(false, async () => {
      running += 1;
      if (running >= 2) bothRunning();
      await overlap; // would never settle if the records ran one at a time
      running -= 1;
    });

    const response = await handler(sqsEventOf(events(5)), lambdaContext());

    expect(response).toEqual({ batchItemFailures: [] });
  });

  it('retakes the in-progress mark of an invocation that died, applies the effect again and counts a possible duplicate', async () => {
    const applied: string[] = [];
    const [event] = events(1);
    // an invocation that dies inside its effect: the effect never returns, its deadline (1 ms) passes
    const dying = await consumer(true, () => new Promise<void>(() => undefined));
    void dying.handler(sqsEventOf([event]), lambdaContext(1));
    await expect
      .poll(
        async () => (await dynamoDb.send(new ScanCommand({ TableName: dying.table }))).Items?.[0]?.status?.S,
      )
      .toBe('INPROGRESS');
    const redelivery = await consumer(true, async (id) => void applied.push(id), dying.table);

    const response = await redelivery.handler(sqsEventOf([event]), lambdaContext());

    expect(response).toEqual({ batchItemFailures: [] });
    expect(applied).toEqual([event?.detail.metadata.id]);
    expect(redelivery.warn).toHaveBeenCalledWith(
      expect.stringContaining('Possible duplicate effect'),
      expect.objectContaining({ eventId: event?.detail.metadata.id }),
    );
    expect(redelivery.addMetric).toHaveBeenCalledWith('PossibleDuplicate', 'Count', 1);
  });

  it('counts no possible duplicate for a first delivery or a completed event', async () => {
    const { handler, warn, addMetric } = await consumer(true, async () => undefined);
    const batch = sqsEventOf(events(2));

    await handler(batch, lambdaContext());
    await handler(batch, lambdaContext());

    expect(warn.mock.calls.filter(([m]) => String(m).includes('Possible duplicate'))).toEqual([]);
    expect(addMetric.mock.calls.filter(([name]) => name === 'PossibleDuplicate')).toEqual([]);
  });
});
