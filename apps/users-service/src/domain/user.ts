import type { CreateUserRequest } from './create-user-request';

/**
 * A user as the API returns it (`POST /users` 201, `GET /users/{id}` 200).
 *
 * @example const user: User = { id: '01J…', email: 'ada@example.com', name: 'Ada', createdAt: '2026-01-01T00:00:00.000Z' };
 */
export interface User {
  /** ULID. */
  readonly id: string;
  readonly email: string;
  readonly name: string;
  /** BCP 47 tag, present when the user gave one. */
  readonly locale?: string;
  /** ISO 8601 instant the user was created. */
  readonly createdAt: string;
}

/**
 * The user a validated request creates.
 *
 * @example const user = newUser(request, ulid(), new Date());
 */
export function newUser(request: CreateUserRequest, id: string, now: Date): User {
  return {
    id,
    email: request.email,
    name: request.name,
    ...(request.locale ? { locale: request.locale } : {}),
    createdAt: now.toISOString(),
  };
}

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/**
 * Whether `value` is a ULID (26 Crockford base-32 characters, upper case), the form of every user id.
 *
 * @example isUserId('01ARZ3NDEKTSV4RRFFQ69G5FAV') // true
 */
export function isUserId(value: string): boolean {
  return ULID.test(value);
}
