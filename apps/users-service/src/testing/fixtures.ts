import {
  CreateTableCommand,
  ScanCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { usersTableCreateInput } from '../table/create-table-input';

/** What {@link apiEvent} varies; everything else is a plausible HTTP API payload v2 event. */
export interface ApiEventOptions {
  readonly method?: string;
  readonly path?: string;
  readonly body?: string | object;
  readonly headers?: Record<string, string>;
  readonly isBase64Encoded?: boolean;
}

/**
 * An API Gateway HTTP API (payload format 2.0) event as the users API receives it. `body` objects are
 * JSON-encoded; the content type defaults to `application/json` for POSTs.
 *
 * @example const event = apiEvent({ method: 'POST', path: '/users', body: { email, name } });
 */
export function apiEvent(options: ApiEventOptions = {}): APIGatewayProxyEventV2 {
  const method = options.method ?? 'POST';
  const path = options.path ?? '/users';
  const id = /^\/users\/([^/]+)$/.exec(path)?.[1];
  const routeKey = id === undefined ? `${method} /users` : `${method} /users/{id}`;
  const headers = {
    ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
    ...options.headers,
  };
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers,
    ...(id === undefined ? {} : { pathParameters: { id } }),
    requestContext: {
      accountId: '000000000000',
      apiId: 'api',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'vitest' },
      requestId: 'request-1',
      routeKey,
      stage: '$default',
      time: '01/Jan/2026:00:00:00 +0000',
      timeEpoch: 1_767_225_600_000,
    },
    ...(options.body === undefined
      ? {}
      : { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }),
    isBase64Encoded: options.isBase64Encoded ?? false,
  };
}

/**
 * Creates the users table, as the stack defines it, under `tableName`.
 *
 * @example await createUsersTable(client, `users-${randomUUID()}`);
 */
export async function createUsersTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(new CreateTableCommand(usersTableCreateInput(tableName)));
}

/**
 * Every item of the table (unmarshalled), sorted by `pk` then `sk`, for whole-table assertions.
 *
 * @example expect(await scanTable(client, tableName)).toEqual(before);
 */
export async function scanTable(
  client: DynamoDBClient,
  tableName: string,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: startKey }),
    );
    items.push(...(page.Items ?? []).map((item) => unmarshall(item)));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items.sort((a, b) =>
    `${String(a['pk'])}|${String(a['sk'])}`.localeCompare(`${String(b['pk'])}|${String(b['sk'])}`),
  );
}
