import { userCreated, type JsonSchema, type UserCreatedData } from '@outboxed/contracts';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import type { FieldError, Validated } from './field-error';
import { CREATE_USER_FIELDS, createUserRequestSchema, NO_CONTROL_CHARACTERS } from './request-schema';

export { CREATE_USER_FIELDS, createUserRequestSchema } from './request-schema';

/**
 * The body of `POST /users` once validated and normalized: strings trimmed, the locale canonicalized
 * (`en-gb` → `en-GB`). Its fields are those of the UserCreated event's `data` that a client chooses.
 *
 * @example const request: CreateUserRequest = { email: 'ada@example.com', name: 'Ada Lovelace', locale: 'en-GB' };
 */
export type CreateUserRequest = Readonly<Pick<UserCreatedData, 'email' | 'name' | 'locale'>>;

/**
 * The JSON Schema (draft 4) of the `POST /users` body: derived from the UserCreated contract the API writes
 * (`userCreated`), so the request rules have one home, the published schema (see `createUserRequestSchema`).
 *
 * @example CREATE_USER_REQUEST_SCHEMA.required // ['email', 'name']
 */
export const CREATE_USER_REQUEST_SCHEMA: JsonSchema = createUserRequestSchema(userCreated.schema);

/** How each field is normalized before the rules apply: `undefined` means the value cannot be normalized. */
const NORMALIZERS: Readonly<Record<string, (value: string) => string | undefined>> = {
  email: (value) => value.trim(),
  name: (value) => value.trim(),
  locale: canonicalLocale,
};
/** What a value that cannot be normalized is told. */
const NOT_NORMALIZABLE: Readonly<Record<string, string>> = {
  locale: 'must be a BCP 47 language tag such as en or en-GB',
};

/** Examples named in format errors, so a client sees what is expected. */
const FORMAT_EXAMPLES: Readonly<Record<string, string>> = {
  email: 'an email address such as ada@example.com',
};
/** How JSON types are named in type errors. */
const TYPE_NAMES: Readonly<Record<string, string>> = { object: 'a JSON object', string: 'a string' };
/** Checks in the order a client should fix them: only a field's first failing stage is reported. */
const STAGES: Readonly<Record<string, number>> = {
  type: 0,
  minLength: 1,
  maxLength: 1,
  format: 2,
  pattern: 2,
};

/**
 * Validates a parsed `POST /users` body against a request schema (by default {@link CREATE_USER_REQUEST_SCHEMA}):
 * every error is reported with the field it concerns, unknown fields included; values are normalized first
 * (trimmed, the locale canonicalized), so the rules apply to what will be stored and published.
 *
 * @example
 * const parse = createUserRequestParser(createUserRequestSchema(userCreatedV2.schema));
 * const result = parse({ email: 'ada@example.com', name: 'Ada' });
 */
export function createUserRequestParser(schema: JsonSchema): (body: unknown) => Validated<CreateUserRequest> {
  let validate: ValidateFunction | undefined;
  return (body) => {
    validate ??= compile(schema);
    const { value, unnormalizable } = normalize(body);
    const valid = validate(value);
    if (valid && unnormalizable.size === 0)
      return { ok: true, value: pick(value as Record<string, unknown>) };
    return { ok: false, errors: fieldErrors(valid ? [] : (validate.errors ?? []), value, unnormalizable) };
  };
}

/**
 * Validates the parsed JSON body of `POST /users` against {@link CREATE_USER_REQUEST_SCHEMA}: every error is
 * reported with the field it concerns, unknown fields included; values are trimmed and the locale canonicalized.
 *
 * @example
 * const result = parseCreateUserRequest({ email: 'ada@example.com', name: 'Ada' });
 * if (result.ok) console.log(result.value.email);
 */
export const parseCreateUserRequest = createUserRequestParser(CREATE_USER_REQUEST_SCHEMA);

function compile(schema: JsonSchema): ValidateFunction {
  // The contract's own ajv setup (draft 4, ajv-formats' full formats, every error), so a rule means here what it
  // means when the contract validates the event.
  const ajv = new Ajv({ allErrors: true, strictSchema: true, strictTypes: false, strictRequired: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

/** The body with each known string field normalized; the fields whose value could not be normalized. */
function normalize(body: unknown): { value: unknown; unnormalizable: ReadonlySet<string> } {
  const unnormalizable = new Set<string>();
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { value: body, unnormalizable };
  const value: Record<string, unknown> = { ...body };
  for (const [field, raw] of Object.entries(value)) {
    const normalizer = Object.hasOwn(NORMALIZERS, field) ? NORMALIZERS[field] : undefined;
    if (normalizer === undefined || typeof raw !== 'string') continue;
    const normalized = normalizer(raw);
    if (normalized === undefined) unnormalizable.add(field);
    else value[field] = normalized;
  }
  return { value, unnormalizable };
}

function pick(value: Record<string, unknown>): CreateUserRequest {
  const { email, name, locale } = value as { email: string; name: string; locale?: string };
  return locale === undefined ? { email, name } : { email, name, locale };
}

/**
 * One message per failing rule, naming the field; for each field only the first failing stage (type, then
 * length, then content), as a client fixes them in that order. A value that could not be normalized reports
 * that instead of its content rules, which were checked on the raw value.
 */
function fieldErrors(
  errors: readonly ErrorObject[],
  body: unknown,
  unnormalizable: ReadonlySet<string>,
): FieldError[] {
  const byField = new Map<string, { stage: number; message: string }[]>();
  const add = (field: string, stage: number, message: string) =>
    byField.set(field, [...(byField.get(field) ?? []), { stage, message }]);
  for (const error of errors) {
    const field = fieldOf(error);
    const stage = STAGES[error.keyword] ?? 2;
    if (unnormalizable.has(field) && stage === 2) continue;
    add(field, stage, messageOf(error, field, body));
  }
  for (const field of unnormalizable) add(field, 2, `${field} ${NOT_NORMALIZABLE[field] ?? 'is invalid'}.`);
  // the body first, then the known fields in their documented order, then unknown fields as received
  const order = (field: string) =>
    field === 'body'
      ? -1
      : CREATE_USER_FIELDS.includes(field)
        ? CREATE_USER_FIELDS.indexOf(field)
        : CREATE_USER_FIELDS.length;
  return [...byField]
    .sort(([a], [b]) => order(a) - order(b))
    .flatMap(([field, found]) => {
      const first = Math.min(...found.map(({ stage }) => stage));
      return found.filter(({ stage }) => stage === first).map(({ message }) => ({ field, message }));
    });
}

function fieldOf(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') return String(params['missingProperty']);
  if (error.keyword === 'additionalProperties') return String(params['additionalProperty']);
  return error.instancePath.split('/')[1]?.replace(/~1/g, '/').replace(/~0/g, '~') || 'body';
}

function messageOf(error: ErrorObject, field: string, body: unknown): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `${field} is required.`;
    case 'additionalProperties':
      return `${field} is not a known field; allowed fields are ${CREATE_USER_FIELDS.join(', ')}.`;
    case 'type': {
      const received = field === 'body' ? body : (body as Record<string, unknown>)[field];
      return `${field} must be ${TYPE_NAMES[String(params['type'])] ?? String(params['type'])}, received ${describeType(received)}.`;
    }
    case 'minLength':
      return params['limit'] === 1
        ? `${field} must not be empty.`
        : `${field} must be at least ${String(params['limit'])} characters.`;
    case 'maxLength':
      return `${field} must be at most ${String(params['limit'])} characters.`;
    case 'format':
      return `${field} must be ${FORMAT_EXAMPLES[String(params['format'])] ?? `a valid ${String(params['format'])}`}.`;
    case 'pattern':
      return params['pattern'] === NO_CONTROL_CHARACTERS
        ? `${field} must not contain control characters.`
        : `${field} must match pattern "${String(params['pattern'])}" (a rule of the published UserCreated schema).`;
    default:
      return `${field} ${error.message ?? `breaks the rule ${error.keyword}`}.`;
  }
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
