import { afterEach, describe, expect, it } from 'vitest';
import { fromPayloadV2, matchRoute, startHttpApi } from './http-api';
import type { HttpRoute, LocalHttpApi } from './http-api';

const routes: HttpRoute[] = [
  { routeKey: 'POST /users', functionArn: 'create' },
  { routeKey: 'GET /users/{id}', functionArn: 'get' },
  { routeKey: 'GET /users/me', functionArn: 'me' },
  { routeKey: 'ANY /files/{proxy+}', functionArn: 'files' },
  { routeKey: '$default', functionArn: 'fallback' },
];

describe('matchRoute', () => {
  it.each([
    ['POST', '/users', 'create', undefined],
    ['GET', '/users/me', 'me', undefined],
    ['GET', '/users/42', 'get', { id: '42' }],
    ['DELETE', '/files/a/b.txt', 'files', { proxy: 'a/b.txt' }],
    ['GET', '/nothing', 'fallback', undefined],
    ['PUT', '/users', 'fallback', undefined],
  ])('routes %s %s to %s', (method, path, fn, pathParameters) => {
    const matched = matchRoute(routes, method, path);

    expect(matched).toEqual({
      route: routes.find((r) => r.functionArn === fn),
      ...(pathParameters ? { pathParameters } : {}),
    });
  });

  it('matches nothing when there is no $default route', () => {
    expect(matchRoute(routes.slice(0, 2), 'GET', '/nothing')).toBeUndefined();
  });
});

describe('fromPayloadV2', () => {
  it.each([
    ['a proxy result', { statusCode: 201, headers: { a: 'b' }, body: '{"x":1}' }, 201, { a: 'b' }, '{"x":1}'],
    [
      'a base64 body',
      { statusCode: 200, body: Buffer.from('hi').toString('base64'), isBase64Encoded: true },
      200,
      {},
      'hi',
    ],
    ['a plain object', { x: 1 }, 200, { 'content-type': 'application/json' }, '{"x":1}'],
  ])('turns %s into the HTTP response', (_name, result, status, headers, body) => {
    const response = fromPayloadV2(result);

    expect({ ...response, body: response.body.toString('utf8') }).toEqual({ status, headers, body });
  });
});

describe('startHttpApi', () => {
  let api: LocalHttpApi | undefined;
  afterEach(async () => api?.stop());

  it('invokes the route with a payload format 2.0 event and returns its response', async () => {
    const events: Record<string, unknown>[] = [];
    api = await startHttpApi({ apiId: 'abc123', name: 'Users', routes }, async (_fn, event) => {
      events.push(event as Record<string, unknown>);
      return { statusCode: 201, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' };
    });

    const response = await fetch(`${api.url}users/42?a=1&a=2`, {
      method: 'GET',
      headers: { 'x-test': 'yes', cookie: 'c=1' },
    });

    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ ok: true });
    expect(events[0]).toEqual({
      version: '2.0',
      routeKey: 'GET /users/{id}',
      rawPath: '/users/42',
      rawQueryString: 'a=1&a=2',
      cookies: ['c=1'],
      headers: expect.objectContaining({ 'x-test': 'yes', host: `127.0.0.1:${api.port}` }),
      queryStringParameters: { a: '1,2' },
      requestContext: {
        accountId: '000000000000',
        apiId: 'abc123',
        domainName: `127.0.0.1:${api.port}`,
        domainPrefix: '127',
        http: {
          method: 'GET',
          path: '/users/42',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: expect.any(String),
        },
        requestId: expect.any(String),
        routeKey: 'GET /users/{id}',
        stage: '$default',
        time: expect.any(String),
        timeEpoch: expect.any(Number),
      },
      pathParameters: { id: '42' },
      isBase64Encoded: false,
    });
  });

  it('answers 500 Internal Server Error when the function fails, without its error text', async () => {
    api = await startHttpApi({ apiId: 'abc123', name: 'Users', routes }, async () => {
      throw new Error('secret internal detail');
    });

    const response = await fetch(`${api.url}users`, { method: 'POST', body: '{}' });

    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ message: 'Internal Server Error' });
  });

  it('answers 404 Not Found when no route matches', async () => {
    api = await startHttpApi(
      { apiId: 'abc123', name: 'Users', routes: routes.slice(0, 1) },
      async () => null,
    );

    const response = await fetch(`${api.url}nope`);

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: 'Not Found' });
  });
});

describe('startHttpApi stop (drain)', () => {
  it('answers the request in flight, then refuses new connections', async () => {
    let release: () => void = () => undefined;
    let started: () => void = () => undefined;
    const inFunction = new Promise<void>((r) => (started = r));
    const api = await startHttpApi({ apiId: 'drain1', name: 'Users', routes }, async () => {
      started();
      await new Promise<void>((r) => (release = r));
      return { statusCode: 201, body: '{"id":"u1"}' };
    });
    const inFlight = fetch(`${api.url}users`, { method: 'POST', body: '{}' });
    await inFunction;

    const stopped = api.stop();
    expect(api.inFlight).toBe(1);
    await expect(fetch(`${api.url}users`, { method: 'POST', body: '{}' })).rejects.toThrow();
    release();
    const response = await inFlight;
    await stopped;

    expect(response.status).toBe(201);
    expect(response.headers.get('connection')).toBe('close');
    expect(await response.json()).toEqual({ id: 'u1' });
  });

  it('closes a request still running after the grace period', async () => {
    let started: () => void = () => undefined;
    const inFunction = new Promise<void>((r) => (started = r));
    const api = await startHttpApi({ apiId: 'drain2', name: 'Users', routes }, async () => {
      started();
      return new Promise(() => undefined);
    });
    const hanging = fetch(`${api.url}users`, { method: 'POST', body: '{}' });
    await inFunction;

    await api.stop(10);

    await expect(hanging).rejects.toThrow();
  });
});
