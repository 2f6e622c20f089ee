import { DynamoDBClient, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { ADA, JSON_HEADERS, parse, post, testApi, useUsersTable } from '../../testing/api-harness';
import { apiEvent, scanTable, type ApiEventOptions } from '../../testing/fixtures';
import { createUsersOutboxWriter } from '../../table/users-outbox';
import { MAX_BODY_BYTES } from './http';

const table = useUsersTable();

/** The API's DynamoDB client and its outbox writer's (which sends the transaction), both on `client`. */
function failingDynamoDb(client: DynamoDBClient) {
  return { dynamoDb: client, outboxWriter: createUsersOutboxWriter(table.tableName, { dynamoDb: client }) };
}

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
      'a locale the published UserCreated schema does not allow (its rule is one of the request schema derived from it)',
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

  it.each(cases.map(([name, options, status, body]) => ({ name, options, status, body })))(
    'guarantee 6: rejects $name with $status naming each field, and writes nothing',
    async ({ options, status, body }) => {
      const { api } = testApi(table);
      await api(post({ email: 'existing@example.com', name: 'Existing' }));
      const before = await scanTable(table.client, table.tableName);

      const response = await api(apiEvent({ method: 'POST', path: '/users', ...options }));

      expect(response.statusCode).toBe(status);
      expect(parse(response)).toEqual(body);
      expect(await scanTable(table.client, table.tableName)).toEqual(before);
    },
  );

  it('guarantee 6: rejects a body without a content type with 415, and writes nothing', async () => {
    const { api } = testApi(table);
    const event = apiEvent({ method: 'POST', path: '/users', body: ADA });
    delete event.headers['content-type'];

    const response = await api(event);

    expect(response.statusCode).toBe(415);
    expect(parse(response)).toEqual({
      message: 'The request body must be JSON.',
      errors: [{ field: 'Content-Type', message: 'Content-Type is required; send application/json.' }],
    });
    expect(await scanTable(table.client, table.tableName)).toEqual([]);
  });

  it('guarantee 6: rejects an email already registered (in any letter case) with 409 inside the transaction, and writes nothing', async () => {
    const { api } = testApi(table);
    await api(post(ADA, { 'x-correlation-id': 'corr-1' }));
    const before = await scanTable(table.client, table.tableName);

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
    expect(await scanTable(table.client, table.tableName)).toEqual(before);
  });

  it('guarantee 6: lets exactly one of two concurrent requests for the same email commit', async () => {
    const { api } = testApi(table);

    const responses = await Promise.all([api(post(ADA)), api(post({ ...ADA, name: 'Ada Twin' }))]);

    expect(responses.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    const items = await scanTable(table.client, table.tableName);
    expect(items.filter((item) => item['itemType'] === 'USER')).toHaveLength(1);
    expect(items.filter((item) => item['itemType'] === 'OUTBOX')).toHaveLength(1);
  });

  it('answers 500 without internal error text when DynamoDB fails, and logs the reason', async () => {
    const failing = new DynamoDBClient(table.ddb.clientConfig);
    mockClient(failing)
      .on(TransactWriteItemsCommand)
      .rejects(new Error('socket hang up at 10.0.0.7: internal detail'));
    const { api, logs } = testApi(table, failingDynamoDb(failing));

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
    expect(await scanTable(table.client, table.tableName)).toEqual([]);
  });

  it('logs no personal data when the failing SDK error carries the stored item', async () => {
    const failing = new DynamoDBClient(table.ddb.clientConfig);
    const carryingItem = Object.assign(new Error('Internal server error'), {
      name: 'InternalServerError',
      CancellationReasons: [
        { Code: 'ConditionalCheckFailed', Item: { email: { S: ADA.email }, name: { S: ADA.name } } },
      ],
    });
    mockClient(failing).on(TransactWriteItemsCommand).rejects(carryingItem);
    const { api, logs } = testApi(table, failingDynamoDb(failing));

    const response = await api(post(ADA));

    expect(response.statusCode).toBe(500);
    expect(logs.find((log) => log.message === 'request failed')?.attributes).toEqual([
      { route: 'POST /users', reason: 'InternalServerError', errorName: 'InternalServerError' },
    ]);
    expect(JSON.stringify(logs)).not.toContain(ADA.email);
    expect(JSON.stringify(logs)).not.toContain(ADA.name);
  });
});
