import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { FileData } from '@nx/devkit';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ContractGraph } from './contract-graph';
import { contractGraphInputs, loadContractGraph } from './create-dependencies';

const graph: ContractGraph = { producers: [], consumers: [] };

let root: string;
let hashes: Record<string, string>;

/** Writes `file` in the temp workspace with `content` and gives it the Nx file hash `hash`. */
function write(file: string, content: string, hash = `${file}#1`): void {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), content);
  hashes[file] = hash;
}

/** A createDependencies context over the temp workspace, every file in one project. */
function context() {
  const files: FileData[] = Object.entries(hashes).map(([file, hash]) => ({ file, hash }));
  return { workspaceRoot: root, fileMap: { projectFileMap: { all: files }, nonProjectFiles: [] } };
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'contract-graph-'));
  hashes = {};
  write('libs/contracts/src/index.ts', 'export {};');
  write('apps/email-consumer/src/contract-expectations.ts', "import { x } from './reads';\nexport {};");
  write('apps/email-consumer/src/reads.ts', "import { y } from '../lib/y.js';\nexport {};");
  write('apps/email-consumer/lib/y.ts', 'export const y = 1;');
  write('apps/email-consumer/src/handler.ts', 'export {};');
  write('apps/users-service/src/contract-publications.ts', 'export {};');
  write('tsconfig.base.json', '{}');
  write('README.md', '# readme');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('contractGraphInputs', () => {
  it('is the contracts lib, the declarations, what they import by relative path, and the TypeScript setup', () => {
    expect(contractGraphInputs(context(), root).map(([file]) => file)).toEqual([
      'apps/email-consumer/lib/y.ts',
      'apps/email-consumer/src/contract-expectations.ts',
      'apps/email-consumer/src/reads.ts',
      'apps/users-service/src/contract-publications.ts',
      'libs/contracts/src/index.ts',
      'tsconfig.base.json',
    ]);
  });
});

describe('loadContractGraph', () => {
  it('runs the CLI once for unchanged inputs: a second load (even in a new worker) reads the disk cache', async () => {
    const cacheDir = join(root, '.nx', 'contract-graph');
    const runCli = vi.fn(async () => JSON.stringify(graph));

    await loadContractGraph(context(), { runCli, cacheDir });
    vi.resetModules();
    const fresh = await import('./create-dependencies');
    const second = await fresh.loadContractGraph(context(), {
      runCli: async () => {
        throw new Error('the CLI ran again for unchanged inputs');
      },
      cacheDir,
    });

    expect(runCli).toHaveBeenCalledTimes(1);
    expect(second).toEqual(graph);
    expect(readdirSync(cacheDir)).toHaveLength(1);
  });

  it.each([
    ["a consumer's expectations", 'apps/email-consumer/src/contract-expectations.ts'],
    ['a file the expectations import', 'apps/email-consumer/lib/y.ts'],
    ["a producer's publications", 'apps/users-service/src/contract-publications.ts'],
    ['the contracts lib', 'libs/contracts/src/index.ts'],
  ])('runs the CLI again after a change to %s (never a stale graph)', async (_case, file) => {
    const cacheDir = join(root, '.nx', 'contract-graph');
    const runCli = vi.fn(async () => JSON.stringify(graph));
    await loadContractGraph(context(), { runCli, cacheDir });

    hashes[file] = `${file}#2`;
    await loadContractGraph(context(), { runCli, cacheDir });

    expect(runCli).toHaveBeenCalledTimes(2);
  });

  it('does not run the CLI again after a change to a file the graph does not depend on', async () => {
    const cacheDir = join(root, '.nx', 'contract-graph');
    const runCli = vi.fn(async () => JSON.stringify(graph));
    await loadContractGraph(context(), { runCli, cacheDir });

    hashes['apps/email-consumer/src/handler.ts'] = 'changed';
    hashes['README.md'] = 'changed';
    await loadContractGraph(context(), { runCli, cacheDir });

    expect(runCli).toHaveBeenCalledTimes(1);
  });

  it('caches nothing when the CLI fails, so the next load runs it again', async () => {
    const cacheDir = join(root, '.nx', 'contract-graph');
    const failing = vi.fn(async () => 'apps/x/src/contract-expectations.ts: cannot be loaded');

    await expect(loadContractGraph(context(), { runCli: failing, cacheDir })).rejects.toThrow(
      /it is not JSON/,
    );
    await expect(loadContractGraph(context(), { runCli: failing, cacheDir })).rejects.toThrow(
      /it is not JSON/,
    );
    expect(failing).toHaveBeenCalledTimes(2);
  });
});
