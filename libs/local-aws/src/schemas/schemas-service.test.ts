import {
  CreateRegistryCommand,
  CreateSchemaCommand,
  DeleteRegistryCommand,
  DeleteSchemaCommand,
  DescribeRegistryCommand,
  DescribeSchemaCommand,
  ListSchemasCommand,
  ListSchemaVersionsCommand,
  UpdateSchemaCommand,
  type SchemasClient,
} from '@aws-sdk/client-schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEdge, type Edge } from '../edge';
import { clientsFor } from '../test-clients';

const v1 = JSON.stringify({
  $schema: 'http://json-schema.org/draft-04/schema#',
  type: 'object',
  properties: { a: { type: 'string' } },
});
const v2 = JSON.stringify({
  $schema: 'http://json-schema.org/draft-04/schema#',
  type: 'object',
  properties: { a: { type: 'string' }, b: { type: 'number' } },
});

describe('EventBridge Schema Registry over REST-JSON (SDK v3)', () => {
  let edge: Edge;
  let schemas: SchemasClient;

  beforeAll(async () => {
    edge = await startEdge();
    schemas = clientsFor(edge).schemas;
  });
  afterAll(() => edge.stop());

  it('creates a registry and a schema, versions it on update, lists and describes each version', async () => {
    const registry = await schemas.send(
      new CreateRegistryCommand({ RegistryName: 'outboxed-users', Description: 'users events' }),
    );
    const created = await schemas.send(
      new CreateSchemaCommand({
        RegistryName: 'outboxed-users',
        SchemaName: 'outboxed.users@UserCreated',
        Type: 'JSONSchemaDraft4',
        Content: v1,
      }),
    );
    const updated = await schemas.send(
      new UpdateSchemaCommand({
        RegistryName: 'outboxed-users',
        SchemaName: 'outboxed.users@UserCreated',
        Type: 'JSONSchemaDraft4',
        Content: v2,
      }),
    );
    const unchanged = await schemas.send(
      new UpdateSchemaCommand({
        RegistryName: 'outboxed-users',
        SchemaName: 'outboxed.users@UserCreated',
        Content: v2,
      }),
    );
    const list = await schemas.send(new ListSchemasCommand({ RegistryName: 'outboxed-users' }));
    const versions = await schemas.send(
      new ListSchemaVersionsCommand({
        RegistryName: 'outboxed-users',
        SchemaName: 'outboxed.users@UserCreated',
      }),
    );
    const latest = await schemas.send(
      new DescribeSchemaCommand({ RegistryName: 'outboxed-users', SchemaName: 'outboxed.users@UserCreated' }),
    );
    const first = await schemas.send(
      new DescribeSchemaCommand({
        RegistryName: 'outboxed-users',
        SchemaName: 'outboxed.users@UserCreated',
        SchemaVersion: '1',
      }),
    );
    const described = await schemas.send(new DescribeRegistryCommand({ RegistryName: 'outboxed-users' }));

    const schemaArn = `arn:aws:schemas:${edge.region}:000000000000:schema/outboxed-users/outboxed.users@UserCreated`;
    expect(registry).toMatchObject({
      RegistryName: 'outboxed-users',
      RegistryArn: `arn:aws:schemas:${edge.region}:000000000000:registry/outboxed-users`,
    });
    expect(described.Description).toBe('users events');
    expect([created.SchemaVersion, updated.SchemaVersion, unchanged.SchemaVersion]).toEqual(['1', '2', '2']);
    expect(list.Schemas).toEqual([
      {
        SchemaName: 'outboxed.users@UserCreated',
        SchemaArn: schemaArn,
        LastModified: expect.any(Date),
        Tags: {},
        VersionCount: 2,
      },
    ]);
    expect(versions.SchemaVersions).toEqual([
      {
        SchemaArn: schemaArn,
        SchemaName: 'outboxed.users@UserCreated',
        SchemaVersion: '1',
        Type: 'JSONSchemaDraft4',
      },
      {
        SchemaArn: schemaArn,
        SchemaName: 'outboxed.users@UserCreated',
        SchemaVersion: '2',
        Type: 'JSONSchemaDraft4',
      },
    ]);
    expect(latest).toMatchObject({
      SchemaVersion: '2',
      Content: v2,
      Type: 'JSONSchemaDraft4',
      VersionCreatedDate: expect.any(Date),
    });
    expect(first).toMatchObject({ SchemaVersion: '1', Content: v1 });
  });

  it('deletes a schema and then its registry', async () => {
    await schemas.send(new CreateRegistryCommand({ RegistryName: 'short-lived' }));
    await schemas.send(
      new CreateSchemaCommand({
        RegistryName: 'short-lived',
        SchemaName: 's',
        Type: 'JSONSchemaDraft4',
        Content: v1,
      }),
    );
    await schemas.send(new DeleteSchemaCommand({ RegistryName: 'short-lived', SchemaName: 's' }));
    const afterSchema = await schemas.send(new ListSchemasCommand({ RegistryName: 'short-lived' }));
    await schemas.send(new DeleteRegistryCommand({ RegistryName: 'short-lived' }));

    expect(afterSchema.Schemas).toEqual([]);
    await expect(
      schemas.send(new DescribeRegistryCommand({ RegistryName: 'short-lived' })),
    ).rejects.toMatchObject({ name: 'NotFoundException' });
  });

  it('answers ConflictException for a registry that exists', async () => {
    await schemas.send(new CreateRegistryCommand({ RegistryName: 'twice' }));
    await expect(schemas.send(new CreateRegistryCommand({ RegistryName: 'twice' }))).rejects.toMatchObject({
      name: 'ConflictException',
      $metadata: { httpStatusCode: 409 },
    });
  });

  it('answers NotFoundException for a schema that does not exist', async () => {
    await schemas.send(new CreateRegistryCommand({ RegistryName: 'empty' }));
    await expect(
      schemas.send(new DescribeSchemaCommand({ RegistryName: 'empty', SchemaName: 'nope' })),
    ).rejects.toMatchObject({
      name: 'NotFoundException',
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('rejects a schema type other than OpenApi3 or JSONSchemaDraft4 (BadRequestException)', async () => {
    await schemas.send(new CreateRegistryCommand({ RegistryName: 'typed' }));
    const attempt = schemas.send(
      new CreateSchemaCommand({
        RegistryName: 'typed',
        SchemaName: 's',
        Type: 'Avro' as 'OpenApi3',
        Content: v1,
      }),
    );
    await expect(attempt).rejects.toMatchObject({ name: 'BadRequestException' });
  });
});
