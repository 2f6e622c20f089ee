import * as z from 'zod';
import type { FieldError, Validated } from './field-error';

/**
 * Longest email address accepted (RFC 5321's path limit).
 *
 * @example email.length <= MAX_EMAIL_LENGTH
 */
export const MAX_EMAIL_LENGTH = 254;
/**
 * Longest display name accepted, in UTF-16 code units, after trimming (the contract's `maxLength`).
 *
 * @example name.length <= MAX_NAME_LENGTH
 */
export const MAX_NAME_LENGTH = 200;
/**
 * Longest locale tag accepted (BCP 47, e.g. `en-GB`).
 *
 * @example locale.length <= MAX_LOCALE_LENGTH
 */
export const MAX_LOCALE_LENGTH = 35;

/**
 * The body of `POST /users` once validated and normalized: strings trimmed, the locale canonicalized
 * (`en-gb` → `en-GB`).
 *
 * @example const request: CreateUserRequest = { email: 'ada@example.com', name: 'Ada Lovelace', locale: 'en-GB' };
 */
export interface CreateUserRequest {
  readonly email: string;
  readonly name: string;
  readonly locale?: string;
}

const CONTROL_CHARACTERS = /\p{Cc}/u;

function typeError(field: string, expected: string) {
  return (issue: { input?: unknown }) =>
    issue.input === undefined
      ? `${field} is required.`
      : `${field} must be ${expected}, received ${describeType(issue.input)}.`;
}

const createUserSchema = z.strictObject({
  email: z
    .string({ error: typeError('email', 'a string') })
    .trim()
    .min(1, { error: 'email must not be empty.' })
    .max(MAX_EMAIL_LENGTH, { error: `email must be at most ${MAX_EMAIL_LENGTH} characters.` })
    .pipe(z.email({ error: 'email must be an email address such as ada@example.com.' })),
  name: z
    .string({ error: typeError('name', 'a string') })
    .trim()
    .min(1, { error: 'name must not be empty.' })
    .max(MAX_NAME_LENGTH, { error: `name must be at most ${MAX_NAME_LENGTH} characters.` })
    .refine((name) => !CONTROL_CHARACTERS.test(name), { error: 'name must not contain control characters.' }),
  locale: z
    .string({ error: typeError('locale', 'a string') })
    .max(MAX_LOCALE_LENGTH, { error: `locale must be at most ${MAX_LOCALE_LENGTH} characters.` })
    .transform((locale, context) => {
      const canonical = canonicalLocale(locale);
      if (canonical === undefined) {
        context.addIssue({
          code: 'custom',
          message: 'locale must be a BCP 47 language tag such as en or en-GB.',
        });
        return z.NEVER;
      }
      return canonical;
    })
    .optional(),
});

/**
 * The fields `POST /users` accepts, in the order the API documents them.
 *
 * @example CREATE_USER_FIELDS.join(', ') // 'email, name, locale'
 */
export const CREATE_USER_FIELDS: readonly string[] = Object.keys(createUserSchema.shape);

/**
 * Validates the parsed JSON body of `POST /users`: every error is reported with the field it concerns, unknown
 * fields included; values are trimmed and the locale canonicalized.
 *
 * @example
 * const result = parseCreateUserRequest({ email: 'ada@example.com', name: 'Ada' });
 * if (result.ok) console.log(result.value.email);
 */
export function parseCreateUserRequest(body: unknown): Validated<CreateUserRequest> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return {
      ok: false,
      errors: [{ field: 'body', message: `body must be a JSON object, received ${describeType(body)}.` }],
    };
  }
  const result = createUserSchema.safeParse(body);
  if (result.success) {
    const { email, name, locale } = result.data;
    return { ok: true, value: locale === undefined ? { email, name } : { email, name, locale } };
  }
  return { ok: false, errors: result.error.issues.flatMap(toFieldErrors) };
}

function toFieldErrors(issue: z.core.$ZodIssue): FieldError[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      field: key,
      message: `${key} is not a known field; allowed fields are ${CREATE_USER_FIELDS.join(', ')}.`,
    }));
  }
  const field = issue.path.map(String).join('.') || 'body';
  return [{ field, message: issue.message }];
}

function canonicalLocale(locale: string): string | undefined {
  try {
    const [canonical] = Intl.getCanonicalLocales(locale);
    return canonical;
  } catch {
    return undefined;
  }
}

/**
 * The JSON type of a value, for error messages (`null`, `array`, `object`, `string`, `number`, `boolean`).
 *
 * @example describeType([]) // 'array'
 */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
