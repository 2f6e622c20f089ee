import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { GeneratedFile } from './generate.ts';

/**
 * How committed generated code differs from what the schemas produce.
 *
 * @example { missing: ['x/v3-producer.ts'], extra: [], changed: ['x/v1-consumer.ts'] }
 */
export interface Drift {
  readonly missing: readonly string[];
  readonly extra: readonly string[];
  readonly changed: readonly string[];
}

/**
 * Compares the files in `generatedDir` with `expected` (paths relative to it).
 *
 * @example const drift = await compareGenerated(GENERATED_DIR, await generateTypes(documents));
 */
export async function compareGenerated(
  generatedDir: string,
  expected: readonly GeneratedFile[],
): Promise<Drift> {
  const actual = new Map<string, string>();
  for (const path of await listFiles(generatedDir)) {
    actual.set(relative(generatedDir, path), await readFile(path, 'utf8'));
  }
  const wanted = new Map(expected.map((f) => [f.path, f.content]));
  return {
    missing: [...wanted.keys()].filter((p) => !actual.has(p)).sort(),
    extra: [...actual.keys()].filter((p) => !wanted.has(p)).sort(),
    changed: [...wanted.entries()]
      .filter(([p, content]) => actual.has(p) && actual.get(p) !== content)
      .map(([p]) => p)
      .sort(),
  };
}

/**
 * True when nothing differs.
 *
 * @example if (!isClean(drift)) process.exitCode = 1;
 */
export function isClean(drift: Drift): boolean {
  return drift.missing.length + drift.extra.length + drift.changed.length === 0;
}

async function listFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(path)));
    else files.push(path);
  }
  return files;
}
