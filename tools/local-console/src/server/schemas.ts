import {
  DescribeSchemaCommand,
  paginateListRegistries,
  paginateListSchemas,
  paginateListSchemaVersions,
} from '@aws-sdk/client-schemas';
import type { SchemasClient } from '@aws-sdk/client-schemas';

/** A schema of a registry with its versions. */
export interface RegistrySchema {
  readonly registry: string;
  readonly name: string;
  readonly type?: string;
  readonly versions: readonly string[];
}

/**
 * Who reads an event type, as declared (contract expectations) and as seen (consumer logs).
 *
 * @example const reader: SchemaReader = { consumer: 'email-consumer', detailType: 'UserCreated', readsAs: 1, source: 'apps/email-consumer/src/contract-expectations.ts' };
 */
export interface SchemaReader {
  readonly consumer: string;
  readonly detailType: string;
  /** The contract version it reads the event as (`1` for v1). */
  readonly readsAs?: number;
  /** Where it was declared, or `observed in the consumer's logs`. */
  readonly source: string;
  /** Written versions it processed in this run, with counts. */
  readonly seen?: Readonly<Record<string, number>>;
}

/**
 * Every schema of every registry on the edge's Schema Registry, with its versions.
 *
 * @example const schemas = await listSchemas(new SchemasClient({ endpoint: runtime.endpoints.edge }));
 */
export async function listSchemas(client: SchemasClient): Promise<RegistrySchema[]> {
  const result: RegistrySchema[] = [];
  // every page of each list (NextToken), as on AWS, where a list answers at most a page at a time
  for await (const registriesPage of paginateListRegistries({ client }, {})) {
    for (const registry of registriesPage.Registries ?? []) {
      const registryName = registry.RegistryName ?? '';
      for await (const schemasPage of paginateListSchemas({ client }, { RegistryName: registryName })) {
        for (const schema of schemasPage.Schemas ?? []) {
          result.push(await registrySchema(client, registryName, schema.SchemaName ?? ''));
        }
      }
    }
  }
  return result;
}

async function registrySchema(
  client: SchemasClient,
  registry: string,
  name: string,
): Promise<RegistrySchema> {
  const versions = [];
  for await (const page of paginateListSchemaVersions(
    { client },
    { RegistryName: registry, SchemaName: name },
  )) {
    versions.push(...(page.SchemaVersions ?? []));
  }
  return {
    registry,
    name,
    ...(versions[0]?.Type ? { type: versions[0].Type } : {}),
    versions: versions.map((v) => v.SchemaVersion ?? '').sort((a, b) => Number(a) - Number(b)),
  };
}

/**
 * The content of one schema version, parsed.
 *
 * @example await schemaContent(client, 'outboxed-users', 'outboxed.users@UserCreated', '2');
 */
export async function schemaContent(
  client: SchemasClient,
  registry: string,
  name: string,
  version: string,
): Promise<unknown> {
  const out = await client.send(
    new DescribeSchemaCommand({ RegistryName: registry, SchemaName: name, SchemaVersion: version }),
  );
  return JSON.parse(out.Content ?? 'null') as unknown;
}

/** One difference between two JSON documents, at a JSON pointer-like path. */
export interface JsonChange {
  readonly path: string;
  readonly change: 'added' | 'removed' | 'changed';
  readonly before?: unknown;
  readonly after?: unknown;
}

/**
 * The differences between two JSON documents (two schema versions), leaf by leaf, sorted by path.
 *
 * @example diffJson({ a: 1 }, { a: 2, b: true }); // [{ path: '/a', change: 'changed', before: 1, after: 2 }, { path: '/b', change: 'added', after: true }]
 */
export function diffJson(before: unknown, after: unknown): JsonChange[] {
  const left = flatten(before);
  const right = flatten(after);
  const changes: JsonChange[] = [];
  for (const [path, value] of left) {
    if (!right.has(path)) changes.push({ path, change: 'removed', before: value });
    else if (right.get(path) !== value)
      changes.push({ path, change: 'changed', before: value, after: right.get(path) });
  }
  for (const [path, value] of right)
    if (!left.has(path)) changes.push({ path, change: 'added', after: value });
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function flatten(value: unknown, path = '', into = new Map<string, unknown>()): Map<string, unknown> {
  if (Array.isArray(value)) {
    if (value.length === 0) into.set(path, '[]');
    // arrays of scalars (required, enum, type) compare as sets: their order carries no meaning in a JSON schema
    if (value.every((v) => typeof v !== 'object' || v === null))
      for (const v of value) into.set(`${path}/${JSON.stringify(v)}`, true);
    else value.forEach((v, i) => flatten(v, `${path}/${i}`, into));
  } else if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 0) into.set(path, '{}');
    for (const [key, v] of entries)
      flatten(v, `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, into);
  } else into.set(path === '' ? '/' : path, value);
  return into;
}
