import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { inject } from 'vitest';

/**
 * The monorepo this plugin lives in.
 *
 * @example const nxJson = join(workspaceRoot, 'nx.json');
 */
export const workspaceRoot = join(import.meta.dirname, '..', '..', '..', '..');

/**
 * A throwaway git checkout holding a copy of the workspace's files: the shared copy's own repository
 * ({@link copyWorkspace}) or a `git worktree` of it ({@link workspaceCopy}).
 *
 * @example const copy: WorkspaceCopy = workspaceCopy('affected'); copy.nx('show', 'projects');
 */
export interface WorkspaceCopy {
  /** The copy's root folder (a temp dir). */
  readonly root: string;
  /**
   * The environment every command in the copy runs with: Nx daemon and cloud off, Nx cache and data inside the copy,
   * and the shared task cache of every copy of this test run as Nx's remote cache (see {@link SharedWorkspaceCopy}).
   */
  readonly env: NodeJS.ProcessEnv;
  /** Runs git in the copy and returns its trimmed stdout. */
  git(...args: string[]): string;
  /** Runs the workspace's Nx CLI in the copy and returns its trimmed stdout. */
  nx(...args: string[]): string;
  /** Runs any command in the copy (e.g. `npx eslint …`) and returns its trimmed stdout. */
  run(command: string, args: readonly string[], cwd?: string): string;
  /** Deletes the copy (a worktree: and its git metadata in the shared copy). */
  remove(): void;
}

/**
 * The environment of commands run in a copy: the caller's, minus anything that would point Nx or git back at the
 * real workspace (an outer `nx run` sets `NX_*` variables; a git hook sets `GIT_DIR`), plus Nx kept offline and
 * its cache and workspace data inside the copy. Nx finds a cached result through its workspace-data database, which
 * also holds the copy's project graph: that directory cannot be shared between checkouts (a process waiting for
 * another's graph would read it), so the copies share results through `cacheServer`, Nx's self-hosted remote cache.
 */
function copyEnvironment(root: string, cacheServer?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('NX_') && !key.startsWith('GIT_') && key !== 'VITEST' && !key.startsWith('VITEST_')) {
      env[key] = value;
    }
  }
  return {
    ...env,
    CI: 'true',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
    NX_SKIP_NX_CACHE: 'false',
    NX_CACHE_DIRECTORY: join(root, '.nx', 'cache'),
    NX_WORKSPACE_DATA_DIRECTORY: join(root, '.nx', 'workspace-data'),
    ...(cacheServer ? { NX_SELF_HOSTED_REMOTE_CACHE_SERVER: cacheServer } : {}),
    GIT_AUTHOR_NAME: 'Workspace Copy',
    GIT_AUTHOR_EMAIL: 'copy@example.com',
    GIT_COMMITTER_NAME: 'Workspace Copy',
    GIT_COMMITTER_EMAIL: 'copy@example.com',
  };
}

/** The npm scope of the workspace's own packages. */
const WORKSPACE_SCOPE = '@outboxed';

/**
 * Gives the copy a `node_modules` of its own whose entries link to the real workspace's installed packages (nothing
 * is installed), except the workspace's own packages: `@outboxed/*` link to the copy's projects, so code generated
 * in the copy resolves to the copy. {@link linkWorkspacePackage} adds one for a project created later.
 */
function linkNodeModules(source: string, root: string): void {
  const real = join(source, 'node_modules');
  const linked = join(root, 'node_modules');
  mkdirSync(join(linked, WORKSPACE_SCOPE), { recursive: true });
  for (const entry of readdirSync(real)) {
    if (entry !== WORKSPACE_SCOPE && entry !== '.vite' && entry !== '.cache') {
      symlinkSync(join(real, entry), join(linked, entry));
    }
  }
  for (const entry of readdirSync(join(real, WORKSPACE_SCOPE))) {
    symlinkSync(readlinkSync(join(real, WORKSPACE_SCOPE, entry)), join(linked, WORKSPACE_SCOPE, entry));
  }
}

/**
 * Links `node_modules/@outboxed/<name>` to `<projectRoot>` in a copy, as `npm install` would for a new workspace
 * package (tests never run npm install).
 *
 * @example linkWorkspacePackage(copy, 'billing-consumer', 'apps/billing-consumer');
 */
export function linkWorkspacePackage(copy: WorkspaceCopy, name: string, projectRoot: string): void {
  symlinkSync(join('..', '..', projectRoot), join(copy.root, 'node_modules', WORKSPACE_SCOPE, name));
}

/** A checkout at `root` whose commands run with `env` (see {@link WorkspaceCopy}). */
function checkout(root: string, env: NodeJS.ProcessEnv, remove: () => void): WorkspaceCopy {
  const run = (command: string, args: readonly string[], cwd: string = root): string => {
    try {
      return execFileSync(command, args, {
        cwd,
        env,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        maxBuffer: 64 * 1024 * 1024,
      }).trim();
    } catch (error) {
      // The command's own output (a failing test's report goes to stdout) is what a CI log needs.
      const failed = error as Error & { stdout?: string; stderr?: string };
      const tail = (text: string | null = '') => (text ?? '').split('\n').slice(-120).join('\n');
      throw new Error(
        `${failed.message}\n--- stdout (last 120 lines) ---\n${tail(failed.stdout)}\n--- stderr ---\n${tail(failed.stderr)}`,
        { cause: error },
      );
    }
  };
  return {
    root,
    env,
    git: (...args) => run('git', args),
    nx: (...args) =>
      run(process.execPath, [join(root, 'node_modules', 'nx', 'dist', 'bin', 'nx.js'), ...args]),
    run,
    remove,
  };
}

/**
 * Copies the workspace's files (tracked and untracked-but-not-ignored, as `git ls-files` lists them) into a temp
 * dir, links the root `node_modules` (nothing is installed), and commits them as the first commit of a new git
 * repository on `main`. Tests then commit changes and ask Nx what they affect, or generate code and run its checks,
 * without touching the real workspace. Test files share one such copy and each works in a worktree of it
 * ({@link workspaceCopy}); this is the copy itself, made once per test run (workspace-copy.setup.ts).
 *
 * @example
 * const copy = copyWorkspace();
 * copy.git('commit', '--allow-empty', '-m', 'nothing');
 * copy.nx('show', 'projects', '--affected', '--base=HEAD~1');
 * copy.remove();
 */
export function copyWorkspace(source: string = workspaceRoot, cacheServer?: string): WorkspaceCopy {
  const root = mkdtempSync(join(tmpdir(), 'outboxed-workspace-'));
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: source,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((file) => file !== '' && existsSync(join(source, file)));
  for (const file of files) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    cpSync(join(source, file), join(root, file), { dereference: false });
  }
  linkNodeModules(source, root);

  const copy = checkout(root, copyEnvironment(root, cacheServer), () =>
    rmSync(root, { recursive: true, force: true }),
  );
  copy.git('init', '--quiet', '--initial-branch=main');
  copy.git('add', '--all');
  copy.git('commit', '--quiet', '--no-verify', '-m', 'workspace copy');
  return copy;
}

/**
 * The one copy of the workspace a test run shares ({@link copyWorkspace}, made by workspace-copy.setup.ts and
 * handed to the test files with vitest's `provide`/`inject`), and the address of the task cache every checkout of
 * it shares: a task with the same inputs (Nx's hash does not depend on the checkout's path) computed in one test
 * file's worktree is restored in another's.
 *
 * @example const shared: SharedWorkspaceCopy = { root: copy.root, cacheServer: 'http://127.0.0.1:4321' };
 */
export interface SharedWorkspaceCopy {
  /** The shared copy's root: its `main` branch is the workspace as it was when the test run started. */
  readonly root: string;
  /** Nx's self-hosted remote cache (`NX_SELF_HOSTED_REMOTE_CACHE_SERVER`) of this test run. */
  readonly cacheServer: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    sharedWorkspaceCopy: SharedWorkspaceCopy;
  }
}

/**
 * A `git worktree` of the shared copy, detached at its `main`, with a `node_modules` linked as the copy's is, so
 * test files running at the same time never see each other's edits, branches or Nx project graph. `name` names the
 * worktree's folder (which test file it belongs to).
 *
 * @example const copy = worktreeOf(inject('sharedWorkspaceCopy'), 'affected');
 */
export function worktreeOf(shared: SharedWorkspaceCopy, name: string): WorkspaceCopy {
  const root = mkdtempSync(join(tmpdir(), `outboxed-worktree-${name}-`));
  rmSync(root, { recursive: true });
  execFileSync('git', ['worktree', 'add', '--quiet', '--detach', root, 'main'], {
    cwd: shared.root,
    env: copyEnvironment(shared.root),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  linkNodeModules(workspaceRoot, root);
  return checkout(root, copyEnvironment(root, shared.cacheServer), () => {
    rmSync(root, { recursive: true, force: true });
    // the shared copy may be gone already (its teardown ran); then so is the worktree's metadata
    if (existsSync(shared.root))
      execFileSync('git', ['worktree', 'prune'], { cwd: shared.root, env: copyEnvironment(shared.root) });
  });
}

/**
 * The workspace copy a test file works in: a worktree of the test run's shared copy ({@link worktreeOf}), or,
 * when no shared copy was provided (a vitest config without workspace-copy.setup.ts), a copy of its own.
 *
 * @example
 * beforeAll(() => { copy = workspaceCopy('affected'); });
 * afterAll(() => copy?.remove());
 */
export function workspaceCopy(name: string): WorkspaceCopy {
  const shared = inject('sharedWorkspaceCopy');
  return shared ? worktreeOf(shared, name) : copyWorkspace();
}
