import Ajv from 'ajv-draft-04';
import type { ErrorObject, ValidateFunction } from 'ajv-draft-04';
import addFormats from 'ajv-formats';

/**
 * One way a value breaks a schema: where (`path`, dotted from the event root, e.g. `detail.data.email`) and why.
 * Messages name the rule, never the value received (it may be an email or a name).
 *
 * @example { path: 'detail.data.email', message: 'must match format "email" (received a string of 9 characters)' }
 */
export interface ContractViolation {
  readonly path: string;
  readonly message: string;
}

/**
 * A JSON Schema document (draft 4) as a plain object.
 *
 * @example const schema: JsonSchema = { type: 'string', format: 'email' };
 */
export type JsonSchema = Record<string, unknown>;

/**
 * ajv options every contract compiles with: draft 4 as ajv-draft-04 reads it, every error reported, and strict about
 * the schema itself (an unknown keyword or format is an error), but not about legal-if-unusual schemas (a required
 * property not listed in `properties`, union types, tuples).
 *
 * @example const ajv = new Ajv(AJV_OPTIONS);
 */
export const AJV_OPTIONS = {
  allErrors: true,
  strictSchema: true,
  strictNumbers: true,
  strictTypes: false,
  strictTuples: false,
  strictRequired: false,
} as const;

let shared: Ajv | undefined;

/**
 * The one ajv instance (`AJV_OPTIONS`, formats from ajv-formats) all contracts compile into, created on
 * first use so importing the library costs nothing.
 *
 * @example const validate = schemaValidator().compile({ type: 'string' });
 */
export function schemaValidator(): Ajv {
  if (!shared) {
    shared = new Ajv(AJV_OPTIONS);
    addFormats(shared);
  }
  return shared;
}

/**
 * Compiles (once) the part of a registered schema found at `pointer` (`''` for the whole document).
 *
 * @example const validateDetail = compileAt(schema, '#/properties/detail');
 */
export function compileAt(schema: JsonSchema, pointer: string): ValidateFunction {
  const ajv = schemaValidator();
  const id = schema['id'];
  if (typeof id !== 'string') throw new TypeError('A contract schema needs a string `id` to be registered.');
  if (!ajv.getSchema(id)) ajv.addSchema(schema, id);
  const validate = pointer === '' ? ajv.getSchema(id) : ajv.compile({ $ref: `${id}${pointer}` });
  if (!validate) throw new TypeError(`Schema ${id} did not compile.`);
  return validate;
}

/**
 * Turns ajv's errors into violations with dotted JSON paths rooted at `root` (`''` for a whole event).
 *
 * @example toViolations(validate.errors, 'detail');
 */
export function toViolations(
  errors: readonly ErrorObject[] | null | undefined,
  root: string,
  value: unknown,
): ContractViolation[] {
  return (errors ?? []).map((error) => {
    const base = joinPath(root, pointerToPath(error.instancePath));
    const params = error.params as Record<string, unknown>;
    switch (error.keyword) {
      case 'required':
        return { path: joinPath(base, String(params['missingProperty'])), message: 'is required' };
      case 'additionalProperties':
        return {
          path: joinPath(base, String(params['additionalProperty'])),
          message:
            'is not allowed (closed content model: the schema lists every field this object may carry)',
        };
      default:
        return {
          path: base === '' ? '(root)' : base,
          message: `${error.message ?? error.keyword} (received ${describe(valueAt(value, error.instancePath))})`,
        };
    }
  });
}

function pointerToPath(pointer: string): string {
  if (pointer === '') return '';
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, segment) => (/^\d+$/.test(segment) ? `${path}[${segment}]` : joinPath(path, segment)), '');
}

function joinPath(base: string, segment: string): string {
  if (segment === '') return base;
  if (segment.startsWith('[')) return `${base}${segment}`;
  return base === '' ? segment : `${base}.${segment}`;
}

function valueAt(value: unknown, pointer: string): unknown {
  if (pointer === '') return value;
  let current: unknown = value;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Describes a value without revealing it: events carry emails and names. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length} items`;
  if (typeof value === 'string')
    return `a string of ${value.length} character${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'number')
    return Number.isInteger(value) ? `the integer ${value}` : `the number ${value}`;
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}
