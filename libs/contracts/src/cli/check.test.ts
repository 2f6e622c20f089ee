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

const run = (io: CliIo) => check([], io, { workspaceRoot: work, schemasDir, generatedDir });

describe('contracts check', () => {
  it('passes when generated code matches the schemas and every consumer expectation holds', async () => {
    await addConsumer('mail', 'valid-expectations.ts');
    const { io, out, err } = ioFactory();

    expect(await run(io)).toBe(0);
    expect(err).toEqual([]);
    expect(out).toEqual([
      'Generated code is up to date (4 files).',
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

  it('fails naming the consumer and field when a consumer reads a field the schema does not give', async () => {
    await addConsumer('mail', 'valid-expectations.ts');
    await addConsumer('greeter', 'broken-expectations.ts');
    const { io, err } = ioFactory();

    expect(await run(io)).toBe(1);
    expect(err).toEqual([
      `greeter-fixture (${join('apps', 'greeter', 'src', 'contract-expectations.ts')}): UserCreated v1 field detail.data.nickname: reads detail.data.nickname, which UserCreated v1 does not define.`,
      `greeter-fixture (${join('apps', 'greeter', 'src', 'contract-expectations.ts')}): UserCreated v2 field detail.data.nickname: reads detail.data.nickname, which UserCreated v2 does not define.`,
      '2 consumer expectations broken: the schemas no longer give consumers what they read. Keep the field (publish a compatible version) or change the consumer first.',
    ]);
  });

  it('fails naming the consumer and field when a schema change removes a field the consumer reads', async () => {
    await addConsumer('mail', 'valid-expectations.ts');
    const path = join(schemasDir, 'outboxed.users@UserCreated', 'v2.json');
    const schema = JSON.parse(await readFile(path, 'utf8'));
    delete schema.definitions.UserCreatedData.properties.email;
    schema.definitions.UserCreatedData.required = ['userId', 'name', 'createdAt'];
    await writeFile(path, JSON.stringify(schema));
    const { io, err } = ioFactory();

    expect(await run(io)).toBe(1);
    const file = join('apps', 'mail', 'src', 'contract-expectations.ts');
    expect(err.slice(1)).toEqual([
      `mail-fixture (${file}): UserCreated v2 field detail.data.email: reads detail.data.email (defined in v1), which the latest UserCreated v2, emitted by the producer, removed.`,
      `mail-fixture (${file}): UserCreated v2 field detail.data.email: reads detail.data.email, which UserCreated v2 does not define.`,
      '2 consumer expectations broken: the schemas no longer give consumers what they read. Keep the field (publish a compatible version) or change the consumer first.',
    ]);
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
