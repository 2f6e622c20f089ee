import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { GENERATED_DIR, SCHEMAS_DIR } from '../codegen/paths.ts';
import type { Edge, EdgeRequest } from '@outboxed/local-aws';
import { REGISTRY_PAGE_SIZE, startRegistry } from '../testing/registry-contents.ts';
import type { RegistryContents } from '../testing/registry-contents.ts';
import { codegen } from './codegen.ts';
import type { CliIo } from './io.ts';

const SCHEMA = 'outboxed.users@UserCreated';
/** Every committed version of UserCreated, oldest first (v1.json, v2.json, …). */
const VERSIONS: string[] = [];
for (let v = 1; ; v += 1) {
  const text = await readFile(join(SCHEMAS_DIR, SCHEMA, `v${v}.json`), 'utf8').catch(() => undefined);
  if (text === undefined) break;
  VERSIONS.push(text);
}
const [V1 = '', V2 = ''] = VERSIONS;
/** The registry names the EventSchemas construct publishes: the canonical name, then each version pinned. */
const REGISTRY_NAMES = [SCHEMA, ...VERSIONS.map((_, i) => `${SCHEMA}.v${i + 1}`)];

/** The registry as the EventSchemas construct leaves it after deploying every version in turn. */
const deployedRegistry = (): RegistryContents => ({
  'outboxed-users': {
    [SCHEMA]: VERSIONS,
    ...Object.fromEntries(VERSIONS.map((text, i) => [`${SCHEMA}.v${i + 1}`, [text]])),
  },
});

const ioFactory = () => {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l) };
  return { io, out, err };
};

async function readTree(dir: string): Promise<Record<string, string>> {
  const tree: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      tree[path.slice(dir.length + 1)] = await readFile(path, 'utf8');
    }
  }
  return tree;
}

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'contracts-codegen-'));
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await rm(work, { recursive: true, force: true });
});

/** What the registry was asked: method, decoded path and query of each call, in order. */
const asked = (requests: readonly EdgeRequest[]) =>
  requests.map(({ method, path, query }) => ({ method, path, query }));

describe('codegen from a schema registry', () => {
  let server: Edge;
  let requests: EdgeRequest[];
  beforeAll(async () => {
    ({ edge: server, requests } = await startRegistry(deployedRegistry()));
  });
  afterAll(() => server.stop());

  it('downloads every version with the real client-schemas and writes exactly the committed generated code', async () => {
    const out = join(work, 'generated');
    requests.length = 0;

    const code = await codegen(['--endpoint', server.endpoint, '--out', out], ioFactory().io);

    expect(code).toBe(0);
    expect(await readTree(out)).toEqual(await readTree(GENERATED_DIR));
    /** The pages of one list call at `path`, each asking for the NextToken the previous page answered. */
    const pagesOf = (path: string, items: number) => {
      const answered = requests
        .filter((r) => r.path === path)
        .map((r) => (r.output as { NextToken?: string }).NextToken);
      return Array.from({ length: Math.max(1, Math.ceil(items / REGISTRY_PAGE_SIZE)) }, (_, page) => ({
        method: 'GET',
        path,
        query:
          page === 0 ? {} : { nextToken: answered[page - 1] ?? 'the previous page answered no NextToken' },
      }));
    };
    expect(asked(requests)).toEqual([
      // ListSchemas pages, then each name's ListSchemaVersions pages and contents
      ...pagesOf('/v1/registries/name/outboxed-users/schemas', REGISTRY_NAMES.length),
      ...REGISTRY_NAMES.flatMap((name) => {
        const versions = name === SCHEMA ? VERSIONS.map((_, i) => String(i + 1)) : ['1'];
        return [
          ...pagesOf(`/v1/registries/name/outboxed-users/schemas/name/${name}/versions`, versions.length),
          ...versions.map((v) => ({
            method: 'GET',
            path: `/v1/registries/name/outboxed-users/schemas/name/${name}`,
            query: { schemaVersion: v },
          })),
        ];
      }),
    ]);
  });

  it('heads each file with its registry, schema name, version and view', async () => {
    const out = join(work, 'generated');

    await codegen(['--endpoint', server.endpoint, '--out', out], ioFactory().io);

    const file = await readFile(join(out, 'outboxed-users-user-created', 'v2-consumer.ts'), 'utf8');
    expect(file.split('\n').slice(4, 8)).toEqual([
      ' * Registry: outboxed-users',
      ' * Schema: outboxed.users@UserCreated',
      ' * Version: 2',
      ' * View: consumer (tolerant: the fields a consumer may rely on; unknown fields allowed)',
    ]);
  });

  it('lists what the registry holds without writing', async () => {
    const { io, out } = ioFactory();

    const code = await codegen(['--endpoint', server.endpoint, '--list', '--out', join(work, 'none')], io);

    expect(code).toBe(0);
    expect(out).toEqual(VERSIONS.map((_, i) => `outboxed-users/outboxed.users@UserCreated/${i + 1}`));
    await expect(readdir(work)).resolves.toEqual([]);
  });

  it('downloads one schema version when asked, using the schema name prefix', async () => {
    const { io, out } = ioFactory();
    requests.length = 0;

    await codegen(
      [
        '--endpoint',
        server.endpoint,
        '--list',
        '--schema',
        'outboxed.users@UserCreated',
        '--schema-version',
        '1',
      ],
      io,
    );

    expect(out).toEqual(['outboxed-users/outboxed.users@UserCreated/1']);
    expect(asked(requests)[0]).toEqual({
      method: 'GET',
      path: '/v1/registries/name/outboxed-users/schemas',
      query: { schemaNamePrefix: 'outboxed.users@UserCreated' },
    });
  });

  it.each([
    [['--registry', 'nope'], 'Schema registry nope: not found (Registry with name nope does not exist.)'],
    [
      ['--schema', 'outboxed.users@UserDeleted'],
      'Schema registry outboxed-users/outboxed.users@UserDeleted: not found',
    ],
    [
      ['--schema', 'outboxed.users@UserCreated', '--schema-version', '7'],
      'Schema registry outboxed-users/outboxed.users@UserCreated/7: not found',
    ],
  ])('fails naming the registry/schema/version that is missing (%j)', async (args, message) => {
    await expect(codegen(['--endpoint', server.endpoint, ...args], ioFactory().io)).rejects.toThrow(message);
  });
});

describe('codegen registry failures', () => {
  it('fails naming the registry when access is denied', async () => {
    const { edge: server } = await startRegistry(deployedRegistry());
    server.faults.set({ schemas: { denyAccess: true } });
    try {
      await expect(codegen(['--endpoint', server.endpoint], ioFactory().io)).rejects.toThrow(
        /^Schema registry outboxed-users: access denied \(User: \S+ is not authorized to perform: schemas:ListSchemas/,
      );
    } finally {
      await server.stop();
    }
  });

  it('fails naming the registry when it is unreachable', async () => {
    const { edge: server } = await startRegistry({});
    await server.stop();

    await expect(codegen(['--endpoint', server.endpoint], ioFactory().io)).rejects.toThrow(
      /^Schema registry outboxed-users: unreachable \(ECONNREFUSED/,
    );
  });

  it('fails naming registry/schema/version when a registry schema is not JSON', async () => {
    const { edge: server } = await startRegistry({
      'outboxed-users': { 'outboxed.users@UserCreated': [V1, V2] },
    });
    // The registry API rejects content that is not JSON, so the edge corrupts version 2 on the way out.
    server.faults.set({
      schemas: { corruptContent: [{ schemaName: 'outboxed.users@UserCreated', schemaVersion: '2' }] },
    });
    try {
      await expect(codegen(['--endpoint', server.endpoint], ioFactory().io)).rejects.toThrow(
        /^outboxed-users\/outboxed.users@UserCreated\/2: is not JSON/,
      );
    } finally {
      await server.stop();
    }
  });

  it('fails when one version was published twice with different content', async () => {
    const altered = V1.replace('"maxLength": 200', '"maxLength": 300');
    const { edge: server } = await startRegistry({
      'outboxed-users': { 'outboxed.users@UserCreated': [V1], 'outboxed.users@UserCreated.v1': [altered] },
    });
    try {
      await expect(codegen(['--endpoint', server.endpoint], ioFactory().io)).rejects.toThrow(
        'outboxed-users/outboxed.users@UserCreated.v1/1: holds outboxed.users@UserCreated v1 with content different from outboxed-users/outboxed.users@UserCreated/1',
      );
    } finally {
      await server.stop();
    }
  });
});

describe('codegen from files', () => {
  it('writes the committed generated code offline', async () => {
    const out = join(work, 'generated');

    const code = await codegen(['--from-files', '--out', out], ioFactory().io);

    expect(code).toBe(0);
    expect(await readTree(out)).toEqual(await readTree(GENERATED_DIR));
  });

  it.each([
    ['not JSON', '{ "type": ', /v2\.json: is not JSON/],
    [
      'not a valid draft-4 schema',
      '{ "type": "object", "required": [] }',
      /v2\.json: is not a valid JSON Schema draft 4: \/required must NOT have fewer than 1 items/,
    ],
    [
      'a schema with a misspelt keyword',
      JSON.stringify({ type: 'object', properties: { a: { type: 'string', maxLenght: 3 } } }),
      /v2\.json: does not compile as a draft-4 schema in strict mode \(strict mode: unknown keyword: "maxLenght"\)/,
    ],
    [
      'an unresolved $ref',
      JSON.stringify({ type: 'object', properties: { a: { $ref: '#/definitions/Missing' } } }),
      /v2\.json: has unresolved \$ref "#\/definitions\/Missing"/,
    ],
  ])(
    'fails naming the file when a schema is %s, and leaves the generated folder as it was',
    async (_case, content, message) => {
      const schemas = join(work, 'schemas');
      const out = join(work, 'generated');
      await cp(SCHEMAS_DIR, schemas, { recursive: true });
      await cp(GENERATED_DIR, out, { recursive: true });
      await writeFile(join(schemas, 'outboxed.users@UserCreated', 'v2.json'), content);

      await expect(
        codegen(['--from-files', '--schemas', schemas, '--out', out], ioFactory().io),
      ).rejects.toThrow(message);

      expect(await readTree(out)).toEqual(await readTree(GENERATED_DIR));
      expect(await readdir(work)).toEqual(expect.arrayContaining(['generated', 'schemas']));
      expect(await readdir(work)).toHaveLength(2);
    },
  );
});

describe('codegen command line', () => {
  it('exits non-zero with the error naming the bad file on stderr', async () => {
    const schemas = join(work, 'schemas');
    await cp(SCHEMAS_DIR, schemas, { recursive: true });
    const bad = join(schemas, 'outboxed.users@UserCreated', 'v1.json');
    await writeFile(bad, 'not json');

    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [
          '--import',
          'tsx',
          join(import.meta.dirname, 'codegen.ts'),
          '--from-files',
          '--schemas',
          schemas,
          '--out',
          join(work, 'out'),
        ],
        { env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } },
        (error, _stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stderr }),
      );
    });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${bad}: is not JSON`);
    expect(await readdir(work)).toEqual(['schemas']);
  });
});
