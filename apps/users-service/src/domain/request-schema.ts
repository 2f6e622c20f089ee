import type { JsonSchema } from '@outboxed/contracts';
import { UsersServiceError } from '../errors';

/**
 * The fields `POST /users` accepts, in the order the API documents them. Each is a field of the UserCreated
 * event's `data` and takes its rules from there; the server sets the others (`userId`, `createdAt`).
 *
 * @example CREATE_USER_FIELDS.join(', ') // 'email, name, locale'
 */
export const CREATE_USER_FIELDS: readonly string[] = ['email', 'name', 'locale'];

/**
 * The request's own rule that forbids control characters (`\p{Cc}`) in the name: a pattern, so it is JSON Schema
 * like every other rule (ajv compiles patterns with the `u` flag).
 *
 * @example new RegExp(NO_CONTROL_CHARACTERS, 'u').test('Ada Lovelace') // true
 */
export const NO_CONTROL_CHARACTERS = '^\\P{Cc}*$';

/**
 * Rules of the request that the event does not have: a blank email is "empty" before it is "not an email", and a
 * name is something a person reads (the event carries whatever the producer wrote). Each is added with `allOf`
 * beside the contract's rule, never replacing it.
 */
const REQUEST_ONLY_RULES: Readonly<Record<string, JsonSchema>> = {
  email: { minLength: 1 },
  name: { pattern: NO_CONTROL_CHARACTERS },
};

/**
 * Derives the JSON Schema (draft 4) of the `POST /users` body from an event contract's schema: each field's rules
 * are the contract's `detail.data` property (the published UserCreated schema is their one home), plus the
 * request-only rules; a field is required when the contract requires it; any other field is rejected. What the
 * API accepts is therefore what the contract accepts, by construction, and a new contract version that loosens
 * a rule loosens the API with it.
 *
 * @example
 * const schema = createUserRequestSchema(userCreated.schema);
 * schema.properties.name; // { allOf: [{ type: 'string', minLength: 1, maxLength: 200 }, { pattern: … }] }
 */
export function createUserRequestSchema(contractSchema: JsonSchema): JsonSchema {
  const data = dataSchema(contractSchema);
  const properties = objectAt(data, 'properties', 'detail.data');
  const required = Array.isArray(data['required']) ? (data['required'] as unknown[]) : [];
  return {
    $schema: 'http://json-schema.org/draft-04/schema#',
    title: 'CreateUserRequest',
    description: `The body of POST /users; its rules are those of ${String(contractSchema['id'] ?? 'the contract')}'s detail.data.`,
    type: 'object',
    additionalProperties: false,
    required: CREATE_USER_FIELDS.filter((field) => required.includes(field)),
    properties: Object.fromEntries(
      CREATE_USER_FIELDS.map((field) => {
        const rule = objectAt(properties, field, `detail.data.properties.${field}`);
        if (JSON.stringify(rule).includes('"$ref"')) {
          throw new UsersServiceError(
            `The contract's detail.data.${field} uses $ref; the request schema copies each field's rules, so inline them in the contract or teach createUserRequestSchema to resolve references.`,
          );
        }
        const own = REQUEST_ONLY_RULES[field];
        return [field, own === undefined ? structuredClone(rule) : { allOf: [structuredClone(rule), own] }];
      }),
    ),
  };
}

/** `detail.data` of a whole-event schema, following local `$ref`s (`#/definitions/…`). */
function dataSchema(schema: JsonSchema): JsonSchema {
  const properties = objectAt(schema, 'properties', '(root)');
  const detail = resolve(schema, objectAt(properties, 'detail', 'detail'));
  const data = objectAt(objectAt(detail, 'properties', 'detail'), 'data', 'detail.data');
  return resolve(schema, data);
}

function resolve(root: JsonSchema, node: JsonSchema): JsonSchema {
  const ref = node['$ref'];
  if (typeof ref !== 'string') return node;
  if (!ref.startsWith('#/')) {
    throw new UsersServiceError(
      `The contract schema refers to ${ref}; only local references (#/…) can be followed: inline that definition.`,
    );
  }
  const target = ref
    .slice(2)
    .split('/')
    .reduce<JsonSchema>(
      (at, segment) => objectAt(at, segment.replace(/~1/g, '/').replace(/~0/g, '~'), ref),
      root,
    );
  return resolve(root, target);
}

function objectAt(node: JsonSchema, key: string, where: string): JsonSchema {
  const value = node[key];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsersServiceError(
      `The contract schema has no object at ${where} (${key}); POST /users takes its rules from the UserCreated detail.data schema: check @outboxed/contracts.`,
    );
  }
  return value as JsonSchema;
}
