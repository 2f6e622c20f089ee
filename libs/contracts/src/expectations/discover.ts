import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ContractError } from '../errors.ts';
import type { ConsumerExpectations } from './expectations.ts';

/**
 * The file each consumer app declares its expectations in, relative to the app's folder.
 *
 * @example join(appDir, EXPECTATIONS_FILE); // apps/<app>/src/contract-expectations.ts
 */
export const EXPECTATIONS_FILE = join('src', 'contract-expectations.ts');

/**
 * A consumer's expectations and the file they came from.
 *
 * @example { file: 'apps/email-consumer/src/contract-expectations.ts', expectations }
 */
export interface DiscoveredExpectations {
  readonly file: string;
  readonly expectations: ConsumerExpectations;
}

/**
 * Finds every `apps/<app>/src/contract-expectations.ts` under `workspaceRoot` by reading the file system, and
 * imports each one by its computed path (apps are never imported by package name: contracts depends on no
 * project). Each must export `expectations`; a file that does not, or exports a malformed one, is an error naming it.
 *
 * @example const found = await discoverExpectations(workspaceRoot);
 */
export async function discoverExpectations(
  workspaceRoot: string,
  appsFolder = 'apps',
): Promise<DiscoveredExpectations[]> {
  const appsDir = join(workspaceRoot, appsFolder);
  let apps: string[];
  try {
    apps = (await readdir(appsDir, { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const found: DiscoveredExpectations[] = [];
  for (const app of apps.sort()) {
    const path = join(appsDir, app, EXPECTATIONS_FILE);
    if (!(await exists(path))) continue;
    const file = relative(workspaceRoot, path);
    let module: Record<string, unknown>;
    try {
      module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    } catch (cause) {
      throw new ContractError(`${file}: cannot be loaded (${(cause as Error).message}).`, { cause });
    }
    found.push({ file, expectations: validateShape(file, module['expectations']) });
  }
  return found;
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function validateShape(file: string, value: unknown): ConsumerExpectations {
  const fail = (problem: string): never => {
    throw new ContractError(
      `${file}: ${problem}. Export \`expectations: ConsumerExpectations\` ({ consumer, subscriptions: [{ source, detailType, versions, reads }] }).`,
    );
  };
  if (!value || typeof value !== 'object') return fail('does not export `expectations`');
  const candidate = value as Record<string, unknown>;
  if (typeof candidate['consumer'] !== 'string' || candidate['consumer'] === '')
    fail('`consumer` is not a name');
  if (!Array.isArray(candidate['subscriptions'])) return fail('`subscriptions` is not an array');
  for (const [index, s] of (candidate['subscriptions'] as unknown[]).entries()) {
    const sub = (s ?? {}) as Record<string, unknown>;
    const ok =
      typeof sub['source'] === 'string' &&
      typeof sub['detailType'] === 'string' &&
      Array.isArray(sub['versions']) &&
      (sub['versions'] as unknown[]).every((v) => Number.isInteger(v)) &&
      Array.isArray(sub['reads']) &&
      (sub['reads'] as unknown[]).every((r) => typeof r === 'string');
    if (!ok)
      fail(
        `subscriptions[${index}] needs source, detailType (strings), versions (integers) and reads (paths)`,
      );
  }
  return value as ConsumerExpectations;
}
