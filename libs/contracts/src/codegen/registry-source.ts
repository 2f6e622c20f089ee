import {
  DescribeSchemaCommand,
  paginateListSchemaVersions,
  paginateListSchemas,
} from '@aws-sdk/client-schemas';
import type { SchemasClient } from '@aws-sdk/client-schemas';
import { InvalidSchemaError, RegistryError } from '../errors.ts';
import { parseSchemaId } from './schema-document.ts';
import type { SchemaDocument } from './schema-document.ts';

/**
 * What to download from a registry.
 *
 * @example { client: new SchemasClient({}), registryName: 'outboxed-users', schemaName: 'outboxed.users@UserCreated' }
 */
export interface RegistrySourceOptions {
  readonly client: SchemasClient;
  readonly registryName: string;
  /**
   * Only this schema (its canonical name; pinned `<name>.v<N>` copies are included).
   * @default every schema of the registry
   */
  readonly schemaName?: string;
  /**
   * Only this version of `schemaName`; an error when the registry lacks it.
   * @default every version
   */
  readonly version?: number;
}

/**
 * Lists and downloads schemas from an EventBridge schema registry (ListSchemas, ListSchemaVersions,
 * DescribeSchema). Each document's schema name and version come from its `id`
 * (`urn:outboxed:schema:<name>:v<N>`) when it has one, else from the registry's schema name and version. Copies of
 * one version found under several registry names (canonical and pinned) must be identical.
 * Errors name the registry/schema/version: `RegistryError` (unreachable, access denied, not found) or
 * `InvalidSchemaError` (content that is not JSON).
 *
 * @example const documents = await readRegistrySchemas({ client, registryName: 'outboxed-users' });
 */
export async function readRegistrySchemas(options: RegistrySourceOptions): Promise<SchemaDocument[]> {
  const { client, registryName } = options;
  const byIdentity = new Map<string, SchemaDocument>();
  const schemaNames: string[] = [];
  await call(`${registryName}`, async () => {
    const pages = paginateListSchemas(
      { client },
      { RegistryName: registryName, ...(options.schemaName ? { SchemaNamePrefix: options.schemaName } : {}) },
    );
    for await (const page of pages) {
      for (const summary of page.Schemas ?? []) {
        if (summary.SchemaName && belongsTo(summary.SchemaName, options.schemaName))
          schemaNames.push(summary.SchemaName);
      }
    }
  });
  if (options.schemaName && schemaNames.length === 0) {
    throw new RegistryError(
      `${registryName}/${options.schemaName}`,
      'not found: the registry holds no such schema. Check the schema name, or publish it (deploy the users service).',
    );
  }
  for (const registrySchemaName of schemaNames.sort()) {
    const versions: string[] = [];
    await call(`${registryName}/${registrySchemaName}`, async () => {
      for await (const page of paginateListSchemaVersions(
        { client },
        { RegistryName: registryName, SchemaName: registrySchemaName },
      )) {
        for (const summary of page.SchemaVersions ?? [])
          if (summary.SchemaVersion) versions.push(summary.SchemaVersion);
      }
    });
    for (const registryVersion of versions.sort((a, b) => Number(a) - Number(b))) {
      const location = `${registryName}/${registrySchemaName}/${registryVersion}`;
      const described = await call(location, () =>
        client.send(
          new DescribeSchemaCommand({
            RegistryName: registryName,
            SchemaName: registrySchemaName,
            SchemaVersion: registryVersion,
          }),
        ),
      );
      const content = described.Content ?? '';
      const identity = identify(content, location) ?? {
        schemaName: registrySchemaName,
        version: Number(registryVersion),
      };
      if (options.schemaName && identity.schemaName !== options.schemaName) continue;
      if (options.version !== undefined && identity.version !== options.version) continue;
      const key = `${identity.schemaName} v${identity.version}`;
      const existing = byIdentity.get(key);
      if (existing && canonicalJson(existing.content) !== canonicalJson(content)) {
        throw new InvalidSchemaError(
          location,
          `holds ${key} with content different from ${existing.origin}: a published version must never change. Publish the change as a new version.`,
        );
      }
      if (!existing) byIdentity.set(key, { registryName, ...identity, content, origin: location });
    }
  }
  if (options.version !== undefined && byIdentity.size === 0) {
    throw new RegistryError(
      `${registryName}/${options.schemaName ?? '*'}/${options.version}`,
      `not found: no schema version ${options.version} in the registry. List what exists with --list.`,
    );
  }
  return [...byIdentity.values()].sort(
    (a, b) => a.schemaName.localeCompare(b.schemaName) || a.version - b.version,
  );
}

function belongsTo(registrySchemaName: string, wanted: string | undefined): boolean {
  if (wanted === undefined) return true;
  return (
    registrySchemaName === wanted || new RegExp(`^${escape(wanted)}\\.v[1-9][0-9]*$`).test(registrySchemaName)
  );
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function identify(content: string, location: string): { schemaName: string; version: number } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch (cause) {
    throw new InvalidSchemaError(location, `is not JSON (${(cause as Error).message}).`, { cause });
  }
  return parseSchemaId((parsed as { id?: unknown } | null)?.id);
}

/**
 * JSON text with keys sorted, so two copies of a schema compare equal whatever their formatting.
 *
 * @example canonicalJson('{"b":1,"a":2}'); // '{"a":2,"b":1}'
 */
export function canonicalJson(content: string): string {
  const sortKeys = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sortKeys);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, sortKeys(v)]),
    );
  };
  return JSON.stringify(sortKeys(JSON.parse(content)));
}

async function call<T>(location: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toRegistryError(location, error);
  }
}

/**
 * Names what went wrong talking to the registry at `location` (`registry[/schema[/version]]`).
 *
 * @example throw toRegistryError('outboxed-users/outboxed.users@UserCreated', error);
 */
export function toRegistryError(location: string, error: unknown): RegistryError {
  const name = (error as { name?: string }).name ?? '';
  const code = (error as { code?: string }).code ?? '';
  const message = (error as Error).message ?? String(error);
  if (name === 'NotFoundException') {
    return new RegistryError(
      location,
      `not found (${message}). Check the registry and schema names and the region, or publish the schemas first.`,
      { cause: error },
    );
  }
  if (['ForbiddenException', 'UnauthorizedException', 'AccessDeniedException'].includes(name)) {
    return new RegistryError(
      location,
      `access denied (${message}). Use credentials allowed schemas:ListSchemas, ListSchemaVersions and DescribeSchema on this registry (EventSchemas.grantRead).`,
      { cause: error },
    );
  }
  if (
    ['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN'].includes(code) ||
    name === 'TimeoutError' ||
    /ECONNREFUSED|ENOTFOUND|socket hang up|getaddrinfo/.test(message)
  ) {
    return new RegistryError(
      location,
      `unreachable (${code || name}: ${message}). Check --endpoint, the region and the network.`,
      { cause: error },
    );
  }
  if (name === 'CredentialsProviderError' || /Region is missing/.test(message)) {
    return new RegistryError(
      location,
      `no AWS ${name === 'CredentialsProviderError' ? 'credentials' : 'region'} configured (${message}). Set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY and AWS_REGION, or use --from-files.`,
      { cause: error },
    );
  }
  return new RegistryError(location, `request failed (${name || 'Error'}: ${message}).`, { cause: error });
}
