import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverConsumerPatterns } from './consumer-patterns.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');

describe('discoverConsumerPatterns', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'contracts-patterns-'));
    await mkdir(join(work, 'apps', 'mail', 'src'), { recursive: true });
    await cp(
      join(FIXTURES, 'valid-expectations.ts'),
      join(work, 'apps', 'mail', 'src', 'contract-expectations.ts'),
    );
  });
  afterAll(() => rm(work, { recursive: true, force: true }));

  it('gives each consumer app its file, the version it reads each event as and the rule pattern built from them', async () => {
    const [mail, ...others] = await discoverConsumerPatterns(work);

    expect(others).toEqual([]);
    expect(mail?.consumer).toBe('mail-fixture');
    expect(mail?.file).toBe(join('apps', 'mail', 'src', 'contract-expectations.ts'));
    expect(mail?.readers['outboxed.users UserCreated']).toMatchObject({ version: 1 });
    expect(mail?.pattern).toMatchObject({ source: ['outboxed.users'] });
  });
});
