import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import type { CreateDependencies, CreateDependenciesContext, FileData } from '@nx/devkit';
import { ContractGraphError } from '../errors';
import type { ContractGraph } from './contract-graph';
import { CONTRACT_GRAPH_CLI, contractGraphDependencies, parseContractGraph } from './contract-graph';

/**
 * Side effects of {@link loadContractGraph}: running the contracts CLI, and where its result is cached.
 *
 * @example await loadContractGraph(context, { runCli: async () => '{"producers":[],"consumers":[]}', cacheDir: tmp });
 */
export interface ContractGraphDeps {
  /** Prints the contract graph as JSON. @default `node --import tsx libs/contracts/src/cli/contract-graph.ts` in the workspace root */
  readonly runCli?: (workspaceRoot: string) => Promise<string>;
  /** @default `<Nx workspace data directory>/contract-graph` */
  readonly cacheDir?: string;
}

/** Files of each app that declare its side of the contracts, and that the contract graph CLI imports. */
const DECLARATION = /^apps\/[^/]+\/src\/contract-(expectations|publications)\.ts$/;
/** The CLI and every contract definition it reads. */
const CONTRACTS_ROOT = 'libs/contracts/';
/** Workspace files that change how the CLI resolves and loads TypeScript. */
const WORKSPACE_FILES = new Set(['tsconfig.base.json', 'package.json']);

function allFiles(context: Pick<CreateDependenciesContext, 'fileMap'>): Map<string, string> {
  const files = new Map<string, string>();
  const { projectFileMap, nonProjectFiles } = context.fileMap;
  for (const list of [...Object.values(projectFileMap), nonProjectFiles] as FileData[][]) {
    for (const { file, hash } of list) files.set(file, hash);
  }
  return files;
}

/** The workspace files a relative import of `from` names, as tsx resolves them (`./x`, `./x.ts`, `./x.js`, `./x/index.ts`). */
function resolveRelative(
  from: string,
  specifier: string,
  files: ReadonlyMap<string, string>,
): string | undefined {
  const base = posix.normalize(posix.join(posix.dirname(from), specifier));
  const candidates = [base, `${base}.ts`, base.replace(/\.js$/, '.ts'), `${base}/index.ts`];
  return candidates.find((candidate) => files.has(candidate));
}

/**
 * The files the contract graph depends on, with Nx's content hash of each: everything under `libs/contracts/`,
 * `tsconfig.base.json` and `package.json`, every app's `src/contract-expectations.ts` and
 * `src/contract-publications.ts`, and the app files those import by relative path (followed transitively).
 *
 * @example contractGraphInputs(context, root); // [['apps/email-consumer/src/contract-expectations.ts', '1234…'], …]
 */
export function contractGraphInputs(
  context: Pick<CreateDependenciesContext, 'fileMap'>,
  workspaceRoot: string,
): [string, string][] {
  const files = allFiles(context);
  const selected = new Set<string>();
  const pending = [...files.keys()].filter((file) => DECLARATION.test(file));
  for (const file of files.keys()) {
    if (file.startsWith(CONTRACTS_ROOT) || WORKSPACE_FILES.has(file)) selected.add(file);
  }
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (selected.has(file)) continue;
    selected.add(file);
    const source = readFileSync(join(workspaceRoot, file), 'utf8');
    for (const [, specifier] of source.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const resolved = resolveRelative(file, specifier as string, files);
      if (resolved) pending.push(resolved);
    }
  }
  return [...selected].sort().map((file) => [file, files.get(file) as string]);
}

function runContractGraphCli(workspaceRoot: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...CONTRACT_GRAPH_CLI, '--workspace', workspaceRoot],
      {
        cwd: workspaceRoot,
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
        maxBuffer: 16 * 1024 * 1024,
        timeout: 120_000,
      },
      (error, stdout, stderr) => {
        if (error) {
          const tail = stderr.split('\n').slice(-20).join('\n');
          reject(
            new ContractGraphError(`the command failed (${error.message.split('\n')[0]})\n${tail}`, {
              cause: error,
            }),
          );
        } else {
          resolve(stdout);
        }
      },
    );
  });
}

const inMemory = new Map<string, ContractGraph>();

/**
 * The contract graph of the workspace, cached by the content hash of every file it depends on
 * ({@link contractGraphInputs}): in memory for the life of the Nx plugin worker, and on disk in Nx's workspace
 * data directory, so an Nx command runs the CLI (a few seconds) only after one of those files changed. A changed
 * file changes the key, so the cache never answers with a stale graph.
 *
 * @example const graph = await loadContractGraph(context);
 */
export async function loadContractGraph(
  context: Pick<CreateDependenciesContext, 'fileMap' | 'workspaceRoot'>,
  deps: ContractGraphDeps = {},
): Promise<ContractGraph> {
  const { workspaceRoot } = context;
  const key = createHash('sha256')
    .update(JSON.stringify([workspaceRoot, contractGraphInputs(context, workspaceRoot)]))
    .digest('hex');
  const known = inMemory.get(key);
  if (known) return known;

  const cacheDir =
    deps.cacheDir ??
    join(
      process.env['NX_WORKSPACE_DATA_DIRECTORY'] ?? join(workspaceRoot, '.nx', 'workspace-data'),
      'contract-graph',
    );
  const cacheFile = join(cacheDir, `${key}.json`);
  let graph: ContractGraph | undefined;
  try {
    graph = parseContractGraph(readFileSync(cacheFile, 'utf8'));
  } catch {
    graph = undefined;
  }
  if (!graph) {
    const output = await (deps.runCli ?? runContractGraphCli)(workspaceRoot);
    graph = parseContractGraph(output);
    mkdirSync(cacheDir, { recursive: true });
    for (const old of readdirSync(cacheDir)) rmSync(join(cacheDir, old), { force: true });
    const temporary = join(dirname(cacheFile), `.${key}.${process.pid}.tmp`);
    writeFileSync(temporary, JSON.stringify(graph));
    renameSync(temporary, cacheFile);
  }
  inMemory.set(key, graph);
  return graph;
}

/**
 * Nx `createDependencies`: an edge from each consumer app to each producer app of an event type it subscribes to
 * (see {@link contractGraphDependencies}), so `nx graph` shows who consumes what, and a producer's deploy
 * (`^deploy`) runs before its consumers'.
 *
 * @example // nx.json: "plugins": ["@outboxed/workspace-plugin/plugin"]
 */
export const createDependencies: CreateDependencies = async (_options, context) => {
  const graph = await loadContractGraph(context);
  return contractGraphDependencies(graph, new Set(Object.keys(context.projects)));
};
