import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GENERATED_DIR, SCHEMAS_DIR } from '../codegen/paths.ts';
import { check } from './check.ts';
import type { CliIo } from './io.ts';

const ioFactory = () => {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l) };
  return { io, out, err };
};

const FIXTURES = join(import.meta.dirname, '..', 'expectations', 'fixtures');

/** Two type files per schema version plus one contracts index per schema. */
async function generatedCount(): Promise<number> {
  const { readdir } = await import('node:fs/promises');
  const files = await readdir(generatedDir, { recursive: true, withFileTypes: true });
  return files.filter((f) => f.isFile()).length;
}

let work: string;
let schemasDir: string;
let generatedDir: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'contracts-check-'));
  schemasDir = join(work, 'schemas');
  generatedDir = join(work, 'generated');
  await cp(SCHEMAS_DIR, schemasDir, { recursive: true });
  await cp(GENERATED_DIR, generatedDir, { recursive: true });
  await mkdir(join(work, 'apps'));
});
afterEach(() => rm(work, { recursive: true, force: true }));

async function addConsumer(app: string, fixture: string): Promise<void> {
  await mkdir(join(work, 'apps', app, 'src'), { recursive: true });
  await cp(join(FIXTURES, fixture), join(work, 'apps', app, 'src', 'contract-expectations.ts'));
}

async function addProducer(app: string): Promise<void> {
  await mkdir(join(work, 'apps', app, 'src'), { recursive: true });
  await cp(join(FIXTURES, 'publications.ts'), join(work, 'apps', app, 'src', 'contract-publications.ts'));
}

const run = (io: CliIo, argv: string[] = ['--no-git']) =>
  check(argv, io, { workspaceRoot: work, schemasDir, generatedDir });
const expectationsFile = (app: string) => join('apps', app, 'src', 'contract-expectations.ts');

describe('contracts check', () => {
  it('passes when generated code matches the schemas and every consumer expectation holds', async () => {
    await addConsumer('mail', 'valid-expectations.ts');
    const { io, out, err } = ioFactory();

    expect(await run(io)).toBe(0);
    expect(err).toEqual([]);
    expect(out).toEqual([
      `Generated code is up to date (${await generatedCount()} files).`,
      'Consumer expectations hold (1 consumer checked).',
    ]);
  });

  it('fails when a schema changed but the generated code was not regenerated (drift)', async () => {
    const path = join(schemasDir, 'outboxed.users@UserCreated', 'v2.json');
    const schema = JSON.parse(await readFile(path, 'utf8'));
    schema.definitions.UserCreatedData.properties.nickname = { type: 'string' };
    await writeFile(path, JSON.stringify(schema));
    const { io, err } = ioFactory();

    expect(await run(io)).toBe(1);
    expect(err[0]).toContain('differs from what the schema files produce');
    expect(err[0]).toContain('  differs: outboxed-users-user-created/v2-producer.ts');
    expect(err[0]).toContain('  differs: outboxed-users-user-created/v2-consumer.ts');
  });

  it.each([
    ['edited by hand', 'differs: outboxed-users-user-created/v1-producer.ts'],
    ['deleted', 'missing: outboxed-users-user-created/v1-producer.ts'],
  ])('fails when a generated file was %s', async (change, line) => {
    const path = join(generatedDir, 'outboxed-users-user-created', 'v1-producer.ts');
    if (change === 'deleted') await rm(path);
    else await writeFile(path, `${await readFile(path, 'utf8')}// tweak\n`);
    const { io, err } = ioFactory();

    expect(await run(io)).toBe(1);
    expect(err[0]).toContain(line);
  });

  it('fails when a generated file no schema produces is left over', async () => {
    await writeFile(join(generatedDir, 'stale.ts'), 'export {};\n');
    const { io, err } = ioFactory();

    expect(await run(io)).toBe(1);
    expect(err[0]).toContain('not produced by any schema: stale.ts');
  });

  it('fails naming the consumer, its file, the version, the field and the fix for a field no version defines', async () => {
    await addConsumer('mail', 'valid-expectations.ts');
    await addConsumer('greeter', 'broken-expectations.ts');
    const { io, err } = ioFactory();

    expect(await run(io)).toBe(1);
    expect(err).toEqual([
      `greeter-fixture (${expectationsFile('greeter')}): UserCreated v2 field detail.data.nickname: reads detail.data.nickname, which UserCreated v2 (the version it reads as) does not define. Fix: Fix the path, or read UserCreated as a version that defines detail.data.nickname.`,
      '1 consumer expectation broken: the schemas no longer give consumers what they read. Keep the field (publish a compatible version, or a breaking change as a new major) or change the consumer first.',
    ]);
  });

  it('fails naming the consumer and field when a schema change removes a field the consumer relies on', async () => {
    await addConsumer('mail', 'valid-expectations.ts');
    const path = join(schemasDir, 'outboxed.users@UserCreated', 'v2.json');
    const schema = JSON.parse(await readFile(path, 'utf8'));
    delete schema.definitions.UserCreatedData.properties.email;
    schema.definitions.UserCreatedData.required = ['userId', 'name', 'createdAt'];
    await writeFile(path, JSON.stringify(schema));
    const { io, err } = ioFactory();

    expect(await run(io)).toBe(1);
    expect(err.slice(1)).toEqual([
      `mail-fixture (${expectationsFile('mail')}): UserCreated v2 field detail.data.email: relies on detail.data.email, which UserCreated v2 does not define: its events lack it. Fix: Keep detail.data.email in every version of UserCreated (publish a breaking change as a new major), or move it to readsIfPresent.`,
      '1 consumer expectation broken: the schemas no longer give consumers what they read. Keep the field (publish a compatible version, or a breaking change as a new major) or change the consumer first.',
    ]);
  });

  it('fails when a consumer reads an event type no producer publishes', async () => {
    await addProducer('users');
    await mkdir(join(work, 'apps', 'late', 'src'), { recursive: true });
    await writeFile(
      join(work, 'apps', 'late', 'src', 'contract-expectations.ts'),
      "export const expectations = { consumer: 'late', subscriptions: [{ contract: { source: 'outboxed.users', detailType: 'UserCreatedV2', version: 1 }, reads: [] }] };\n",
    );
    const { io, err } = ioFactory();

    expect(await run(io)).toBe(1);
    expect(err).toContain(
      `late (${expectationsFile('late')}): UserCreatedV2 v1: subscribes to UserCreatedV2 from outboxed.users, which no contract defines (known: outboxed.users UserCreated). Fix: Subscribe to a published event type, or ask its producer to publish this one first.`,
    );
    expect(err).toContain(
      `late (${expectationsFile('late')}): reads UserCreatedV2 from outboxed.users, which no producer publishes. Fix: read a published major, or keep publishing this one until no consumer reads it.`,
    );
  });

  it('checks in-place edits against the schemas at the git base', async () => {
    const { execFileSync } = await import('node:child_process');
    const git = (...args: string[]) => execFileSync('git', args, { cwd: work, stdio: 'pipe' });
    git('init', '-q', '-b', 'main');
    git(
      '-c',
      'user.email=ci@example.com',
      '-c',
      'user.name=ci',
      'commit',
      '-q',
      '--allow-empty',
      '-m',
      'root',
    );
    await addConsumer('mail', 'valid-expectations.ts');
    const path = join(schemasDir, 'outboxed.users@UserCreated', 'v1.json');
    git('add', '.');
    git('-c', 'user.email=ci@example.com', '-c', 'user.name=ci', 'commit', '-q', '-m', 'published');
    const schema = JSON.parse(await readFile(path, 'utf8'));
    schema.definitions.UserCreatedData.properties.nickname = { type: 'string' };
    await writeFile(path, JSON.stringify(schema));
    git('-c', 'user.email=ci@example.com', '-c', 'user.name=ci', 'commit', '-q', '-am', 'edit v1 in place');
    schema.definitions.UserCreatedData.properties.name = { type: 'integer' };
    await writeFile(path, JSON.stringify(schema));
    const { io, err } = ioFactory();

    expect(await run(io, ['--base', 'HEAD~1'])).toBe(1);
    expect(err.filter((l) => l.startsWith('mail-fixture'))).toContain(
      `mail-fixture (${expectationsFile('mail')}): UserCreated v1 field detail.data.name: reads detail.data.name as type integer (v1), but UserCreated v1 at HEAD~1 has type string. Fix: Keep detail.data.name's type in UserCreated v1 at HEAD~1 as in v1 (publish a breaking change as a new major).`,
    );
  });

  it('fails naming the file when it does not export expectations', async () => {
    await mkdir(join(work, 'apps', 'odd', 'src'), { recursive: true });
    await writeFile(
      join(work, 'apps', 'odd', 'src', 'contract-expectations.ts'),
      'export const other = 1;\n',
    );

    await expect(run(ioFactory().io)).rejects.toThrow(
      `${join('apps', 'odd', 'src', 'contract-expectations.ts')}: does not export \`expectations\``,
    );
  });
});
