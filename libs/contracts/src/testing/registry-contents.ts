import {
  CreateRegistryCommand,
  CreateSchemaCommand,
  SchemasClient,
  UpdateSchemaCommand,
} from '@aws-sdk/client-schemas';
import { startEdge, type Edge, type EdgeRequest } from '@outboxed/local-aws';

/**
 * What a Schema Registry holds: per registry, per schema name, its versions' contents, oldest first (registry
 * versions 1, 2 …).
 *
 * @example const contents: RegistryContents = { 'outboxed-users': { 'outboxed.users@UserCreated': [v1, v2] } };
 */
export type RegistryContents = Record<string, Record<string, string[]>>;

/**
 * Publishes `contents` through the Schema Registry API, as the EventSchemas construct does on deploy: CreateRegistry,
 * then CreateSchema with the first version and UpdateSchema with each later one (`JSONSchemaDraft4`). Tests point
 * the client at the local AWS edge (`@outboxed/local-aws`).
 *
 * @example await publishRegistryContents(new SchemasClient({ endpoint: edge.endpoint, region, credentials }), contents);
 */
export async function publishRegistryContents(
  client: SchemasClient,
  contents: RegistryContents,
): Promise<void> {
  for (const [RegistryName, schemas] of Object.entries(contents)) {
    await client.send(new CreateRegistryCommand({ RegistryName }));
    for (const [SchemaName, [first, ...later]] of Object.entries(schemas)) {
      if (first === undefined) continue;
      const schema = { RegistryName, SchemaName, Type: 'JSONSchemaDraft4' as const };
      await client.send(new CreateSchemaCommand({ ...schema, Content: first }));
      for (const Content of later) await client.send(new UpdateSchemaCommand({ ...schema, Content }));
    }
  }
}

/**
 * Items per page of the registry {@link startRegistry} starts: small, so every list of a test takes several pages,
 * as long lists do on AWS.
 *
 * @example Math.ceil(versions.length / REGISTRY_PAGE_SIZE) // ListSchemaVersions pages of one schema
 */
export const REGISTRY_PAGE_SIZE = 2;

/**
 * A local AWS edge whose Schema Registry holds `contents`, with every call it answers from now on in `requests`
 * (the publishing calls are left out). Its List operations answer two items a page, so readers' paging shows.
 *
 * @example
 * const registry = await startRegistry({ 'outboxed-users': { 'outboxed.users@UserCreated': [v1] } });
 * await codegen(['--endpoint', registry.edge.endpoint], io);
 * await registry.edge.stop();
 */
export async function startRegistry(
  contents: RegistryContents,
): Promise<{ edge: Edge; requests: EdgeRequest[] }> {
  const requests: EdgeRequest[] = [];
  const edge = await startEdge({ schemaPageSize: REGISTRY_PAGE_SIZE, onRequest: (r) => requests.push(r) });
  const client = new SchemasClient({
    endpoint: edge.endpoint,
    region: edge.region,
    credentials: edge.credentials,
  });
  try {
    await publishRegistryContents(client, contents);
  } finally {
    client.destroy();
  }
  requests.length = 0;
  return { edge, requests };
}
