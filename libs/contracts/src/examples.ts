import { USER_CREATED_DETAIL_TYPE, USERS_EVENT_SOURCE } from './constants.ts';
import { userCreated } from './user-created.ts';
import type { UserCreatedDetail, UserCreatedEvent } from './user-created.ts';
import type { ContractViolation } from './validation.ts';

/**
 * Overrides for an example: any nested field may be given; `undefined` removes the field.
 *
 * @example const overrides: ExampleOverrides<UserCreatedEvent> = { detail: { data: { locale: undefined } } };
 */
export type ExampleOverrides<T> = {
  [K in keyof T]?: T[K] extends readonly unknown[]
    ? T[K]
    : T[K] extends object
      ? ExampleOverrides<T[K]>
      : T[K];
};

/**
 * The user id (a ULID) of every example event.
 *
 * @example expect(event.detail.data.userId).toBe(EXAMPLE_USER_ID);
 */
export const EXAMPLE_USER_ID = '01JHB7N9Q3Z5W8X2C4V6T0R1SA';
/**
 * The `detail.metadata.id` (a ULID) of every example event.
 *
 * @example expect(processedIds).toEqual([EXAMPLE_EVENT_ID]);
 */
export const EXAMPLE_EVENT_ID = '01JHB7N9Q3Z5W8X2C4V6T0R1SM';

/**
 * A valid `detail` of the latest UserCreated version, with fixed values (so tests can assert whole outputs),
 * merged with `overrides`.
 *
 * @example const detail = exampleUserCreatedDetail({ data: { email: 'grace@example.com' } });
 */
export function exampleUserCreatedDetail(
  overrides: ExampleOverrides<UserCreatedDetail> = {},
): UserCreatedDetail {
  const base: UserCreatedDetail = {
    metadata: {
      id: EXAMPLE_EVENT_ID,
      type: USER_CREATED_DETAIL_TYPE,
      version: userCreated.version,
      occurredAt: '2026-01-15T09:59:59.123Z',
      aggregateId: EXAMPLE_USER_ID,
      sequence: 1,
      correlationId: 'corr-0001',
    },
    data: {
      userId: EXAMPLE_USER_ID,
      email: 'ada@example.com',
      name: 'Ada Lovelace',
      createdAt: '2026-01-15T09:59:59.123Z',
      locale: 'en-GB',
    },
  };
  return merge(base, overrides);
}

/**
 * A valid whole EventBridge event of the latest UserCreated version, with fixed values, merged with `overrides`.
 *
 * @example const event = exampleUserCreatedEvent({ detail: { metadata: { sequence: 2 } } });
 */
export function exampleUserCreatedEvent(
  overrides: ExampleOverrides<UserCreatedEvent> = {},
): UserCreatedEvent {
  const base: UserCreatedEvent = {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': USER_CREATED_DETAIL_TYPE,
    source: USERS_EVENT_SOURCE,
    account: '123456789012',
    time: '2026-01-15T10:00:00Z',
    region: 'eu-west-1',
    resources: [],
    detail: exampleUserCreatedDetail(),
  };
  return merge(base, overrides);
}

/**
 * A valid UserCreated v1 event (no `data.locale`, `metadata.version` 1), merged with `overrides`.
 *
 * @example userCreatedV1.parseEvent(exampleUserCreatedV1Event());
 */
export function exampleUserCreatedV1Event(
  overrides: ExampleOverrides<UserCreatedEvent> = {},
): UserCreatedEvent {
  return merge(
    exampleUserCreatedEvent({ detail: { metadata: { version: 1 }, data: { locale: undefined } } }),
    overrides,
  );
}

/**
 * An invalid UserCreated event and exactly the violations validating it must report.
 *
 * @example for (const { event, violations } of invalidUserCreatedExamples) expect(userCreated.validateEvent(event)).toEqual(violations);
 */
export interface InvalidExample {
  readonly name: string;
  readonly event: unknown;
  readonly violations: readonly ContractViolation[];
}

const ULID_PATTERN = 'must match pattern "^[0-9A-HJKMNP-TV-Z]{26}$"';

/**
 * Invalid UserCreated events (latest version), one per kind of violation, each with the exact violations it
 * must produce. Producer and consumer tests use them to prove bad events are rejected with their reasons.
 *
 * @example it.each(invalidUserCreatedExamples)('rejects $name', ({ event, violations }) => { … });
 */
export const invalidUserCreatedExamples: readonly InvalidExample[] = [
  {
    name: 'an event without data.email',
    event: exampleUserCreatedEvent({ detail: { data: { email: undefined } } }),
    violations: [{ path: 'detail.data.email', message: 'is required' }],
  },
  {
    name: 'an email that is not an email',
    event: exampleUserCreatedEvent({ detail: { data: { email: 'not-an-email' } } }),
    violations: [
      {
        path: 'detail.data.email',
        message: 'must match format "email" (received a string of 12 characters)',
      },
    ],
  },
  {
    name: 'a userId that is not a ULID',
    event: exampleUserCreatedEvent({ detail: { data: { userId: 'user-1' } } }),
    violations: [
      { path: 'detail.data.userId', message: `${ULID_PATTERN} (received a string of 6 characters)` },
    ],
  },
  {
    name: 'an empty name',
    event: exampleUserCreatedEvent({ detail: { data: { name: '' } } }),
    violations: [
      {
        path: 'detail.data.name',
        message: 'must NOT have fewer than 1 characters (received a string of 0 characters)',
      },
    ],
  },
  {
    name: 'a field data does not declare (closed content model)',
    event: merge(exampleUserCreatedEvent(), {
      detail: { data: { passwordHash: 'x' } },
    } as ExampleOverrides<UserCreatedEvent>),
    violations: [
      {
        path: 'detail.data.passwordHash',
        message: 'is not allowed (closed content model: the schema lists every field this object may carry)',
      },
    ],
  },
  {
    name: 'a sequence below 1',
    event: exampleUserCreatedEvent({ detail: { metadata: { sequence: 0 } } }),
    violations: [{ path: 'detail.metadata.sequence', message: 'must be >= 1 (received the integer 0)' }],
  },
  {
    name: 'a version that is not an integer',
    event: exampleUserCreatedEvent({ detail: { metadata: { version: 2.5 } } }),
    violations: [{ path: 'detail.metadata.version', message: 'must be integer (received the number 2.5)' }],
  },
  {
    name: 'an occurredAt that is not a date-time',
    event: exampleUserCreatedEvent({ detail: { metadata: { occurredAt: '15/01/2026' } } }),
    violations: [
      {
        path: 'detail.metadata.occurredAt',
        message: 'must match format "date-time" (received a string of 10 characters)',
      },
    ],
  },
  {
    name: 'another source',
    event: exampleUserCreatedEvent({ source: 'outboxed.orders' as 'outboxed.users' }),
    violations: [
      {
        path: 'source',
        message: 'must be equal to one of the allowed values (received a string of 15 characters)',
      },
    ],
  },
  {
    name: 'an event without detail.metadata.id and with a bad email (every violation reported)',
    event: exampleUserCreatedEvent({ detail: { metadata: { id: undefined }, data: { email: 'nope' } } }),
    violations: [
      { path: 'detail.metadata.id', message: 'is required' },
      { path: 'detail.data.email', message: 'must match format "email" (received a string of 4 characters)' },
    ],
  },
];

function merge<T>(base: T, overrides: unknown): T {
  if (!isPlainObject(base) || !isPlainObject(overrides))
    return (overrides === undefined ? base : overrides) as T;
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete result[key];
    else result[key] = isPlainObject(value) && isPlainObject(result[key]) ? merge(result[key], value) : value;
  }
  return result as T;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
