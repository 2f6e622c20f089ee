import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
  TestEventPatternCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { findContract, USERS_EVENT_SOURCE, userCreated, type UserCreatedEvent } from '@outboxed/contracts';
import { discoverConsumerPatterns, type ConsumerPattern } from '@outboxed/contracts/testing';
import { sharedDynamoDbLocal } from '@outboxed/dynamodb-local/vitest';
import { compileEventPattern, startEdge, type Edge } from '@outboxed/local-aws';
import { createRelayHandler } from '@outboxed/outbox';
import { OUTBOX_STREAM_FILTER } from '@outboxed/outbox/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARCHIVE_EVENT_PATTERN } from './config';
import { createApiHandler, type ApiDeps } from './functions/api/handler';
import { usersContracts } from './domain/users-contracts';
import { apiEvent, createUsersTable } from './testing/fixtures';
import { readStreamRecords } from './testing/stream';
import { createUsersOutboxWriter } from './table/users-outbox';

const ignore = () => undefined;
const silentLogger = {
  addContext: ignore,
  appendKeys: ignore,
  removeKeys: ignore,
  info: ignore,
  warn: ignore,
  error: ignore,
};
const noMetrics = { addMetric: ignore, publishStoredMetrics: ignore };

const ddb = sharedDynamoDbLocal();
let edge: Edge;
let dynamoDb: DynamoDBClient;
let streams: DynamoDBStreamsClient;
let events: EventBridgeClient;
let sqs: SQSClient;
/** Every consumer's rule pattern, read from the apps' expectations files before the tests are collected. */
const consumers: ConsumerPattern[] = await discoverConsumerPatterns(findWorkspaceRoot());
const ARCHIVE = 'archive';
/** Each consumer's queue, target of a rule on the bus with the consumer's pattern. */
const queueOf = new Map<string, string>();

/** The event one real user's creation produces: API → transaction → stream → relay → bus → each consumer's rule → queue. */
let delivered: Map<string, UserCreatedEvent[]>;
let created: { id: string; email: string; name: string; locale: string; createdAt: string };
let relayResult: unknown;

beforeAll(async () => {
  edge = await startEdge();
  dynamoDb = new DynamoDBClient(ddb.clientConfig);
  streams = new DynamoDBStreamsClient(ddb.clientConfig);
  const edgeConfig = { endpoint: edge.endpoint, region: edge.region, credentials: edge.credentials };
  events = new EventBridgeClient(edgeConfig);
  sqs = new SQSClient(edgeConfig);

  const tableName = `users-${randomUUID()}`;
  await createUsersTable(dynamoDb, tableName);
  await events.send(new CreateEventBusCommand({ Name: 'users-events' }));
  const poison = await sqs.send(new CreateQueueCommand({ QueueName: 'relay-poison' }));
  // The archive's rule receives every users event: the event checked against the schema, consumers or not.
  const rules = [{ consumer: ARCHIVE, pattern: ARCHIVE_EVENT_PATTERN }, ...consumers];
  for (const consumer of rules) {
    const queue = await sqs.send(new CreateQueueCommand({ QueueName: `${consumer.consumer}-queue` }));
    const attributes = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    await events.send(
      new PutRuleCommand({
        Name: consumer.consumer,
        EventBusName: 'users-events',
        EventPattern: JSON.stringify(consumer.pattern),
      }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: consumer.consumer,
        EventBusName: 'users-events',
        Targets: [{ Id: 'queue', Arn: attributes.Attributes?.['QueueArn'] }],
      }),
    );
    queueOf.set(consumer.consumer, queue.QueueUrl ?? '');
  }

  const api = createApiHandler({
    dynamoDb,
    tableName,
    outboxWriter: createUsersOutboxWriter(tableName, { dynamoDb }),
    now: () => new Date(),
    newUserId: () => '01KCPRDVCER00000000000000A',
    idempotencyTtlSeconds: 3600,
    newCorrelationId: () => randomUUID(),
    logger: silentLogger as unknown as ApiDeps['logger'],
    metrics: noMetrics as unknown as ApiDeps['metrics'],
  });
  const response = await api(
    apiEvent({
      method: 'POST',
      path: '/users',
      body: { email: 'ada@example.com', name: 'Ada Lovelace', locale: 'en-GB' },
      headers: { 'x-correlation-id': 'producer-contract' },
    }),
  );
  created = JSON.parse(response.body ?? '{}') as typeof created;

  // What the event source mapping would invoke the relay with: the stream records its filter lets through.
  const filter = compileEventPattern(JSON.stringify(OUTBOX_STREAM_FILTER));
  const records = (await readStreamRecords(dynamoDb, streams, tableName)).filter((record) =>
    filter.matches(record),
  );
  const relay = createRelayHandler(
    { contracts: usersContracts, eventBusName: 'users-events', poisonQueueUrl: poison.QueueUrl ?? '' },
    { eventBridge: events, sqs, logger: silentLogger, metrics: noMetrics },
  );
  relayResult = await relay({ Records: records }, { getRemainingTimeInMillis: () => 30_000 });
  await edge.settle();

  delivered = new Map();
  for (const [consumer, queueUrl] of queueOf) {
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    delivered.set(
      consumer,
      (received.Messages ?? []).map((message) => JSON.parse(message.Body ?? '{}') as UserCreatedEvent),
    );
  }
});

afterAll(async () => {
  for (const client of [dynamoDb, streams, events, sqs]) client?.destroy();
  await edge?.stop();
});

describe('producer contract: UserCreated as the relay publishes it for a really created user', () => {
  it('finds at least one consumer declaring its expectations (apps/*/src/contract-expectations.ts)', () => {
    expect(consumers.map((consumer) => consumer.file)).not.toEqual([]);
  });

  it('publishes the event with no failed record', () => {
    expect(relayResult).toEqual({ batchItemFailures: [] });
  });

  it('validates against the published schema of the latest version, with the user and the correlation id carried', () => {
    const archived = delivered.get(ARCHIVE) ?? [];
    expect(archived).toHaveLength(1);
    const typed = archived[0] as UserCreatedEvent;

    expect(typed.detail.metadata.version).toBe(userCreated.version);
    expect(
      findContract(typed['detail-type'], typed.detail.metadata.version, typed.source)?.validateEvent(typed),
    ).toEqual([]);
    expect(userCreated.validateEvent(typed)).toEqual([]);
    expect({ source: typed.source, detailType: typed['detail-type'], detail: typed.detail }).toEqual({
      source: USERS_EVENT_SOURCE,
      detailType: userCreated.detailType,
      detail: {
        metadata: {
          id: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/),
          type: userCreated.detailType,
          version: userCreated.version,
          occurredAt: created.createdAt,
          aggregateId: created.id,
          sequence: 1,
          correlationId: 'producer-contract',
        },
        data: {
          userId: created.id,
          email: created.email,
          name: created.name,
          locale: created.locale,
          createdAt: created.createdAt,
        },
      },
    });
  });

  it.each(consumers)(
    'guarantee 7: reaches the rule of $consumer ($file) exactly once, readable as the version it reads it as',
    (consumer) => {
      const received = delivered.get(consumer.consumer) ?? [];
      expect(received).toHaveLength(1);
      const event = received[0] as UserCreatedEvent;
      const reader = consumer.readers[`${event.source} ${event['detail-type']}`];
      expect(reader?.validateAsReader(event)).toEqual([]);
    },
  );

  it.each(consumers)(
    "matches the pattern of $consumer by EventBridge's TestEventPattern",
    async (consumer) => {
      const [event] = delivered.get(ARCHIVE) ?? [];

      const result = await events.send(
        new TestEventPatternCommand({
          EventPattern: JSON.stringify(consumer.pattern),
          Event: JSON.stringify(event),
        }),
      );

      expect(result.Result).toBe(true);
    },
  );
});
import { findWorkspaceRoot } from '@outboxed/cdk-common/workspace-root';
