import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { CONSUMER_ENV } from '@outboxed/consumer-kit';
import { createIdempotencyTable, lambdaContext, sqsEventOf } from '@outboxed/consumer-kit/testing';
import {
  EXAMPLE_USER_ID,
  exampleUserCreatedEvent,
  exampleUserCreatedV1Event,
} from '@outboxed/contracts/testing';
import { sharedDynamoDbLocal } from '@outboxed/dynamodb-local/vitest';
import { startEdge } from '@outboxed/local-aws';
import type { Edge } from '@outboxed/local-aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_ENV } from '../../environment';
import { BY_OCCURRED_ON_INDEX } from './audit-record';
import { createAuditTrailHandler } from './handler';

const RECORDED_AT = new Date('2026-01-15T10:00:01.000Z');
const ID_1 = '01JHB7N9Q3Z5W8X2C4V6T0R1S1';
const ID_2 = '01JHB7N9Q3Z5W8X2C4V6T0R1S2';
const ID_3 = '01JHB7N9Q3Z5W8X2C4V6T0R1S3';

/** A UserCreated event with its own event id and time. */
function userCreated(eventId: string, occurredAt = '2026-01-15T09:59:59.123Z') {
  return exampleUserCreatedEvent({ detail: { metadata: { id: eventId, occurredAt } } });
}

/** The version the producer writes now (what {@link userCreated} carries): any later one reads the same here. */
const LATEST_VERSION = exampleUserCreatedEvent().detail.metadata.version;

/** The audit record the handler must write for {@link userCreated}. */
function expectedRecord(
  eventId: string,
  occurredAt = '2026-01-15T09:59:59.123Z',
  eventVersion = LATEST_VERSION,
) {
  return {
    pk: EXAMPLE_USER_ID,
    sk: `${occurredAt}#${eventId}`,
    occurredOn: occurredAt.slice(0, 10),
    eventId,
    eventType: 'UserCreated',
    eventVersion,
    source: 'outboxed.users',
    occurredAt,
    aggregateId: EXAMPLE_USER_ID,
    sequence: 1,
    correlationId: 'corr-0001',
    recordedAt: RECORDED_AT.toISOString(),
  };
}

describe('audit-trail handler', () => {
  const ddb = sharedDynamoDbLocal();
  let edge: Edge;
  let dynamoDb: DynamoDBClient;
  let documents: DynamoDBDocumentClient;
  let sqs: SQSClient;

  beforeAll(async () => {
    edge = await startEdge();
    dynamoDb = new DynamoDBClient(ddb.clientConfig);
    documents = DynamoDBDocumentClient.from(dynamoDb);
    sqs = new SQSClient({ endpoint: edge.endpoint, region: edge.region, credentials: edge.credentials });
  });
  afterAll(async () => {
    documents.destroy();
    sqs.destroy();
    await edge.stop();
  });

  /** Creates the audit table as the construct deploys it (pk, sk, index byOccurredOn). */
  async function createAuditTable(tableName: string) {
    await dynamoDb.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: 'occurredOn', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: BY_OCCURRED_ON_INDEX,
            KeySchema: [
              { AttributeName: 'occurredOn', KeyType: 'HASH' },
              { AttributeName: 'sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
  }

  /** A fresh audit table, idempotency table and dead-letter queue; `handler()` builds a container over them. */
  async function service() {
    const name = `audit-${randomUUID()}`;
    await Promise.all([createAuditTable(name), createIdempotencyTable(dynamoDb, `${name}-idempotency`)]);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    const handler = (idempotencyTable = `${name}-idempotency`, auditTable = documents) =>
      createAuditTrailHandler({
        env: {
          [CONSUMER_ENV.idempotencyTableName]: idempotencyTable,
          [CONSUMER_ENV.deadLetterQueueUrl]: QueueUrl,
          [AUDIT_ENV.auditTableName]: name,
        },
        dynamoDb,
        sqs,
        auditTable,
        now: () => RECORDED_AT,
        logger: new Logger({ serviceName: 'audit-consumer', logLevel: 'SILENT' }),
      });
    const records = async () => (await documents.send(new ScanCommand({ TableName: name }))).Items ?? [];
    return { name, handler, records, deadLetterQueueUrl: QueueUrl as string };
  }

  it.each([
    ['v1', exampleUserCreatedV1Event({ detail: { metadata: { id: ID_1 } } }), 1],
    ['of the latest version', userCreated(ID_1), LATEST_VERSION],
  ])(
    'appends one audit record, ids and times only, for a UserCreated %s event',
    async (_v, event, version) => {
      const { handler, records } = await service();

      const response = await handler()(sqsEventOf([event]), lambdaContext());

      expect(response).toEqual({ batchItemFailures: [] });
      expect(await records()).toEqual([expectedRecord(ID_1, '2026-01-15T09:59:59.123Z', version)]);
    },
  );

  it('guarantee 3: records an event delivered twice once', async () => {
    const { handler, records } = await service();
    const container = handler();

    await container(sqsEventOf([userCreated(ID_1)], ['message-1']), lambdaContext());
    const second = await container(sqsEventOf([userCreated(ID_1)], ['message-2']), lambdaContext());

    expect(second).toEqual({ batchItemFailures: [] });
    expect(await records()).toEqual([expectedRecord(ID_1)]);
  });

  it('guarantee 3: records an event once even when its idempotency record is gone (the conditional put refuses it)', async () => {
    const { name, handler, records } = await service();
    await createIdempotencyTable(dynamoDb, `${name}-forgotten`);

    await handler()(sqsEventOf([userCreated(ID_1)]), lambdaContext());
    const replayed = await handler(`${name}-forgotten`)(sqsEventOf([userCreated(ID_1)]), lambdaContext());

    expect(replayed).toEqual({ batchItemFailures: [] });
    expect(await records()).toEqual([expectedRecord(ID_1)]);
  });

  it('reports only the record whose put failed, and records it once when SQS redelivers the batch', async () => {
    const { handler, records } = await service();
    const flaky = DynamoDBDocumentClient.from(new DynamoDBClient(ddb.clientConfig));
    let failed = false;
    flaky.middlewareStack.add(
      (next) => async (args) => {
        const item = (args.input as { Item?: { eventId?: string } }).Item;
        if (item?.eventId === ID_2 && !failed) {
          failed = true;
          throw Object.assign(new Error('Throughput exceeds the current capacity.'), {
            name: 'ProvisionedThroughputExceededException',
          });
        }
        return next(args);
      },
      { step: 'initialize' },
    );
    const batch = sqsEventOf([userCreated(ID_1), userCreated(ID_2), userCreated(ID_3)]);
    const container = handler(undefined, flaky);

    const first = await container(batch, lambdaContext());
    const redelivered = await container(batch, lambdaContext());
    flaky.destroy();

    expect(first).toEqual({ batchItemFailures: [{ itemIdentifier: 'message-2' }] });
    expect(redelivered).toEqual({ batchItemFailures: [] });
    expect((await records()).map((r) => r.eventId).sort()).toEqual([ID_1, ID_2, ID_3]);
  });

  it('is queryable by user in time order and by day within a time range', async () => {
    const { name, handler } = await service();
    await handler()(
      sqsEventOf([
        userCreated(ID_3, '2026-01-16T08:00:00.000Z'),
        userCreated(ID_1, '2026-01-15T08:00:00.000Z'),
        userCreated(ID_2, '2026-01-15T12:00:00.000Z'),
      ]),
      lambdaContext(),
    );

    const byUser = await documents.send(
      new QueryCommand({
        TableName: name,
        KeyConditionExpression: 'pk = :user',
        ExpressionAttributeValues: { ':user': EXAMPLE_USER_ID },
      }),
    );
    const byDay = await documents.send(
      new QueryCommand({
        TableName: name,
        IndexName: BY_OCCURRED_ON_INDEX,
        KeyConditionExpression: 'occurredOn = :day AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':day': '2026-01-15', ':from': '2026-01-15T10', ':to': '2026-01-15T23' },
      }),
    );

    expect(byUser.Items?.map((i) => i.eventId)).toEqual([ID_1, ID_2, ID_3]);
    expect(byDay.Items).toEqual([expectedRecord(ID_2, '2026-01-15T12:00:00.000Z')]);
  });

  it('guarantee 5: moves an invalid event to the dead-letter queue at once, records nothing, reports no failure', async () => {
    const { handler, records, deadLetterQueueUrl } = await service();
    const invalid = exampleUserCreatedEvent({ detail: { metadata: { sequence: 0 } } });

    const response = await handler()(sqsEventOf([invalid]), lambdaContext());
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: deadLetterQueueUrl, MessageAttributeNames: ['All'] }),
    );

    expect(response).toEqual({ batchItemFailures: [] });
    expect(await records()).toEqual([]);
    expect(
      Messages?.map((m) => [JSON.parse(m.Body ?? ''), m.MessageAttributes?.['outboxed.rejection-reason']]),
    ).toEqual([[invalid, expect.objectContaining({ DataType: 'String', StringValue: 'ContractViolation' })]]);
  });
});
