import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { GeneratedFile } from './generate.ts';

/**
 * Test seam: the file system calls `writeGeneratedFolder` makes.
 *
 * @example await writeGeneratedFolder(dir, files, { writeFile: failingWrite, rename });
 */
export interface AtomicWriteDeps {
  readonly writeFile: typeof writeFile;
  readonly rename: typeof rename;
}

const defaultDeps: AtomicWriteDeps = { writeFile, rename };

/**
 * Replaces the folder `target` with exactly `files`, atomically: every file is written into a temporary sibling
 * folder first, then the folders are swapped by rename. On any error the temporary folder is removed and
 * `target` is left as it was, so no half-written file ever appears in it.
 *
 * @example await writeGeneratedFolder(join(import.meta.dirname, '../generated'), files);
 */
export async function writeGeneratedFolder(
  target: string,
  files: readonly GeneratedFile[],
  deps: AtomicWriteDeps = defaultDeps,
): Promise<void> {
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  const staging = await mkdtemp(join(parent, `.${basename(target)}-staging-`));
  const retired = `${staging}-previous`;
  let swapped = false;
  try {
    for (const file of files) {
      const path = join(staging, file.path);
      await mkdir(dirname(path), { recursive: true });
      await deps.writeFile(path, file.content, 'utf8');
    }
    const hadTarget = await deps.rename(target, retired).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return false;
        throw error;
      },
    );
    try {
      await deps.rename(staging, target);
      swapped = true;
    } catch (error) {
      if (hadTarget) await rename(retired, target);
      throw error;
    }
    if (hadTarget) await rm(retired, { recursive: true, force: true });
  } finally {
    if (!swapped) await rm(staging, { recursive: true, force: true });
  }
}
