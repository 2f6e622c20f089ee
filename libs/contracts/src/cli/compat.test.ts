import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SCHEMAS_DIR } from '../codegen/paths.ts';
import { startSchemaRegistryServer } from '../testing/schema-registry-server.ts';
import { compat } from './compat.ts';
import type { CliIo } from './io.ts';

const run = promisify(execFile);
const git = (cwd: string, ...args: string[]) =>
  run(
    'git',
    ['-c', 'user.email=test@example.com', '-c', 'user.name=test', '-c', 'init.defaultBranch=main', ...args],
    { cwd },
  );

const ioFactory = () => {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l) };
  return { io, out, err };
};

let repo: string;
let schemas: string;
const v2Path = () => join(schemas, 'outboxed.users@UserCreated', 'v2.json');

async function editV2(
  change: (schema: {
    definitions: Record<string, { properties: Record<string, unknown>; required: string[] }>;
  }) => void,
) {
  const schema = JSON.parse(await readFile(v2Path(), 'utf8'));
  change(schema);
  await writeFile(v2Path(), JSON.stringify(schema, null, 2));
}

beforeEach(async () => {
  repo = await mkdtemp(join(tmpdir(), 'contracts-compat-'));
  schemas = join(repo, 'schemas');
  await cp(SCHEMAS_DIR, schemas, { recursive: true });
  await git(repo, 'init', '-q');
  await git(repo, 'add', '.');
  await git(repo, 'commit', '-qm', 'publish v1 and v2');
  vi.stubEnv('NX_BASE', '');
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await rm(repo, { recursive: true, force: true });
});

describe('contracts compat', () => {
  it('passes for the committed schemas (v2 only adds an optional field to closed data)', async () => {
    const { io, out } = ioFactory();

    expect(await compat(['--schemas', schemas, '--base', 'HEAD'], io)).toBe(0);
    expect(out).toEqual(['Schemas compatible under BACKWARD_TRANSITIVE (1 comparison, git base HEAD).']);
  });

  it('fails when a published version is edited in place incompatibly, against the git base', async () => {
    await editV2((s) => {
      delete s.definitions['UserCreatedData']?.properties['name'];
    });
    const { io, err } = ioFactory();

    expect(await compat(['--schemas', schemas, '--base', 'HEAD'], io)).toBe(1);
    expect(err).toContain(
      'outboxed.users@UserCreated v2 (working tree) breaks BACKWARD compatibility with outboxed.users@UserCreated v2 at HEAD (BACKWARD_TRANSITIVE) at field detail.data.name: a property was removed from a closed content model (data carrying it is now rejected) [PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL at #/properties/detail/properties/data/properties/name] — readers on outboxed.users@UserCreated v2 (working tree) could not read data written with outboxed.users@UserCreated v2 at HEAD.',
    );
    expect(err).toContain(
      'outboxed.users@UserCreated v2 breaks BACKWARD compatibility with outboxed.users@UserCreated v1 (BACKWARD_TRANSITIVE) at field detail.data.name: a property was removed from a closed content model (data carrying it is now rejected) [PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL at #/properties/detail/properties/data/properties/name] — readers on outboxed.users@UserCreated v2 could not read data written with outboxed.users@UserCreated v1.',
    );
    expect(err.at(-1)).toBe(
      '2 compatibility violations under BACKWARD_TRANSITIVE. Publish the change as a compatible new version (e.g. add optional fields only), or choose another mode on purpose.',
    );
  });

  it('fails a new version that adds a required field, naming the field and rule', async () => {
    await editV2((s) => {
      s.definitions['UserCreatedData']?.required.push('locale');
    });
    const { io, err } = ioFactory();

    expect(await compat(['--schemas', schemas, '--base', 'HEAD'], io)).toBe(1);
    expect(err.filter((l) => l.includes('REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL at'))).toHaveLength(
      1,
    );
    expect(err.join('\n')).toContain(
      'at field detail.data.locale: a required property (without a default) was added',
    );
  });

  it('fails v2 under FULL_TRANSITIVE: older readers of closed data reject the new field', async () => {
    const { io, err } = ioFactory();

    expect(await compat(['--schemas', schemas, '--base', 'HEAD', '--mode', 'FULL_TRANSITIVE'], io)).toBe(1);
    expect(err[0]).toContain(
      'breaks FORWARD compatibility with outboxed.users@UserCreated v1 (FULL_TRANSITIVE) at field detail.data.locale',
    );
  });

  it('uses HEAD~1 as the base when no base is given on main', async () => {
    await editV2((s) => {
      delete s.definitions['UserCreatedData']?.properties['locale'];
    });
    await git(repo, 'commit', '-qam', 'drop locale');
    const { io, err } = ioFactory();

    expect(await compat(['--schemas', schemas], io)).toBe(1);
    expect(err[0]).toContain(
      'with outboxed.users@UserCreated v2 at HEAD~1 (BACKWARD_TRANSITIVE) at field detail.data.locale',
    );
  });

  it('skips the git comparison, saying so, outside a repository', async () => {
    await rm(join(repo, '.git'), { recursive: true, force: true });
    const { io, out } = ioFactory();

    expect(await compat(['--schemas', schemas], io)).toBe(0);
    expect(out[0]).toBe(
      'No git base found (no --base, no NX_BASE, no main, no HEAD~1): published versions not compared with git.',
    );
  });

  it('compares each file with the same version published in the registry', async () => {
    const v1 = await readFile(join(schemas, 'outboxed.users@UserCreated', 'v1.json'), 'utf8');
    const published = JSON.parse(await readFile(v2Path(), 'utf8'));
    published.definitions.UserCreatedData.properties.nickname = { type: 'string' };
    const server = await startSchemaRegistryServer({
      'outboxed-users': { 'outboxed.users@UserCreated': [v1, JSON.stringify(published)] },
    });
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    const { io, err } = ioFactory();
    try {
      const code = await compat(
        ['--schemas', schemas, '--no-git', '--against-registry', '--endpoint', server.endpoint],
        io,
      );

      expect(code).toBe(1);
      expect(err[0]).toBe(
        'outboxed.users@UserCreated v2 (file) breaks BACKWARD compatibility with outboxed.users@UserCreated v2 in registry outboxed-users (BACKWARD_TRANSITIVE) at field detail.data.nickname: a property was removed from a closed content model (data carrying it is now rejected) [PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL at #/properties/detail/properties/data/properties/nickname] — readers on outboxed.users@UserCreated v2 (file) could not read data written with outboxed.users@UserCreated v2 in registry outboxed-users.',
      );
    } finally {
      await server.stop();
    }
  });

  it('passes against a registry holding exactly the files', async () => {
    const read = (v: number) => readFile(join(schemas, 'outboxed.users@UserCreated', `v${v}.json`), 'utf8');
    const server = await startSchemaRegistryServer({
      'outboxed-users': { 'outboxed.users@UserCreated': [await read(1), await read(2)] },
    });
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    const { io, out } = ioFactory();
    try {
      const code = await compat(
        ['--schemas', schemas, '--no-git', '--against-registry', '--endpoint', server.endpoint],
        io,
      );

      expect(code).toBe(0);
      expect(out).toEqual([
        'Git comparison skipped (--no-git).',
        'Schemas compatible under BACKWARD_TRANSITIVE (1 comparison).',
      ]);
    } finally {
      await server.stop();
    }
  });

  it.each([
    [
      ['--mode', 'SIDEWAYS'],
      '--mode "SIDEWAYS" is not a compatibility mode: use one of BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE, NONE.',
    ],
    [['--base', 'no-such-ref'], '--base "no-such-ref" is not a commit in this repository'],
  ])('rejects %j', async (args, message) => {
    await expect(compat(['--schemas', schemas, ...args], ioFactory().io)).rejects.toThrow(message);
  });
});
