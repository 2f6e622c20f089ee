import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WorkspaceRootNotFoundError } from './errors';

/**
 * The monorepo's root: the nearest folder at or above `from` that holds both `package-lock.json` and `nx.json`.
 * NodejsFunction bundles from it (`projectRoot`) and pins dependencies with its lock file. `from` defaults to this
 * file's folder (what a CDK app needs wherever it is run from); a command-line tool passes `process.cwd()`.
 *
 * @example const lock = join(findWorkspaceRoot(), 'package-lock.json');
 * @example const root = findWorkspaceRoot(process.cwd());
 */
export function findWorkspaceRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'package-lock.json')) && existsSync(join(dir, 'nx.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new WorkspaceRootNotFoundError(from);
    dir = parent;
  }
}
