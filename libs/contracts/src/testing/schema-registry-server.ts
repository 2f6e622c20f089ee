import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * One stored schema: its versions' contents, oldest first (registry versions 1, 2 …).
 *
 * @example const contents: RegistryContents = { 'outboxed-users': { 'outboxed.users@UserCreated': [v1, v2] } };
 */
export type RegistryContents = Record<string, Record<string, string[]>>;

/**
 * A request the server received: method, path (decoded) and query.
 *
 * @example expect(server.requests[0]).toEqual({ method: 'GET', path: '/v1/registries/name/r/schemas', query: {} });
 */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
}

/**
 * A running in-test Schema Registry.
 *
 * @example const server = await startSchemaRegistryServer(contents); await server.stop();
 */
export interface SchemaRegistryServer {
  readonly endpoint: string;
  readonly requests: RecordedRequest[];
  /** Answer every request with 403 ForbiddenException from now on. */
  denyAccess(): void;
  stop(): Promise<void>;
}

const PAGE_SIZE = 2;

/**
 * A minimal EventBridge Schema Registry REST API (restJson1: ListSchemas, ListSchemaVersions, DescribeSchema, with
 * NextToken paging and NotFound/Forbidden errors) served over HTTP for codegen tests, so the real
 * `@aws-sdk/client-schemas` talks to it unchanged. Hand-written test double: only the read operations codegen
 * uses; it does not check signatures.
 *
 * @example const server = await startSchemaRegistryServer({ 'outboxed-users': { 'outboxed.users@UserCreated': [v1, v2] } });
 */
export async function startSchemaRegistryServer(contents: RegistryContents): Promise<SchemaRegistryServer> {
  const requests: RecordedRequest[] = [];
  let denied = false;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = decodeURIComponent(url.pathname);
    requests.push({ method: req.method ?? 'GET', path, query: Object.fromEntries(url.searchParams) });
    if (denied)
      return error(res, 403, 'ForbiddenException', 'User is not authorized to perform: schemas:ListSchemas');
    route(contents, req, res, path, url.searchParams);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    denyAccess: () => {
      denied = true;
    },
    stop: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

function route(
  contents: RegistryContents,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: URLSearchParams,
): void {
  const match = /^\/v1\/registries\/name\/([^/]+)\/schemas(?:\/name\/([^/]+)(\/versions)?)?$/.exec(path);
  if (req.method !== 'GET' || !match)
    return error(res, 404, 'NotFoundException', `No route ${req.method} ${path}`);
  const [, registryName = '', schemaName, versionsSuffix] = match;
  const registry = contents[registryName];
  if (!registry) return error(res, 404, 'NotFoundException', `Registry ${registryName} does not exist.`);
  const arn = (name: string) => `arn:aws:schemas:us-east-1:123456789012:schema/${registryName}/${name}`;

  if (schemaName === undefined) {
    const prefix = query.get('schemaNamePrefix') ?? '';
    const names = Object.keys(registry)
      .filter((n) => n.startsWith(prefix))
      .sort();
    const start = Number(query.get('nextToken') ?? 0);
    const page = names.slice(start, start + PAGE_SIZE);
    return json(res, {
      Schemas: page.map((n) => ({
        SchemaName: n,
        SchemaArn: arn(n),
        VersionCount: registry[n]?.length ?? 0,
      })),
      ...(start + PAGE_SIZE < names.length ? { NextToken: String(start + PAGE_SIZE) } : {}),
    });
  }
  const versions = registry[schemaName];
  if (!versions) return error(res, 404, 'NotFoundException', `Schema ${schemaName} does not exist.`);
  if (versionsSuffix) {
    return json(res, {
      SchemaVersions: versions.map((_, i) => ({
        SchemaName: schemaName,
        SchemaArn: arn(schemaName),
        SchemaVersion: String(i + 1),
        Type: 'JSONSchemaDraft4',
      })),
    });
  }
  const wanted = query.get('schemaVersion') ?? String(versions.length);
  const content = versions[Number(wanted) - 1];
  if (content === undefined) return error(res, 404, 'NotFoundException', `Version ${wanted} does not exist.`);
  return json(res, {
    Content: content,
    SchemaArn: arn(schemaName),
    SchemaName: schemaName,
    SchemaVersion: wanted,
    Type: 'JSONSchemaDraft4',
  });
}

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function error(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': code });
  res.end(JSON.stringify({ Code: code, Message: message }));
}
