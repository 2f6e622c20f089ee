import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../errors';
import {
  ADA,
  JSON_HEADERS,
  NOW,
  NOW_SECONDS,
  parse,
  post,
  testApi,
  userId,
  userItems,
  useUsersTable,
} from '../../testing/api-harness';
import { apiEvent, scanTable } from '../../testing/fixtures';
import { handler } from './handler';

const table = useUsersTable();

describe('POST /users', () => {
  it('guarantee 1: commits the user, its email-uniqueness item and its UserCreated outbox item together', async () => {
    const { api, metrics } = testApi(table);

    const response = await api(post(ADA, { 'x-correlation-id': 'corr-1' }));

    const user = { id: userId(1), ...ADA, createdAt: NOW.toISOString() };
    expect(response).toEqual({
      statusCode: 201,
      headers: { ...JSON_HEADERS, 'x-correlation-id': 'corr-1', location: `/users/${userId(1)}` },
      body: JSON.stringify(user),
    });
    expect(await scanTable(table.client, table.tableName)).toEqual(userItems(userId(1), ADA, 'corr-1'));
    expect(metrics).toEqual(['UsersCreated', '(published)']);
  });

  it('stores the optional locale, canonicalized, on the user and in the event (UserCreated v2)', async () => {
    const { api } = testApi(table);

    const response = await api(post({ ...ADA, locale: 'en-gb' }, { 'x-correlation-id': 'corr-1' }));

    expect(parse(response)).toEqual({ id: userId(1), ...ADA, locale: 'en-GB', createdAt: NOW.toISOString() });
    expect(await scanTable(table.client, table.tableName)).toEqual(
      userItems(userId(1), { ...ADA, locale: 'en-GB' }, 'corr-1'),
    );
  });

  it('creates a correlation id when the request has none (or an unsafe one) and carries it into the event', async () => {
    const { api } = testApi(table);

    const response = await api(post(ADA, { 'x-correlation-id': 'has spaces and ; semicolons' }));

    expect(response.headers?.['x-correlation-id']).toBe('generated-correlation-id');
    expect(await scanTable(table.client, table.tableName)).toEqual(
      userItems(userId(1), ADA, 'generated-correlation-id'),
    );
  });

  it('accepts a base64-encoded body and trims the values', async () => {
    const { api } = testApi(table);
    const body = Buffer.from(
      JSON.stringify({ email: '  ada@example.com ', name: ' Ada Lovelace ' }),
    ).toString('base64');

    const response = await api(apiEvent({ method: 'POST', path: '/users', body, isBase64Encoded: true }));

    expect(response.statusCode).toBe(201);
    expect(parse(response)).toEqual({ id: userId(1), ...ADA, createdAt: NOW.toISOString() });
  });

  it('never logs the email or the name, only ids, statuses and field names', async () => {
    const { api, logs } = testApi(table);

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

  it("annotates the request's trace with its ids only: correlation id, and the created user's and event's ids", async () => {
    const annotations: [string, unknown][] = [];
    const { api } = testApi(table, {
      tracer: { putAnnotation: (key: string, value: unknown) => void annotations.push([key, value]) },
    });

    await api(post(ADA, { 'x-correlation-id': 'corr-traced' }));
    await api(post({ email: 'not-an-email', name: 'Secret Name' }, { 'x-correlation-id': 'corr-rejected' }));

    const [outbox] = (await scanTable(table.client, table.tableName)).filter(
      (i) => i['itemType'] === 'OUTBOX',
    );
    expect(annotations).toEqual([
      ['correlationId', 'corr-traced'],
      ['userId', userId(1)],
      ['eventId', outbox?.['eventId']],
      ['correlationId', 'corr-rejected'],
    ]);
  });
});

describe('POST /users with Idempotency-Key', () => {
  it('answers a retry with the same key and body with the first response, and creates no second user', async () => {
    const { api } = testApi(table);
    const first = await api(post(ADA, { 'idempotency-key': 'key-1', 'x-correlation-id': 'corr-1' }));
    const afterFirst = await scanTable(table.client, table.tableName);

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
    expect(await scanTable(table.client, table.tableName)).toEqual(afterFirst);
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
    const { api } = testApi(table);
    await api(post(ADA, { 'idempotency-key': 'key-1' }));
    const before = await scanTable(table.client, table.tableName);

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
    expect(await scanTable(table.client, table.tableName)).toEqual(before);
  });

  it('answers concurrent retries with the same key with the same user', async () => {
    const { api } = testApi(table);

    const responses = await Promise.all([1, 2, 3].map(() => api(post(ADA, { 'idempotency-key': 'key-1' }))));

    expect(responses.map((r) => [r.statusCode, r.body])).toEqual(
      responses.map(() => [201, responses[0]?.body]),
    );
    const items = await scanTable(table.client, table.tableName);
    expect(items.filter((item) => item['itemType'] === 'USER')).toHaveLength(1);
    expect(items.filter((item) => item['itemType'] === 'OUTBOX')).toHaveLength(1);
  });

  it('treats an expired idempotency record that TTL has not deleted yet as absent', async () => {
    let now = NOW;
    const { api } = testApi(table, { now: () => now });
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
    const { api } = testApi(table);
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
      'an id that is not valid percent-encoding',
      '%E0%A4%A',
      400,
      {
        message: 'The user id is invalid.',
        errors: [
          { field: 'id', message: 'id must be a ULID: 26 characters of 0-9 and A-Z without I, L, O, U.' },
        ],
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
  ])('answers %s (%s) with %i', async (_, id, status, body) => {
    const { api } = testApi(table);

    const response = await api(apiEvent({ method: 'GET', path: `/users/${id}` }));

    expect(response.statusCode).toBe(status);
    expect(parse(response)).toEqual(body);
  });

  it('answers an unknown route with 404 naming the routes it serves', async () => {
    const { api } = testApi(table);

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
