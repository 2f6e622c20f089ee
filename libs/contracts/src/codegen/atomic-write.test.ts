import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeGeneratedFolder } from './atomic-write.ts';

let work: string;
let target: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'contracts-atomic-'));
  target = join(work, 'generated');
  await mkdir(join(target, 'old'), { recursive: true });
  await writeFile(join(target, 'old', 'v1.ts'), 'old content');
});
afterEach(() => rm(work, { recursive: true, force: true }));

const files = [
  { path: 'x/v1-producer.ts', content: 'one' },
  { path: 'x/v1-consumer.ts', content: 'two' },
  { path: 'x/v2-producer.ts', content: 'three' },
];

describe('writeGeneratedFolder', () => {
  it('replaces the folder with exactly the new files and leaves nothing else behind', async () => {
    await writeGeneratedFolder(target, files);

    expect(await readdir(work)).toEqual(['generated']);
    expect((await readdir(target, { recursive: true })).sort()).toEqual([
      'x',
      'x/v1-consumer.ts',
      'x/v1-producer.ts',
      'x/v2-producer.ts',
    ]);
    expect(await readFile(join(target, 'x', 'v2-producer.ts'), 'utf8')).toBe('three');
  });

  it('creates the folder when it does not exist yet', async () => {
    await rm(target, { recursive: true });

    await writeGeneratedFolder(target, files);

    expect(await readFile(join(target, 'x', 'v1-producer.ts'), 'utf8')).toBe('one');
  });

  it('leaves no partial file and the old folder intact when a write fails mid-way', async () => {
    let writes = 0;
    const failingWrite: typeof writeFile = async (...args) => {
      writes += 1;
      if (writes === 2) throw new Error('disk full');
      return writeFile(...args);
    };

    await expect(writeGeneratedFolder(target, files, { writeFile: failingWrite, rename })).rejects.toThrow(
      'disk full',
    );

    expect(await readdir(work)).toEqual(['generated']);
    expect(await readdir(target, { recursive: true })).toEqual(['old', 'old/v1.ts']);
    expect(await readFile(join(target, 'old', 'v1.ts'), 'utf8')).toBe('old content');
  });

  it('restores the old folder when the swap fails', async () => {
    let renames = 0;
    const failingRename: typeof rename = async (from, to) => {
      renames += 1;
      if (renames === 2) throw new Error('EXDEV');
      return rename(from, to);
    };

    await expect(writeGeneratedFolder(target, files, { writeFile, rename: failingRename })).rejects.toThrow(
      'EXDEV',
    );

    expect(await readdir(work)).toEqual(['generated']);
    expect(await readFile(join(target, 'old', 'v1.ts'), 'utf8')).toBe('old content');
  });
});
