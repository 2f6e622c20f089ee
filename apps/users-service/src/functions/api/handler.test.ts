import { randomUUID } from 'node:crypto';
import { DynamoDBClient, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { startDynamoDbLocal, type DynamoDbLocal } from '@outboxed/dynamodb-local';
import { createOutboxWriter, DEFAULT_OUTBOX_TTL_SECONDS } from '@outboxed/outbox';
import { USERS_EVENT_SOURCE, userCreated } from '@outboxed/contracts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiEvent, createUsersTable, scanTable, type ApiEventOptions } from '../../testing/fixtures';
import { ConfigurationError } from '../../errors';
import { emailKey } from '../../table/keys';
import { createApiHandler, handler, type ApiDeps } from './handler';
import { MAX_BODY_BYTES } from './http';

const NOW = new Date('2026-01-01T00:00:00.000Z');
const NOW_SECONDS = NOW.getTime() / 1000;
const ADA = { email: 'ada@example.com', name: 'Ada Lovelace' };
const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

const userId = (n: number) => `01KC${String(n).padStart(22, '0')}`;
const eventId = (n: number) => `01KE${String(n).padStart(22, '0')}`;

interface LogRecord {
  readonly level: string;
  readonly message: string;
  readonly attributes: unknown;
}

let ddb: DynamoDbLocal;
let client: DynamoDBClient;
let tableName: string;

beforeAll(async () => {
  ddb = await startDynamoDbLocal();
  client = new DynamoDBClient(ddb.clientConfig);
});

afterAll(async () => {
  client?.destroy();
  await ddb?.stop();
});

beforeEach(async () => {
  tableName = `users-${randomUUID()}`;
  await createUsersTable(client, tableName);
});

/** Handler deps against DynamoDB Local: fixed clock, sequential user and event ids, a recording logger. */
function testApi(overrides: Partial<ApiDeps> = {}) {
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
    outboxWriter: createOutboxWriter(
      { tableName },
      { dynamoDb: client, now: () => NOW, newEventId: () => eventId(++events) },
    ),
    now: () => NOW,
    newUserId: () => userId(++users),
    idempotencyTtlSeconds: 3600,
    sleep: async () => undefined,
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
      publishStoredMetrics: () => undefined,
    } as unknown as ApiDeps['metrics'],
    ...overrides,
  };
  return { api: createApiHandler(deps), logs, metrics };
}

const post = (body: ApiEventOptions['body'], headers: Record<string, string> = {}) =>
  apiEvent({ method: 'POST', path: '/users', body, headers });

function userItems(
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

function parse(response: { body?: string }) {
  return JSON.parse(response.body ?? 'null') as unknown;
}

describe('POST /users', () => {
  it('guarantee 1: commits the user, its email-uniqueness item and its UserCreated outbox item together', async () => {
    const { api, metrics } = testApi();

    const response = await api(post(ADA, { 'x-correlation-id': 'corr-1' }));

    const user = { id: userId(1), ...ADA, createdAt: NOW.toISOString() };
    expect(response).toEqual({
      statusCode: 201,
      headers: { ...JSON_HEADERS, 'x-correlation-id': 'corr-1', location: `/users/${userId(1)}` },
      body: JSON.stringify(user),
    });
    expect(await scanTable(client, tableName)).toEqual(userItems(userId(1), ADA, 'corr-1'));
    expect(metrics).toEqual(['UsersCreated']);
  });

  it('stores the optional locale, canonicalized, on the user and in the event (UserCreated v2)', async () => {
    const { api } = testApi();

    const response = await api(post({ ...ADA, locale: 'en-gb' }, { 'x-correlation-id': 'corr-1' }));

    expect(parse(response)).toEqual({ id: userId(1), ...ADA, locale: 'en-GB', createdAt: NOW.toISOString() });
    expect(await scanTable(client, tableName)).toEqual(
      userItems(userId(1), { ...ADA, locale: 'en-GB' }, 'corr-1'),
    );
  });

  it('creates a correlation id when the request has none (or an unsafe one) and carries it into the event', async () => {
    const { api } = testApi();

    const response = await api(post(ADA, { 'x-correlation-id': 'has spaces and ; semicolons' }));

    expect(response.headers?.['x-correlation-id']).toBe('generated-correlation-id');
    expect(await scanTable(client, tableName)).toEqual(userItems(userId(1), ADA, 'generated-correlation-id'));
  });

  it('accepts a base64-encoded body and trims the values', async () => {
    const { api } = testApi();
    const body = Buffer.from(
      JSON.stringify({ email: '  ada@example.com ', name: ' Ada Lovelace ' }),
    ).toString('base64');

    const response = await api(apiEvent({ method: 'POST', path: '/users', body, isBase64Encoded: true }));

    expect(response.statusCode).toBe(201);
    expect(parse(response)).toEqual({ id: userId(1), ...ADA, createdAt: NOW.toISOString() });
  });

  it('never logs the email or the name, only ids, statuses and field names', async () => {
    const { api, logs } = testApi();

    await api(post({ ...ADA, locale: 'en' }));
    await api(post({ email: ADA.email, name: 'Ada Again' }));
    await api(post({ email: 'not-an-email', name: 'Secret Name', extra: 'x' }));

    const logged = JSON.stringify(logs);
    for (const secret of [ADA.email, ADA.name, 'Ada Again', 'not-an-email', 'Secret Name']) {
      expect(logged).not.toContain(secret);
    }
    expect(logs.filter((log) => log.message === 'request rejected').map((log) => log.attributes)).toEqual([
      [{ statusCode: 409, fields: ['email'] }],
      [{ statusCode: 400, fields: ['email', 'extra'] }],
    ]);
  });
});

describe('POST /users rejections', () => {
  const oversized = JSON.stringify({ ...ADA, name: 'x'.repeat(MAX_BODY_BYTES) });
  const cases: [string, ApiEventOptions, number, unknown][] = [
    [
      'a body that is not JSON',
      { body: '{"email": "ada@example.com",' },
      400,
      {
        message: 'The request body is not valid JSON.',
        errors: [
          {
            field: 'body',
            message: 'body must be valid JSON (RFC 8259); check quotes, commas and brackets.',
          },
        ],
      },
    ],
    [
      'an empty body',
      { body: '' },
      400,
      {
        message: 'The request body is missing.',
        errors: [{ field: 'body', message: 'body is required: send a JSON object.' }],
      },
    ],
    [
      'a body that is a JSON array',
      { body: [ADA] },
      400,
      {
        message: 'The request is invalid; see errors for each field.',
        errors: [{ field: 'body', message: 'body must be a JSON object, received array.' }],
      },
    ],
    [
      'a body without email and name',
      { body: {} },
      400,
      {
        message: 'The request is invalid; see errors for each field.',
        errors: [
          { field: 'email', message: 'email is required.' },
          { field: 'name', message: 'name is required.' },
        ],
      },
    ],
    [
      'an email that is not an email address',
      { body: { ...ADA, email: 'ada.example.com' } },
      400,
      {
        message: 'The request is invalid; see errors for each field.',
        errors: [{ field: 'email', message: 'email must be an email address such as ada@example.com.' }],
      },
    ],
    [
      'an email that is not a string',
      { body: { ...ADA, email: 42 } },
      400,
      {
        message: 'The request is invalid; see errors for each field.',
        errors: [{ field: 'email', message: 'email must be a string, received number.' }],
      },
    ],
    [
      'an email over 254 characters',
      { body: { ...ADA, email: `${'a'.repeat(250)}@example.com` } },
      400,
      {
        message: 'The request is invalid; see errors for each field.',
        errors: [{ field: 'email', message: 'email must be at most 254 characters.' }],
      },
    ],
    [
      'a blank name',
      { body: { ...ADA, name: '   ' } },
      400,
      {
        message: 'The request is invalid; see errors for each field.',
        errors: [{ field: 'name', message: 'name must not be empty.' }],
      },
    ],
    [
      'a name over 200 characters',
      { body: { ...ADA, name: 'n'.repeat(201) } },
      400,
      {
        message: 'The request is invalid; see errors for each field.',
        errors: [{ field: 'name', message: 'name must be at most 200 characters.' }],
      },
    ],
    [
      'a name with control characters',
      { body: { ...ADA, name: 'Ada\u0000Lovelace' } },
      400,
      {
        message: 'The request is invalid; see errors for each field.',
        errors: [{ field: 'name', message: 'name must not contain control characters.' }],
      },
    ],
    [
      'a locale that is not a language tag',
      { body: { ...ADA, locale: 'english please' } },
      400,
      {
        message: 'The request is invalid; see errors for each field.',
        errors: [{ field: 'locale', message: 'locale must be a BCP 47 language tag such as en or en-GB.' }],
      },
    ],
    [
      'a locale the published UserCreated schema does not allow (checked against the contract before writing)',
      { body: { ...ADA, locale: 'en-US-u-ca-gregory' } },
      400,
      {
        message: 'The request is invalid; see errors for each field.',
        errors: [{ field: 'locale', message: expect.stringMatching(/^locale must match pattern/) }],
      },
    ],
    [
      'unknown fields',
      { body: { ...ADA, role: 'admin', isAdmin: true } },
      400,
      {
        message: 'The request is invalid; see errors for each field.',
        errors: [
          { field: 'role', message: 'role is not a known field; allowed fields are email, name, locale.' },
          {
            field: 'isAdmin',
            message: 'isAdmin is not a known field; allowed fields are email, name, locale.',
          },
        ],
      },
    ],
    [
      'an invalid Idempotency-Key together with an invalid field',
      { body: { ...ADA, name: '' }, headers: { 'idempotency-key': 'k'.repeat(256) } },
      400,
      {
        message: 'The request is invalid; see errors for each field.',
        errors: [
          {
            field: 'Idempotency-Key',
            message:
              'Idempotency-Key must be 1 to 255 visible ASCII characters (a UUID or ULID is a good choice).',
          },
          { field: 'name', message: 'name must not be empty.' },
        ],
      },
    ],
    [
      `a body over ${MAX_BODY_BYTES} bytes`,
      { body: oversized },
      413,
      {
        message: 'The request body is too large.',
        errors: [
          {
            field: 'body',
            message: `body must be at most ${MAX_BODY_BYTES} bytes, received ${Buffer.byteLength(oversized)}.`,
          },
        ],
      },
    ],
    [
      'a text/plain body',
      { body: ADA, headers: { 'content-type': 'text/plain' } },
      415,
      {
        message: 'The request body must be JSON.',
        errors: [
          {
            field: 'Content-Type',
            message: 'Content-Type must be application/json (charset utf-8), received text/plain.',
          },
        ],
      },
    ],
    [
      'a JSON body in another charset',
      { body: ADA, headers: { 'content-type': 'application/json; charset=iso-8859-1' } },
      415,
      {
        message: 'The request body must be JSON.',
        errors: [
          {
            field: 'Content-Type',
            message:
              'Content-Type must be application/json (charset utf-8), received application/json; charset=iso-8859-1.',
          },
        ],
      },
    ],
  ];

  it.each(cases)(
    'guarantee 6: rejects %s with %i naming each field, and writes nothing',
    async (_, options, status, body) => {
      const { api } = testApi();
      await api(post({ email: 'existing@example.com', name: 'Existing' }));
      const before = await scanTable(client, tableName);

      const response = await api(apiEvent({ method: 'POST', path: '/users', ...options }));

      expect(response.statusCode).toBe(status);
      expect(parse(response)).toEqual(body);
      expect(await scanTable(client, tableName)).toEqual(before);
    },
  );

  it('guarantee 6: rejects a body without a content type with 415, and writes nothing', async () => {
    const { api } = testApi();
    const event = apiEvent({ method: 'POST', path: '/users', body: ADA });
    delete event.headers['content-type'];

    const response = await api(event);

    expect(response.statusCode).toBe(415);
    expect(parse(response)).toEqual({
      message: 'The request body must be JSON.',
      errors: [{ field: 'Content-Type', message: 'Content-Type is required; send application/json.' }],
    });
    expect(await scanTable(client, tableName)).toEqual([]);
  });

  it('guarantee 6: rejects an email already registered (in any letter case) with 409 inside the transaction, and writes nothing', async () => {
    const { api } = testApi();
    await api(post(ADA, { 'x-correlation-id': 'corr-1' }));
    const before = await scanTable(client, tableName);

    const response = await api(
      post({ email: 'ADA@Example.COM', name: 'Someone Else' }, { 'x-correlation-id': 'corr-2' }),
    );

    expect(response).toEqual({
      statusCode: 409,
      headers: { ...JSON_HEADERS, 'x-correlation-id': 'corr-2' },
      body: JSON.stringify({
        message: 'A user with this email is already registered.',
        errors: [{ field: 'email', message: 'email is already registered.' }],
      }),
    });
    expect(await scanTable(client, tableName)).toEqual(before);
  });

  it('guarantee 6: lets exactly one of two concurrent requests for the same email commit', async () => {
    const { api } = testApi();

    const responses = await Promise.all([api(post(ADA)), api(post({ ...ADA, name: 'Ada Twin' }))]);

    expect(responses.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    const items = await scanTable(client, tableName);
    expect(items.filter((item) => item['itemType'] === 'USER')).toHaveLength(1);
    expect(items.filter((item) => item['itemType'] === 'OUTBOX')).toHaveLength(1);
  });

  it('answers 500 without internal error text when DynamoDB fails, and logs the reason', async () => {
    const failing = new DynamoDBClient(ddb.clientConfig);
    mockClient(failing)
      .on(TransactWriteItemsCommand)
      .rejects(new Error('socket hang up at 10.0.0.7: internal detail'));
    const { api, logs } = testApi({ dynamoDb: failing });

    const response = await api(post(ADA, { 'x-correlation-id': 'corr-1' }));

    expect(response).toEqual({
      statusCode: 500,
      headers: { ...JSON_HEADERS, 'x-correlation-id': 'corr-1' },
      body: JSON.stringify({
        message:
          'The request could not be completed; retry later, quoting the correlation id if it persists.',
        errors: [],
      }),
    });
    expect(logs.filter((log) => log.level === 'error').map((log) => log.message)).toEqual(['request failed']);
    expect(await scanTable(client, tableName)).toEqual([]);
  });
});

describe('POST /users with Idempotency-Key', () => {
  it('answers a retry with the same key and body with the first response, and creates no second user', async () => {
    const { api } = testApi();
    const first = await api(post(ADA, { 'idempotency-key': 'key-1', 'x-correlation-id': 'corr-1' }));
    const afterFirst = await scanTable(client, tableName);

    const retry = await api(
      post(
        { name: ` ${ADA.name}`, email: ADA.email },
        { 'idempotency-key': 'key-1', 'x-correlation-id': 'corr-2' },
      ),
    );

    expect(first.statusCode).toBe(201);
    expect(retry).toEqual({
      statusCode: 201,
      headers: {
        ...JSON_HEADERS,
        'x-correlation-id': 'corr-2',
        location: `/users/${userId(1)}`,
        'idempotent-replayed': 'true',
      },
      body: first.body,
    });
    expect(await scanTable(client, tableName)).toEqual(afterFirst);
    expect(afterFirst).toEqual(
      [
        ...userItems(userId(1), ADA, 'corr-1'),
        {
          pk: 'IDEMPOTENCY#key-1',
          sk: 'IDEMPOTENCY',
          itemType: 'IDEMPOTENCY',
          requestHash: expect.stringMatching(/^[0-9a-f]{64}$/),
          statusCode: 201,
          responseBody: first.body,
          createdAt: NOW.toISOString(),
          ttl: NOW_SECONDS + 3600,
        },
      ].sort((a, b) => `${a.pk}|${a.sk}`.localeCompare(`${b.pk}|${b.sk}`)),
    );
  });

  it('guarantee 6: rejects the same key with a different body with 422, and writes nothing', async () => {
    const { api } = testApi();
    await api(post(ADA, { 'idempotency-key': 'key-1' }));
    const before = await scanTable(client, tableName);

    const response = await api(
      post(
        { email: 'grace@example.com', name: 'Grace Hopper' },
        { 'idempotency-key': 'key-1', 'x-correlation-id': 'c' },
      ),
    );

    expect(response).toEqual({
      statusCode: 422,
      headers: { ...JSON_HEADERS, 'x-correlation-id': 'c' },
      body: JSON.stringify({
        message: 'The Idempotency-Key was already used with a different request body.',
        errors: [
          {
            field: 'Idempotency-Key',
            message:
              'Idempotency-Key was already used for a different body; send a new key for a new request, or resend the original body.',
          },
        ],
      }),
    });
    expect(await scanTable(client, tableName)).toEqual(before);
  });

  it('answers concurrent retries with the same key with the same user', async () => {
    const { api } = testApi();

    const responses = await Promise.all([1, 2, 3].map(() => api(post(ADA, { 'idempotency-key': 'key-1' }))));

    expect(responses.map((r) => [r.statusCode, r.body])).toEqual(
      responses.map(() => [201, responses[0]?.body]),
    );
    const items = await scanTable(client, tableName);
    expect(items.filter((item) => item['itemType'] === 'USER')).toHaveLength(1);
    expect(items.filter((item) => item['itemType'] === 'OUTBOX')).toHaveLength(1);
  });

  it('treats an expired idempotency record that TTL has not deleted yet as absent', async () => {
    let now = NOW;
    const { api } = testApi({ now: () => now });
    await api(post(ADA, { 'idempotency-key': 'key-1' }));

    now = new Date(NOW.getTime() + 3601_000);
    const response = await api(
      post({ email: 'grace@example.com', name: 'Grace Hopper' }, { 'idempotency-key': 'key-1' }),
    );

    expect(response.statusCode).toBe(201);
    expect(parse(response)).toEqual({
      id: userId(2),
      email: 'grace@example.com',
      name: 'Grace Hopper',
      createdAt: now.toISOString(),
    });
  });
});

describe('GET /users/{id}', () => {
  it('returns the user created by POST /users', async () => {
    const { api } = testApi();
    const created = await api(post({ ...ADA, locale: 'fr' }));

    const response = await api(
      apiEvent({ method: 'GET', path: `/users/${userId(1)}`, headers: { 'x-correlation-id': 'c' } }),
    );

    expect(response).toEqual({
      statusCode: 200,
      headers: { ...JSON_HEADERS, 'x-correlation-id': 'c' },
      body: created.body,
    });
  });

  it.each([
    [
      'an id no user has',
      userId(99),
      404,
      {
        message: 'No user has this id.',
        errors: [{ field: 'id', message: 'id does not name an existing user.' }],
      },
    ],
    [
      'an id that is not a ULID',
      'not-a-ulid',
      400,
      {
        message: 'The user id is invalid.',
        errors: [
          { field: 'id', message: 'id must be a ULID: 26 characters of 0-9 and A-Z without I, L, O, U.' },
        ],
      },
    ],
  ])('answers %s with %i', async (_, id, status, body) => {
    const { api } = testApi();

    const response = await api(apiEvent({ method: 'GET', path: `/users/${id}` }));

    expect(response.statusCode).toBe(status);
    expect(parse(response)).toEqual(body);
  });

  it('answers an unknown route with 404 naming the routes it serves', async () => {
    const { api } = testApi();

    const response = await api(apiEvent({ method: 'DELETE', path: `/users/${userId(1)}` }));

    expect(response.statusCode).toBe(404);
    expect(parse(response)).toEqual({
      message: `No route DELETE /users/${userId(1)}; this API serves POST /users and GET /users/{id}.`,
      errors: [],
    });
  });
});

describe('handler (production wiring)', () => {
  it('fails its invocation naming USERS_TABLE_NAME when the table is not configured', async () => {
    const saved = process.env['USERS_TABLE_NAME'];
    delete process.env['USERS_TABLE_NAME'];

    await expect(handler(post(ADA))).rejects.toThrow(
      new ConfigurationError(
        'Environment variable USERS_TABLE_NAME is not set. The stack sets it on the function; set it when running locally.',
      ),
    );
    if (saved !== undefined) process.env['USERS_TABLE_NAME'] = saved;
  });
});
