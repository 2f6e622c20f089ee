import { USERS_EVENT_SOURCE } from '@outboxed/contracts';
import { ConfigurationError } from './errors';

/**
 * Names of the environment variables the users service's functions read, in one place: the stack sets them,
 * the handlers read them. No aws-cdk-lib import, so handlers can use it.
 *
 * @example environment: { [API_ENV.tableName]: table.tableName }
 */
export const API_ENV = {
  /** Name of the users table (users, email-uniqueness, idempotency and outbox items). */
  tableName: 'USERS_TABLE_NAME',
  /** How long an idempotency record is kept, in seconds. */
  idempotencyTtlSeconds: 'IDEMPOTENCY_TTL_SECONDS',
} as const;

/**
 * The pattern of the bus archive: every event of the users service, whatever its type, for replay.
 *
 * @example new Archive(this, 'Archive', { sourceEventBus: bus, eventPattern: ARCHIVE_EVENT_PATTERN });
 */
export const ARCHIVE_EVENT_PATTERN = { source: [USERS_EVENT_SOURCE] };

/**
 * Service name used by Powertools Logger and Metrics.
 *
 * @example new Logger({ serviceName: SERVICE_NAME });
 */
export const SERVICE_NAME = 'users-service';

/**
 * Metrics namespace of the users service.
 *
 * @example new Metrics({ namespace: METRICS_NAMESPACE });
 */
export const METRICS_NAMESPACE = 'Outboxed/Users';

/**
 * Reads a required environment variable, or throws an error naming it.
 *
 * @example const tableName = requiredEnv(API_ENV.tableName);
 */
export function requiredEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new ConfigurationError(
      `Environment variable ${name} is not set. The stack sets it on the function; set it when running locally.`,
    );
  }
  return value;
}
