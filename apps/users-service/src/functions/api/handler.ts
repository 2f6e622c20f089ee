import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { createTracer, traceInvocation } from '@outboxed/cdk-common/tracing';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { monotonicFactory } from 'ulid';
import { API_ENV, METRICS_NAMESPACE, requiredEnv, SERVICE_NAME } from '../../config';
import { parseCreateUserRequest } from '../../domain/create-user-request';
import type { FieldError } from '../../domain/field-error';
import { isUserId } from '../../domain/user';
import { UsersServiceError } from '../../errors';
import { createUser, DEFAULT_IDEMPOTENCY_TTL_SECONDS, type CreateUserDeps } from './create-user';
import { createUsersOutboxWriter } from '../../table/users-outbox';
import { getUser } from './get-user';
import {
  CORRELATION_ID_HEADER,
  correlationIdOf,
  errorResponse,
  header,
  idempotencyKeyOf,
  jsonResponse,
  readJsonBody,
} from './http';

/** Everything the API handler needs; {@link handler} passes production values, tests pass their own. */
export interface ApiDeps extends CreateUserDeps {
  /** Powertools Logger in production; it receives ids, statuses and field names only. */
  readonly logger: Pick<Logger, 'addContext' | 'appendKeys' | 'removeKeys' | 'info' | 'warn' | 'error'>;
  /** Powertools Metrics in production (`UsersCreated`). */
  readonly metrics: Pick<Metrics, 'addMetric' | 'publishStoredMetrics'>;
  /** Creates a correlation id when the request brings none. */
  readonly newCorrelationId: () => string;
  /**
   * Powertools Tracer in production: the request's ids are annotated on its subsegment (`correlationId`, and
   * `userId` and `eventId` of a created user), never an email or a name. Absent: nothing is annotated.
   */
  readonly tracer?: Pick<Tracer, 'putAnnotation'>;
}

type ApiHandler = (
  event: APIGatewayProxyEventV2,
  context?: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

const USER_PATH = /\/users(?:\/([^/]+))?\/?$/;

/**
 * Creates the users API (API Gateway HTTP API, payload format 2.0): `POST /users` and `GET /users/{id}`.
 * Every answer is JSON and carries `x-correlation-id`; errors are `{ message, errors: [{ field, message }] }`
 * and never contain internal error text. Logs hold ids, statuses and field names only, never emails or names.
 *
 * @example
 * const api = createApiHandler({ ...deps, tableName: 'users' });
 * const response = await api(event);
 */
export function createApiHandler(deps: ApiDeps): ApiHandler {
  return async (event, context) => {
    const { correlationId, received } = correlationIdOf(event, deps.newCorrelationId);
    if (context) deps.logger.addContext(context);
    deps.logger.appendKeys({ correlationId });
    deps.tracer?.putAnnotation('correlationId', correlationId);
    try {
      if (!received && header(event, CORRELATION_ID_HEADER) !== undefined) {
        deps.logger.warn('correlation id header rejected: not a safe token; a new one was created');
      }
      const response = await route(event, correlationId, deps);
      deps.logger.info('request completed', { route: routeOf(event), statusCode: response.statusCode });
      return response;
    } catch (error) {
      deps.logger.error('request failed', {
        route: routeOf(event),
        reason: error instanceof UsersServiceError ? error.message : (error as Error | undefined)?.name,
        // Never the error object itself: Powertools logs every enumerable property, and SDK errors can carry
        // items (a cancelled transaction's CancellationReasons[].Item holds the email and name).
        errorName: (error as Error | undefined)?.name,
      });
      return errorResponse(
        500,
        {
          message:
            'The request could not be completed; retry later, quoting the correlation id if it persists.',
          errors: [],
        },
        correlationId,
      );
    } finally {
      deps.logger.removeKeys(['correlationId']);
    }
  };
}

async function route(
  event: APIGatewayProxyEventV2,
  correlationId: string,
  deps: ApiDeps,
): Promise<APIGatewayProxyStructuredResultV2> {
  const method = event.requestContext.http.method.toUpperCase();
  const match = USER_PATH.exec(event.rawPath ?? '');
  const id = event.pathParameters?.id ?? match?.[1];
  if (method === 'POST' && match !== null && match[1] === undefined)
    return postUser(event, correlationId, deps);
  if (method === 'GET' && id !== undefined) return getUserById(safeDecode(id), correlationId, deps);
  return errorResponse(
    404,
    {
      message: `No route ${method} ${event.rawPath}; this API serves POST /users and GET /users/{id}.`,
      errors: [],
    },
    correlationId,
  );
}

async function postUser(
  event: APIGatewayProxyEventV2,
  correlationId: string,
  deps: ApiDeps,
): Promise<APIGatewayProxyStructuredResultV2> {
  const body = readJsonBody(event);
  if (!body.ok) return reject(body.statusCode, body.message, body.errors, correlationId, deps);
  const parsed = parseCreateUserRequest(body.value);
  const key = idempotencyKeyOf(event);
  const errors = [...(key.ok ? [] : key.errors), ...(parsed.ok ? [] : parsed.errors)];
  if (!parsed.ok || !key.ok)
    return reject(400, 'The request is invalid; see errors for each field.', errors, correlationId, deps);

  const outcome = await createUser(
    {
      request: parsed.value,
      correlationId,
      ...(key.value === undefined ? {} : { idempotencyKey: key.value }),
    },
    deps,
  );
  switch (outcome.kind) {
    case 'created':
      deps.tracer?.putAnnotation('userId', outcome.user.id);
      deps.tracer?.putAnnotation('eventId', outcome.eventId);
      deps.logger.info('user created', {
        userId: outcome.user.id,
        eventId: outcome.eventId,
        idempotent: key.value !== undefined,
      });
      deps.metrics.addMetric('UsersCreated', MetricUnit.Count, 1);
      deps.metrics.publishStoredMetrics(); // only here: publishing with no metric stored logs a warning
      return jsonResponse(201, outcome.user, correlationId, { location: `/users/${outcome.user.id}` });
    case 'replayed':
      deps.logger.info('idempotent retry answered with the stored response', {
        statusCode: outcome.statusCode,
      });
      return jsonResponse(outcome.statusCode, outcome.body, correlationId, {
        'idempotent-replayed': 'true',
        ...locationOf(outcome.body),
      });
    case 'email-taken':
      return reject(
        409,
        'A user with this email is already registered.',
        [{ field: 'email', message: 'email is already registered.' }],
        correlationId,
        deps,
      );
    case 'idempotency-key-reused':
      return reject(
        422,
        'The Idempotency-Key was already used with a different request body.',
        [
          {
            field: 'Idempotency-Key',
            message:
              'Idempotency-Key was already used for a different body; send a new key for a new request, or resend the original body.',
          },
        ],
        correlationId,
        deps,
      );
  }
}

async function getUserById(
  id: string,
  correlationId: string,
  deps: ApiDeps,
): Promise<APIGatewayProxyStructuredResultV2> {
  if (!isUserId(id)) {
    return reject(
      400,
      'The user id is invalid.',
      [{ field: 'id', message: 'id must be a ULID: 26 characters of 0-9 and A-Z without I, L, O, U.' }],
      correlationId,
      deps,
    );
  }
  const user = await getUser(id, deps);
  if (user === undefined)
    return reject(
      404,
      'No user has this id.',
      [{ field: 'id', message: 'id does not name an existing user.' }],
      correlationId,
      deps,
    );
  return jsonResponse(200, user, correlationId);
}

function reject(
  statusCode: number,
  message: string,
  errors: readonly FieldError[],
  correlationId: string,
  deps: ApiDeps,
): APIGatewayProxyStructuredResultV2 {
  deps.logger.info('request rejected', { statusCode, fields: errors.map((error) => error.field) });
  return errorResponse(statusCode, { message, errors }, correlationId);
}

/** A path parameter decoded, or as received when it is not valid percent-encoding (it then fails validation: 400). */
function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function locationOf(body: unknown): Record<string, string> {
  const id = (body as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? { location: `/users/${id}` } : {};
}

function routeOf(event: APIGatewayProxyEventV2): string {
  return event.routeKey ?? `${event.requestContext.http.method} ${event.rawPath}`;
}

// Production wiring: clients are created once, outside the handler, and reused across invocations;
// the environment is read on the first invocation, not at import.
// the function's trace (Tracing: Active): its subsegment per request, the table's calls captured; the outbox writer
// stores the invocation's trace header on the outbox item, so the trace goes on through the bus to each consumer
const tracer = createTracer({ serviceName: SERVICE_NAME });
const dynamoDb = tracer.captureAWSv3Client(new DynamoDBClient({}));
const logger = new Logger({ serviceName: SERVICE_NAME });
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
let production: ApiHandler | undefined;

/**
 * The Lambda entry point of the users API (`POST /users`, `GET /users/{id}`), configured from the environment
 * (`USERS_TABLE_NAME`, optional `IDEMPOTENCY_TTL_SECONDS`).
 *
 * @example new NodejsFunction(this, 'Api', { entry: join(import.meta.dirname, 'handler.ts'), handler: 'handler' });
 */
export const handler: ApiHandler = (event, context) =>
  traceInvocation(tracer, 'api', () => {
    production ??= createApiHandler(productionDeps());
    return production(event, context);
  });

function productionDeps(): ApiDeps {
  const tableName = requiredEnv(API_ENV.tableName);
  const ttl = Number(process.env[API_ENV.idempotencyTtlSeconds] ?? DEFAULT_IDEMPOTENCY_TTL_SECONDS);
  const newUlid = monotonicFactory();
  return {
    dynamoDb,
    tableName,
    outboxWriter: createUsersOutboxWriter(tableName, { dynamoDb }),
    now: () => new Date(),
    newUserId: () => newUlid(),
    idempotencyTtlSeconds: Number.isSafeInteger(ttl) && ttl > 0 ? ttl : DEFAULT_IDEMPOTENCY_TTL_SECONDS,
    logger,
    metrics,
    newCorrelationId: () => randomUUID(),
    tracer,
  };
}
