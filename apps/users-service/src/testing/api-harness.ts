import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { USERS_EVENT_SOURCE, userCreated } from '@outboxed/contracts';
import { sharedDynamoDbLocal, type SharedDynamoDbLocal } from '@outboxed/dynamodb-local/vitest';
import { DEFAULT_OUTBOX_TTL_SECONDS } from '@outboxed/outbox/testing';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createApiHandler, type ApiDeps } from '../functions/api/handler';
import { emailKey } from '../table/keys';
import { createUsersOutboxWriter } from '../table/users-outbox';
import { apiEvent, createUsersTable, type ApiEventOptions } from './fixtures';

// Test harness of the users API handler: shared by its test files, never imported by production code.

export const NOW = new Date('2026-01-01T00:00:00.000Z');
export const NOW_SECONDS = NOW.getTime() / 1000;
export const ADA = { email: 'ada@example.com', name: 'Ada Lovelace' };
export const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
};

export const userId = (n: number) => `01KC${String(n).padStart(22, '0')}`;
export const eventId = (n: number) => `01KE${String(n).padStart(22, '0')}`;

export interface LogRecord {
  readonly level: string;
  readonly message: string;
  readonly attributes: unknown;
}

/** The run's shared DynamoDB Local and a fresh users table for each test. */
export interface UsersTableHarness {
  readonly ddb: SharedDynamoDbLocal;
  readonly client: DynamoDBClient;
  /** The current test's table (created as the stack defines it). */
  readonly tableName: string;
}

/**
 * Connects to the run's shared DynamoDB Local before the file's tests and creates a fresh users table before each test.
 *
 * @example const table = useUsersTable(); it('…', async () => scanTable(table.client, table.tableName));
 */
export function useUsersTable(): UsersTableHarness {
  const state: { ddb?: SharedDynamoDbLocal; client?: DynamoDBClient; tableName?: string } = {};
  beforeAll(() => {
    state.ddb = sharedDynamoDbLocal();
    state.client = new DynamoDBClient(state.ddb.clientConfig);
  });
  afterAll(() => {
    state.client?.destroy();
  });
  beforeEach(async () => {
    state.tableName = `users-${randomUUID()}`;
    await createUsersTable(state.client as DynamoDBClient, state.tableName);
  });
  return {
    get ddb() {
      return state.ddb as SharedDynamoDbLocal;
    },
    get client() {
      return state.client as DynamoDBClient;
    },
    get tableName() {
      return state.tableName as string;
    },
  };
}

/**
 * The API handler with deps against DynamoDB Local: fixed clock, sequential user and event ids, a recording
 * logger and metrics.
 *
 * @example const { api, logs } = testApi(table);
 */
export function testApi(table: UsersTableHarness, overrides: Partial<ApiDeps> = {}) {
  const { client, tableName } = table;
  const logs: LogRecord[] = [];
  const metrics: string[] = [];
  let users = 0;
  let events = 0;
  const record =
    (level: string) =>
    (message: string, ...attributes: unknown[]) => {
      logs.push({ level, message, attributes });
    };
  const deps: ApiDeps = {
    dynamoDb: client,
    tableName,
    outboxWriter: createUsersOutboxWriter(tableName, {
      dynamoDb: client,
      now: () => NOW,
      newEventId: () => eventId(++events),
      sleep: async () => undefined,
    }),
    now: () => NOW,
    newUserId: () => userId(++users),
    idempotencyTtlSeconds: 3600,
    newCorrelationId: () => 'generated-correlation-id',
    logger: {
      addContext: () => undefined,
      appendKeys: (keys: unknown) => logs.push({ level: 'keys', message: 'appendKeys', attributes: keys }),
      removeKeys: () => undefined,
      info: record('info'),
      warn: record('warn'),
      error: record('error'),
    } as unknown as ApiDeps['logger'],
    metrics: {
      addMetric: (name: string) => metrics.push(name),
      publishStoredMetrics: () => metrics.push('(published)'),
    } as unknown as ApiDeps['metrics'],
    ...overrides,
  };
  return { api: createApiHandler(deps), logs, metrics };
}

export const post = (body: ApiEventOptions['body'], headers: Record<string, string> = {}) =>
  apiEvent({ method: 'POST', path: '/users', body, headers });

export function userItems(
  id: string,
  user: { email: string; name: string; locale?: string },
  correlationId: string,
  event = eventId(1),
) {
  const data = {
    userId: id,
    email: user.email,
    name: user.name,
    createdAt: NOW.toISOString(),
    ...(user.locale ? { locale: user.locale } : {}),
  };
  return [
    { ...emailKey(user.email), itemType: 'EMAIL_UNIQUENESS', userId: id, createdAt: NOW.toISOString() },
    {
      pk: `USER#${id}`,
      sk: `OUTBOX#${event}`,
      itemType: 'OUTBOX',
      eventId: event,
      eventType: userCreated.detailType,
      eventVersion: userCreated.version,
      source: USERS_EVENT_SOURCE,
      occurredAt: NOW.toISOString(),
      aggregateType: 'User',
      aggregateId: id,
      sequence: 1,
      correlationId,
      payload: data,
      ttl: NOW_SECONDS + DEFAULT_OUTBOX_TTL_SECONDS,
    },
    { pk: `USER#${id}`, sk: 'USER', itemType: 'USER', ...data },
  ].sort((a, b) => `${a.pk}|${a.sk}`.localeCompare(`${b.pk}|${b.sk}`));
}

export function parse(response: { body?: string }) {
  return JSON.parse(response.body ?? 'null') as unknown;
}
