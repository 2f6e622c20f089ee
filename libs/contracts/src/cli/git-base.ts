import { execFile } from 'node:child_process';
import { relative } from 'node:path';
import { promisify } from 'node:util';
import { ContractError } from '../errors.ts';

const run = promisify(execFile);

/**
 * The git commit schema files are compared with, and the repository's top folder.
 *
 * @example { ref: 'origin/main', top: '/repo' }
 */
export interface GitBase {
  readonly ref: string;
  readonly top: string;
}

async function git(cwd: string, args: string[]): Promise<string | undefined> {
  try {
    const { stdout } = await run('git', args, { cwd, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch {
    return undefined;
  }
}

/**
 * The git base for in-place edit checks: `explicit` (`--base`), else `$NX_BASE`, else the merge base with `main`
 * when HEAD is not on it, else `HEAD~1`; `undefined` with no git history at all.
 *
 * @example const base = await resolveBase(values.base, schemasDir);
 */
export async function resolveBase(explicit: string | undefined, cwd: string): Promise<GitBase | undefined> {
  const top = (await git(cwd, ['rev-parse', '--show-toplevel']))?.trim();
  if (!top) {
    if (explicit) throw new ContractError(`--base ${explicit}: ${cwd} is not inside a git repository.`);
    return undefined;
  }
  const verify = async (ref: string) =>
    (await git(cwd, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]))?.trim();
  if (explicit) {
    if (!(await verify(explicit)))
      throw new ContractError(
        `--base "${explicit}" is not a commit in this repository: give a branch, tag or sha (e.g. origin/main).`,
      );
    return { ref: explicit, top };
  }
  const fromEnv = process.env['NX_BASE'];
  if (fromEnv && (await verify(fromEnv))) return { ref: fromEnv, top };
  const head = await verify('HEAD');
  const main = await verify('main');
  if (main && head) {
    const mergeBase = (await git(cwd, ['merge-base', 'main', 'HEAD']))?.trim();
    if (mergeBase && mergeBase !== head) return { ref: mergeBase, top };
  }
  if (await verify('HEAD~1')) return { ref: 'HEAD~1', top };
  return undefined;
}

/**
 * A file's content at the base, or `undefined` when it did not exist there.
 *
 * @example const before = await showAtBase(base, join(schemasDir, 'x@Y', 'v1.json'));
 */
export async function showAtBase(base: GitBase, file: string): Promise<string | undefined> {
  const path = relative(base.top, file).split('\\').join('/');
  return git(base.top, ['show', `${base.ref}:${path}`]);
}
