import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The monorepo's root: the nearest folder above this file that holds `package-lock.json`.
 * NodejsFunction bundles from it (`projectRoot`) and pins dependencies with its lock file.
 *
 * @example const lock = join(findWorkspaceRoot(), 'package-lock.json');
 */
export function findWorkspaceRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'package-lock.json')) && existsSync(join(dir, 'nx.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(`No workspace root (a folder with package-lock.json and nx.json) above ${from}.`);
    }
    dir = parent;
  }
}
