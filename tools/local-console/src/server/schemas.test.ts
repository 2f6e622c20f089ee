import {
  CreateRegistryCommand,
  CreateSchemaCommand,
  SchemasClient,
  UpdateSchemaCommand,
} from '@aws-sdk/client-schemas';
import { startEdge, type Edge } from '@outboxed/local-aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffJson, listSchemas } from './schemas';

describe('listSchemas', () => {
  let edge: Edge;
  let client: SchemasClient;

  beforeAll(async () => {
    // a page of one item, so every list of the registry takes several pages, as long lists do on AWS
    edge = await startEdge({ schemaPageSize: 1 });
    client = new SchemasClient({
      endpoint: edge.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    for (const registry of ['first', 'second']) {
      await client.send(new CreateRegistryCommand({ RegistryName: registry }));
      for (const name of ['a', 'b']) {
        const content = (version: number) => JSON.stringify({ type: 'object', description: `v${version}` });
        await client.send(
          new CreateSchemaCommand({
            RegistryName: registry,
            SchemaName: name,
            Type: 'JSONSchemaDraft4',
            Content: content(1),
          }),
        );
        await client.send(
          new UpdateSchemaCommand({
            RegistryName: registry,
            SchemaName: name,
            Type: 'JSONSchemaDraft4',
            Content: content(2),
          }),
        );
      }
    }
  });
  afterAll(async () => {
    client?.destroy();
    await edge?.stop();
  });

  it('follows every page (NextToken) of registries, schemas and versions', async () => {
    const schemas = await listSchemas(client);

    expect(schemas.filter((schema) => schema.registry === 'first' || schema.registry === 'second')).toEqual([
      { registry: 'first', name: 'a', type: 'JSONSchemaDraft4', versions: ['1', '2'] },
      { registry: 'first', name: 'b', type: 'JSONSchemaDraft4', versions: ['1', '2'] },
      { registry: 'second', name: 'a', type: 'JSONSchemaDraft4', versions: ['1', '2'] },
      { registry: 'second', name: 'b', type: 'JSONSchemaDraft4', versions: ['1', '2'] },
    ]);
  });
});

describe('diffJson', () => {
  it.each([
    [
      'an added property',
      { properties: { a: { type: 'string' } } },
      { properties: { a: { type: 'string' }, b: { type: 'number' } } },
      [{ path: '/properties/b/type', change: 'added', after: 'number' }],
    ],
    [
      'a removed required field',
      { required: ['a', 'b'] },
      { required: ['a'] },
      [{ path: '/required/"b"', change: 'removed', before: true }],
    ],
    [
      'a changed type',
      { type: 'integer' },
      { type: 'number' },
      [{ path: '/type', change: 'changed', before: 'integer', after: 'number' }],
    ],
    ['a reordered enum (no change)', { enum: ['x', 'y'] }, { enum: ['y', 'x'] }, []],
    [
      'a key with a slash',
      { 'a/b': 1 },
      { 'a/b': 2 },
      [{ path: '/a~1b', change: 'changed', before: 1, after: 2 }],
    ],
  ])('reports %s', (_name, before, after, expected) => {
    expect(diffJson(before, after)).toEqual(expected);
  });
});
