import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { InvalidSchemaError } from '../errors.ts';
import { AJV_OPTIONS, schemaValidator } from '../validation.ts';
import type { JsonSchema } from '../validation.ts';

/**
 * One version of one registry schema, as read from a schema file or downloaded from a registry.
 *
 * @example { registryName: 'outboxed-users', schemaName: 'outboxed.users@UserCreated', version: 1, content, origin: 'schemas/…/v1.json' }
 */
export interface SchemaDocument {
  readonly registryName: string;
  readonly schemaName: string;
  readonly version: number;
  /** The schema text exactly as stored. */
  readonly content: string;
  /** Where it came from, for error messages: a file path, or `registry/schema/version`. */
  readonly origin: string;
}

const SCHEMA_ID = /^urn:outboxed:schema:(?<schemaName>[A-Za-z0-9._@-]+):v(?<version>[1-9][0-9]*)$/;

/**
 * The `id` a contract schema carries: `urn:outboxed:schema:<schemaName>:v<version>`. The version lives in the
 * document, so a schema read back from a registry (whose own version counter differs) keeps its identity.
 *
 * @example schemaId('outboxed.users@UserCreated', 2); // 'urn:outboxed:schema:outboxed.users@UserCreated:v2'
 */
export function schemaId(schemaName: string, version: number): string {
  return `urn:outboxed:schema:${schemaName}:v${version}`;
}

/**
 * Reads the schema name and version from a schema's `id`, or `undefined` when it carries none of ours.
 *
 * @example parseSchemaId('urn:outboxed:schema:outboxed.users@UserCreated:v2'); // { schemaName, version: 2 }
 */
export function parseSchemaId(id: unknown): { schemaName: string; version: number } | undefined {
  if (typeof id !== 'string') return undefined;
  const match = SCHEMA_ID.exec(id);
  if (!match?.groups) return undefined;
  return { schemaName: String(match.groups['schemaName']), version: Number(match.groups['version']) };
}

/**
 * Parses and checks a schema document: JSON, a valid draft-4 schema, every `$ref` resolvable inside the document,
 * compiling in ajv's strict mode (so a misspelt keyword or an unknown format is an error, not silently ignored).
 * Throws `InvalidSchemaError` naming the document's origin otherwise.
 *
 * @example const schema = loadSchema(document);
 */
export function loadSchema(document: Pick<SchemaDocument, 'content' | 'origin'>): JsonSchema {
  let parsed: unknown;
  try {
    parsed = JSON.parse(document.content);
  } catch (cause) {
    throw new InvalidSchemaError(
      document.origin,
      `is not JSON (${(cause as Error).message}). Fix the file's syntax.`,
      {
        cause,
      },
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InvalidSchemaError(
      document.origin,
      'is not a JSON Schema: the document must be a JSON object.',
    );
  }
  const schema = parsed as JsonSchema;
  const ajv = schemaValidator();
  if (!ajv.validateSchema(schema)) {
    const problems = (ajv.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? e.keyword}`);
    throw new InvalidSchemaError(
      document.origin,
      `is not a valid JSON Schema draft 4: ${problems.join('; ')}. Fix these keywords.`,
    );
  }
  const unresolved = unresolvedRefs(schema);
  if (unresolved.length > 0) {
    throw new InvalidSchemaError(
      document.origin,
      `has unresolved $ref ${unresolved.map((r) => `"${r}"`).join(', ')}: only references inside the document (#/definitions/…) are allowed, and each must exist.`,
    );
  }
  try {
    const probe = new Ajv(AJV_OPTIONS);
    addFormats(probe);
    probe.compile(schema);
  } catch (cause) {
    throw new InvalidSchemaError(
      document.origin,
      `does not compile as a draft-4 schema in strict mode (${(cause as Error).message}). Fix the keyword it names.`,
      { cause },
    );
  }
  return schema;
}

function unresolvedRefs(schema: JsonSchema): string[] {
  const refs: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') refs.push(value);
      else walk(value);
    }
  };
  walk(schema);
  return refs.filter((ref) => resolvePointer(schema, ref) === undefined);
}

/**
 * Resolves a local `$ref` (`#/definitions/X`) inside `schema`; `undefined` when it is not local or does not exist.
 *
 * @example resolvePointer(schema, '#/definitions/UserCreatedData');
 */
export function resolvePointer(schema: JsonSchema, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  const pointer = ref.slice(1);
  if (pointer === '') return schema;
  if (!pointer.startsWith('/')) return undefined;
  let current: unknown = schema;
  for (const raw of pointer.slice(1).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (current === null || typeof current !== 'object' || !(key in current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
