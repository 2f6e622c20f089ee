import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { continueTrace } from '../lambda/trace-header';

/**
 * One route of an HTTP API: its route key and the function its Lambda proxy integration invokes.
 *
 * @example const route: HttpRoute = { routeKey: 'POST /users', functionArn };
 */
export interface HttpRoute {
  /** `POST /users`, `GET /users/{id}`, `ANY /{proxy+}` or `$default`. */
  readonly routeKey: string;
  /** ARN or name of the function. */
  readonly functionArn: string;
}

/**
 * An API Gateway HTTP API as its template defines it.
 *
 * @example await startHttpApi({ apiId: 'abc123', name: 'Users', routes: [{ routeKey: '$default', functionArn }] }, invoke);
 */
export interface HttpApiDefinition {
  readonly apiId: string;
  readonly name: string;
  readonly routes: readonly HttpRoute[];
  /** `$default` serves at `/`; another stage name serves at `/<stage>/`. @default '$default' */
  readonly stageName?: string;
}

/**
 * Invokes a function by ARN and returns its result (throws when the function fails).
 *
 * @example const invoke: InvokeFunction = (arn, event) => registry.invoke(arn, event);
 */
export type InvokeFunction = (functionArn: string, event: unknown) => Promise<unknown>;

/**
 * A running local HTTP API.
 *
 * @example const api = await startHttpApi(definition, invoke); await fetch(`${api.url}users`); await api.stop();
 */
export interface LocalHttpApi {
  readonly url: string;
  readonly port: number;
  /** Requests being answered now. */
  readonly inFlight: number;
  /**
   * Drains, then stops: accepts no new connection, closes idle keep-alive connections, answers the requests in flight
   * (each with `Connection: close`), and after `graceMs` closes whatever is still open.
   */
  stop(graceMs?: number): Promise<void>;
}

/**
 * How long a stopping API waits for the requests in flight. API Gateway's own integration timeout is 30 seconds.
 *
 * @example await api.stop(DEFAULT_DRAIN_GRACE_MS);
 */
export const DEFAULT_DRAIN_GRACE_MS = 30_000;

/**
 * Called once per request with what is safe to log (no bodies, no headers).
 *
 * @example startHttpApi(definition, invoke, { log: (r) => console.log(`${r.method} ${r.path} → ${r.status}`) });
 */
export type RequestLog = (entry: {
  apiName: string;
  method: string;
  path: string;
  status: number;
  ms: number;
  requestId: string;
}) => void;

interface MatchedRoute {
  readonly route: HttpRoute;
  readonly pathParameters?: Record<string, string>;
}

/**
 * Finds the route API Gateway would pick: exact `METHOD /path` first, then templated paths, greedy `{proxy+}` last,
 * `ANY` after the method's own routes, `$default` when nothing else matches.
 *
 * @example matchRoute(routes, 'GET', '/users/42') // { route: 'GET /users/{id}', pathParameters: { id: '42' } }
 */
export function matchRoute(
  routes: readonly HttpRoute[],
  method: string,
  path: string,
): MatchedRoute | undefined {
  const candidates: { route: HttpRoute; params: Record<string, string>; score: number }[] = [];
  for (const route of routes) {
    if (route.routeKey === '$default') continue;
    const [routeMethod = '', routePath = ''] = route.routeKey.split(' ');
    if (routeMethod !== 'ANY' && routeMethod !== method) continue;
    const params = matchPath(routePath, path);
    if (!params) continue;
    const greedy = routePath.includes('+}') ? 1 : 0;
    const templated = (routePath.match(/\{/g) ?? []).length;
    candidates.push({
      route,
      params,
      score: greedy * 1000 + templated * 10 + (routeMethod === 'ANY' ? 1 : 0),
    });
  }
  candidates.sort((a, b) => a.score - b.score);
  const best = candidates[0];
  if (best)
    return {
      route: best.route,
      ...(Object.keys(best.params).length > 0 ? { pathParameters: best.params } : {}),
    };
  const fallback = routes.find((r) => r.routeKey === '$default');
  return fallback ? { route: fallback } : undefined;
}

function matchPath(template: string, path: string): Record<string, string> | undefined {
  const t = template.split('/').filter(Boolean);
  const p = path.split('/').filter(Boolean);
  const params: Record<string, string> = {};
  for (let i = 0; i < t.length; i += 1) {
    const segment = t[i] as string;
    const greedy = /^\{(.+)\+\}$/.exec(segment);
    if (greedy) {
      if (i >= p.length) return undefined;
      params[greedy[1] as string] = p.slice(i).map(decodeURIComponent).join('/');
      return params;
    }
    const value = p[i];
    if (value === undefined) return undefined;
    const param = /^\{(.+)\}$/.exec(segment);
    if (param) params[param[1] as string] = decodeURIComponent(value);
    else if (segment !== value) return undefined;
  }
  return t.length === p.length ? params : undefined;
}

/** A header's value as one string (the first of a repeated header). */
function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

const TEXT_TYPES = /^(text\/|application\/(json|xml|x-www-form-urlencoded|.*\+json|.*\+xml))/;

/**
 * Builds the Lambda proxy integration event, payload format 2.0, as API Gateway sends it.
 *
 * @example const event = toPayloadV2(request, body, { apiId, stage: '$default', routeKey: 'POST /users', domainName: 'localhost:3000' });
 */
export function toPayloadV2(
  request: Pick<IncomingMessage, 'method' | 'url' | 'headers' | 'socket' | 'httpVersion'>,
  body: Buffer,
  info: {
    apiId: string;
    stage: string;
    routeKey: string;
    domainName: string;
    rawPath: string;
    pathParameters?: Record<string, string>;
    requestId: string;
    /** The request's X-Ray trace header (`X-Amzn-Trace-Id`), passed to the integration in `headers`. */
    traceHeader?: string;
  },
): Record<string, unknown> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(request.headers)) {
    if (value !== undefined && key !== 'cookie')
      headers[key.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  if (info.traceHeader !== undefined) headers['x-amzn-trace-id'] = info.traceHeader;
  const cookies = request.headers.cookie?.split(';').map((c) => c.trim());
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams)
    query[key] = query[key] === undefined ? value : `${query[key]},${value}`;
  const contentType = headers['content-type'] ?? '';
  const isText = body.length === 0 || TEXT_TYPES.test(contentType);
  const now = new Date();
  return {
    version: '2.0',
    routeKey: info.routeKey,
    rawPath: info.rawPath,
    rawQueryString: url.search.slice(1),
    ...(cookies ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: info.apiId,
      domainName: info.domainName,
      domainPrefix: info.domainName.split('.')[0],
      http: {
        method: request.method ?? 'GET',
        path: info.rawPath,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: info.requestId,
      routeKey: info.routeKey,
      stage: info.stage,
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(info.pathParameters ? { pathParameters: info.pathParameters } : {}),
    ...(body.length > 0 ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: !isText,
  };
}

/**
 * Turns a function's result into the HTTP response, as API Gateway does for payload format 2.0: a result with
 * `statusCode` is used as is; anything else is a 200 with the result as a JSON body.
 *
 * @example fromPayloadV2({ statusCode: 201, body: '{}' }) // { status: 201, headers: {}, body: Buffer }
 */
export function fromPayloadV2(result: unknown): {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
} {
  if (result !== null && typeof result === 'object' && 'statusCode' in result) {
    const r = result as {
      statusCode: number;
      headers?: Record<string, string>;
      body?: string;
      isBase64Encoded?: boolean;
      cookies?: string[];
    };
    const headers: Record<string, string | string[]> = { ...(r.headers ?? {}) };
    if (r.cookies?.length) headers['set-cookie'] = r.cookies;
    const body = Buffer.from(r.body ?? '', r.isBase64Encoded ? 'base64' : 'utf8');
    return { status: r.statusCode, headers, body };
  }
  const body = typeof result === 'string' ? result : JSON.stringify(result);
  return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body ?? '') };
}

/** A proxied response: what the route's function answered, or API Gateway's own 404 or 500. */
interface ProxyResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

const NOT_FOUND: ProxyResponse = {
  status: 404,
  headers: { 'content-type': 'application/json' },
  body: Buffer.from('{"message":"Not Found"}'),
};

/**
 * Matches a request to its route and invokes the route's function with a payload format 2.0 event: API Gateway's
 * 404 for no route, its 500 for a function that failed.
 */
async function proxy(
  api: { definition: HttpApiDefinition; invoke: InvokeFunction; stage: string; prefix: string },
  request: { req: IncomingMessage; path: string; requestId: string; body: Buffer },
): Promise<ProxyResponse> {
  const { definition, stage, prefix } = api;
  const { req, path, requestId } = request;
  if (path !== prefix && !path.startsWith(`${prefix}/`)) return NOT_FOUND;
  const rawPath = path.slice(prefix.length) || '/';
  const matched = matchRoute(definition.routes, req.method ?? 'GET', rawPath);
  if (!matched) return NOT_FOUND;
  const event = toPayloadV2(req, request.body, {
    apiId: definition.apiId,
    stage,
    routeKey: matched.route.routeKey,
    domainName: req.headers.host ?? 'localhost',
    rawPath: path,
    ...(matched.pathParameters ? { pathParameters: matched.pathParameters } : {}),
    requestId,
    // one trace per request, as a traced API Gateway stage does: the caller's, when it is a valid X-Ray header
    traceHeader: continueTrace(firstHeader(req.headers['x-amzn-trace-id'])),
  });
  try {
    return fromPayloadV2(await api.invoke(matched.route.functionArn, event));
  } catch {
    return { ...NOT_FOUND, status: 500, body: Buffer.from('{"message":"Internal Server Error"}') };
  }
}

/**
 * Serves an HTTP API on 127.0.0.1 with Lambda proxy integrations (payload format 2.0). Hand-written: API Gateway
 * has no local implementation to reuse.
 *
 * @example const api = await startHttpApi(definition, invoke, { port: 3000 }); // api.url = 'http://127.0.0.1:3000/'
 */
export async function startHttpApi(
  definition: HttpApiDefinition,
  invoke: InvokeFunction,
  options: { port?: number; log?: RequestLog } = {},
): Promise<LocalHttpApi> {
  const stage = definition.stageName ?? '$default';
  const prefix = stage === '$default' ? '' : `/${stage}`;
  let inFlight = 0;
  let draining = false;
  const drained = new Set<() => void>();
  const server: Server = createServer((req, res) => {
    inFlight += 1;
    void handle(req, res).finally(() => {
      inFlight -= 1;
      if (inFlight === 0) for (const done of drained) done();
    });
  });
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const started = Date.now();
    const requestId = randomUUID();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const { status, headers, body } = await proxy(
      { definition, invoke, stage, prefix },
      { req, path, requestId, body: Buffer.concat(chunks) },
    );
    res.writeHead(status, {
      ...headers,
      'apigw-requestid': requestId,
      ...(draining ? { connection: 'close' } : {}),
    });
    res.end(body);
    options.log?.({
      apiName: definition.name,
      method: req.method ?? 'GET',
      path,
      status,
      ms: Date.now() - started,
      requestId,
    });
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}${prefix}/`,
    port,
    get inFlight() {
      return inFlight;
    },
    stop: async (graceMs = DEFAULT_DRAIN_GRACE_MS) => {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve) => {
          const done = () => resolve();
          drained.add(done);
          timer = setTimeout(done, graceMs);
        });
        clearTimeout(timer);
      }
      server.closeAllConnections();
      await closed;
    },
  };
}
