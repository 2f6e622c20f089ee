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
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
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

describe('Schema Registry paging and faults', () => {
  let edge: Edge;
  let schemas: SchemasClient;
  const names = ['e', 'a', 'c', 'b', 'd'];

  beforeAll(async () => {
    edge = await startEdge({ schemaPageSize: 2 });
    schemas = clientsFor(edge).schemas;
    await schemas.send(new CreateRegistryCommand({ RegistryName: 'paged' }));
    for (const name of names) {
      await schemas.send(
        new CreateSchemaCommand({
          RegistryName: 'paged',
          SchemaName: name,
          Type: 'JSONSchemaDraft4',
          Content: v1,
        }),
      );
    }
    await schemas.send(
      new UpdateSchemaCommand({
        RegistryName: 'paged',
        SchemaName: 'a',
        Type: 'JSONSchemaDraft4',
        Content: v2,
      }),
    );
  });
  afterAll(() => edge.stop());
  afterEach(() => edge.faults.set({}));

  it('pages ListSchemas by name with the edge page size and opaque NextTokens', async () => {
    const pages: string[][] = [];
    let NextToken: string | undefined;
    do {
      const page = await schemas.send(new ListSchemasCommand({ RegistryName: 'paged', NextToken }));
      pages.push(page.Schemas?.map((s) => s.SchemaName ?? '') ?? []);
      NextToken = page.NextToken;
    } while (NextToken);

    expect(pages).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('honours a Limit, and pages ListSchemaVersions the same way', async () => {
    const all = await schemas.send(new ListSchemasCommand({ RegistryName: 'paged', Limit: 10 }));
    const firstVersion = await schemas.send(
      new ListSchemaVersionsCommand({ RegistryName: 'paged', SchemaName: 'a', Limit: 1 }),
    );
    const secondVersion = await schemas.send(
      new ListSchemaVersionsCommand({
        RegistryName: 'paged',
        SchemaName: 'a',
        Limit: 1,
        NextToken: firstVersion.NextToken,
      }),
    );

    expect(all.Schemas?.map((s) => s.SchemaName)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(all.NextToken).toBeUndefined();
    expect(firstVersion.SchemaVersions?.map((v) => v.SchemaVersion)).toEqual(['1']);
    expect(secondVersion.SchemaVersions?.map((v) => v.SchemaVersion)).toEqual(['2']);
    expect(secondVersion.NextToken).toBeUndefined();
  });

  it('rejects a NextToken it did not issue (BadRequestException)', async () => {
    await expect(
      schemas.send(new ListSchemasCommand({ RegistryName: 'paged', NextToken: 'forged' })),
    ).rejects.toMatchObject({
      name: 'BadRequestException',
      message: 'NextToken is not valid: pass the NextToken of the previous page, or none for the first page.',
    });
  });

  it('denies every operation with ForbiddenException (403) naming the action and resource', async () => {
    edge.faults.set({ schemas: { denyAccess: true } });

    await expect(schemas.send(new ListSchemasCommand({ RegistryName: 'paged' }))).rejects.toMatchObject({
      name: 'ForbiddenException',
      $metadata: { httpStatusCode: 403 },
      message: `User: arn:aws:iam::000000000000:user/local is not authorized to perform: schemas:ListSchemas on resource: arn:aws:schemas:${edge.region}:000000000000:registry/paged (injected fault)`,
    });
    expect(edge.faults.counts['schemas.denied']).toBe(1);
  });

  it('denies only the listed operations', async () => {
    edge.faults.set({ schemas: { denyAccess: ['DescribeSchema'] } });

    const listed = await schemas.send(new ListSchemasCommand({ RegistryName: 'paged', Limit: 1 }));
    const described = schemas.send(new DescribeSchemaCommand({ RegistryName: 'paged', SchemaName: 'b' }));

    expect(listed.Schemas).toHaveLength(1);
    await expect(described).rejects.toMatchObject({
      name: 'ForbiddenException',
      message: expect.stringContaining(
        `schemas:DescribeSchema on resource: arn:aws:schemas:${edge.region}:000000000000:schema/paged/b`,
      ),
    });
  });

  it('answers DescribeSchema with corrupt content for the chosen version only', async () => {
    edge.faults.set({ schemas: { corruptContent: [{ schemaName: 'a', schemaVersion: '2' }] } });

    const corrupt = await schemas.send(new DescribeSchemaCommand({ RegistryName: 'paged', SchemaName: 'a' }));
    const intact = await schemas.send(
      new DescribeSchemaCommand({ RegistryName: 'paged', SchemaName: 'a', SchemaVersion: '1' }),
    );

    expect(corrupt.Content).toBe(v2.slice(0, Math.floor(v2.length / 2)));
    expect(() => JSON.parse(corrupt.Content ?? '')).toThrow(SyntaxError);
    expect(intact.Content).toBe(v1);
  });

  it.each([
    [{ schemas: { denyAccess: 'yes' } }, /schemas.denyAccess is "yes"/],
    [{ schemas: { corruptContent: [{ schemaVersion: '1' }] } }, /schemas.corruptContent\[0\]/],
  ])('rejects a bad schemas fault plan: %j', (plan, message) => {
    expect(() => edge.faults.set(plan as never)).toThrow(message);
  });
});
