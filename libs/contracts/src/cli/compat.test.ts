import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SCHEMAS_DIR } from '../codegen/paths.ts';
import { startRegistry } from '../testing/registry-contents.ts';
import { userCreatedVersions } from '../user-created.ts';
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
/** The latest committed version: the one a producer would edit in place. */
const LATEST = userCreatedVersions.length;
const latestPath = () => join(schemas, 'outboxed.users@UserCreated', `v${LATEST}.json`);

type EditableSchema = {
  definitions: Record<string, { properties: Record<string, unknown>; required: string[] }>;
};

/** UserCreated's `data` definition, which every version has. */
const data = (schema: EditableSchema) =>
  schema.definitions['UserCreatedData'] ?? { properties: {}, required: [] };

async function editLatest(change: (schema: EditableSchema) => void) {
  const schema = JSON.parse(await readFile(latestPath(), 'utf8'));
  change(schema);
  await writeFile(latestPath(), JSON.stringify(schema, null, 2));
}

beforeEach(async () => {
  repo = await mkdtemp(join(tmpdir(), 'contracts-compat-'));
  schemas = join(repo, 'schemas');
  await cp(SCHEMAS_DIR, schemas, { recursive: true });
  await git(repo, 'init', '-q');
  await git(repo, 'add', '.');
  await git(repo, 'commit', '-qm', 'publish every version');
  vi.stubEnv('NX_BASE', '');
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await rm(repo, { recursive: true, force: true });
});

/** Each committed version after the first is compared with the ones before it: one comparison each. */
const comparisons = userCreatedVersions.length - 1;

/** `RULE with <version> at <field>` of one violation line. */
const brokenRule = (line: string) => {
  const match =
    / breaks (BACKWARD|FORWARD) compatibility with (.+?) \(FULL_TRANSITIVE\) at field (\S+):/.exec(line);
  return match ? `${match[1]} with ${match[2]} at ${match[3]}` : line;
};

describe('contracts compat', () => {
  it('passes for the committed schemas under the evolution rule (each version only adds optional fields)', async () => {
    const { io, out } = ioFactory();

    expect(await compat(['--schemas', schemas, '--base', 'HEAD'], io)).toBe(0);
    expect(out).toEqual([
      `Schemas compatible under FULL_TRANSITIVE, tolerant readers (${comparisons} comparison${comparisons === 1 ? '' : 's'}, git base HEAD).`,
    ]);
  });

  it('fails when a published version is edited in place incompatibly, against the git base', async () => {
    await editLatest((s) => {
      s.definitions['UserCreatedData'] = {
        ...data(s),
        properties: { ...data(s).properties, name: { type: 'integer' } },
      };
    });
    const { io, err } = ioFactory();

    expect(await compat(['--schemas', schemas, '--base', 'HEAD'], io)).toBe(1);
    expect(err.filter((l) => l.includes('(working tree) breaks')).map(brokenRule)).toEqual([
      `BACKWARD with outboxed.users@UserCreated v${LATEST} at HEAD at detail.data.name`,
      `FORWARD with outboxed.users@UserCreated v${LATEST} at HEAD at detail.data.name`,
    ]);
    expect(err.at(-1)).toBe(
      `${err.length - 1} compatibility violations under FULL_TRANSITIVE, tolerant readers, in ${relative(process.cwd(), latestPath())}. A new version may only add optional fields: restore what the change removed or retyped, and publish a breaking change as a new major (schemas/<source>@<Name>V<N>/v1.json) beside the old one (docs/evolving-contracts.md).`,
    );
  });

  it('fails a published version made optional in place: readers of it rely on the field', async () => {
    await editLatest((s) => {
      s.definitions['UserCreatedData'] = { ...data(s), required: ['email', 'name', 'createdAt'] };
    });
    const { io, err } = ioFactory();

    expect(await compat(['--schemas', schemas, '--base', 'HEAD'], io)).toBe(1);
    expect(err.filter((l) => l.includes('(working tree) breaks')).map(brokenRule)).toEqual([
      `FORWARD with outboxed.users@UserCreated v${LATEST} at HEAD at detail.data.userId`,
    ]);
  });

  it('fails a new version that adds a required field, naming the field and rule', async () => {
    await editLatest((s) => {
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

  it('fails v2 with --readers as-published: older readers of closed data would reject the new field', async () => {
    const { io, err } = ioFactory();

    expect(await compat(['--schemas', schemas, '--base', 'HEAD', '--readers', 'as-published'], io)).toBe(1);
    expect(err[0]).toContain(
      'breaks FORWARD compatibility with outboxed.users@UserCreated v1 (FULL_TRANSITIVE) at field detail.data.locale',
    );
  });

  it('uses HEAD~1 as the base when no base is given on main', async () => {
    await editLatest((s) => {
      s.definitions['UserCreatedData'] = {
        ...data(s),
        properties: { ...data(s).properties, locale: { type: 'integer' } },
      };
    });
    await git(repo, 'commit', '-qam', 'locale as a number');
    const { io, err } = ioFactory();

    expect(await compat(['--schemas', schemas], io)).toBe(1);
    expect(err.join('\n')).toContain(
      `with outboxed.users@UserCreated v${LATEST} at HEAD~1 (FULL_TRANSITIVE) at field detail.data.locale`,
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
    const published = JSON.parse(await readFile(latestPath(), 'utf8'));
    published.definitions.UserCreatedData.properties.locale = { type: 'integer' };
    const { edge: server } = await startRegistry({
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
      expect(err.slice(0, -1).map(brokenRule)).toEqual([
        `BACKWARD with outboxed.users@UserCreated v${LATEST} in registry outboxed-users at detail.data.locale`,
        `FORWARD with outboxed.users@UserCreated v${LATEST} in registry outboxed-users at detail.data.locale`,
      ]);
    } finally {
      await server.stop();
    }
  });

  it('passes against a registry holding exactly the files', async () => {
    const read = (v: number) => readFile(join(schemas, 'outboxed.users@UserCreated', `v${v}.json`), 'utf8');
    const { edge: server } = await startRegistry({
      'outboxed-users': {
        'outboxed.users@UserCreated': await Promise.all(userCreatedVersions.map((c) => read(c.version))),
      },
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
        `Schemas compatible under FULL_TRANSITIVE, tolerant readers (${comparisons} comparison${comparisons === 1 ? '' : 's'}).`,
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
