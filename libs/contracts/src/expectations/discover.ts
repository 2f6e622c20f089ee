import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ContractError } from '../errors.ts';
import type { AnyContract, ConsumerExpectations, ProducerPublications } from './expectations.ts';

/**
 * The file each consumer app declares its expectations in, relative to the app's folder.
 *
 * @example join(appDir, EXPECTATIONS_FILE); // apps/<app>/src/contract-expectations.ts
 */
export const EXPECTATIONS_FILE = join('src', 'contract-expectations.ts');

/**
 * The file each producer app declares what it publishes in, relative to the app's folder.
 *
 * @example join(appDir, PUBLICATIONS_FILE); // apps/<app>/src/contract-publications.ts
 */
export const PUBLICATIONS_FILE = join('src', 'contract-publications.ts');

/**
 * A consumer's expectations, the app (project) and the file they came from.
 *
 * @example { project: 'email-consumer', file: 'apps/email-consumer/src/contract-expectations.ts', expectations }
 */
export interface DiscoveredExpectations {
  readonly project: string;
  readonly file: string;
  readonly expectations: ConsumerExpectations;
}

/**
 * A producer's publications, the app (project) and the file they came from.
 *
 * @example { project: 'users-service', file: 'apps/users-service/src/contract-publications.ts', publications }
 */
export interface DiscoveredPublications {
  readonly project: string;
  readonly file: string;
  readonly publications: ProducerPublications;
}

/**
 * Finds every `apps/<app>/src/contract-expectations.ts` under `workspaceRoot` by reading the file system, and
 * imports each one by its computed path (apps are never imported by package name: contracts depends on no
 * project). Each must export `expectations`; a file that does not, or exports a malformed one, is an error naming
 * the file and the fix.
 *
 * @example const found = await discoverExpectations(workspaceRoot);
 */
export async function discoverExpectations(
  workspaceRoot: string,
  appsFolder = 'apps',
): Promise<DiscoveredExpectations[]> {
  const found = await loadEach(workspaceRoot, appsFolder, EXPECTATIONS_FILE, 'expectations');
  return found.map(({ project, file, value }) => ({
    project,
    file,
    expectations: expectationsShape(file, value),
  }));
}

/**
 * Finds every `apps/<app>/src/contract-publications.ts` under `workspaceRoot` and imports it, like
 * `discoverExpectations`. Each must export `publications`.
 *
 * @example const producers = await discoverPublications(workspaceRoot);
 */
export async function discoverPublications(
  workspaceRoot: string,
  appsFolder = 'apps',
): Promise<DiscoveredPublications[]> {
  const found = await loadEach(workspaceRoot, appsFolder, PUBLICATIONS_FILE, 'publications');
  return found.map(({ project, file, value }) => ({
    project,
    file,
    publications: publicationsShape(file, value),
  }));
}

async function loadEach(
  workspaceRoot: string,
  appsFolder: string,
  relativeFile: string,
  exportName: string,
): Promise<{ project: string; file: string; value: unknown }[]> {
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
  const found: { project: string; file: string; value: unknown }[] = [];
  for (const project of apps.sort()) {
    const path = join(appsDir, project, relativeFile);
    if (!(await exists(path))) continue;
    const file = relative(workspaceRoot, path).split('\\').join('/');
    let module: Record<string, unknown>;
    try {
      module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    } catch (cause) {
      throw new ContractError(
        `${file}: cannot be loaded (${(cause as Error).message}). Fix the file so that it compiles and exports \`${exportName}\`.`,
        { cause },
      );
    }
    found.push({ project, file, value: module[exportName] });
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

const isContractLike = (value: unknown): value is AnyContract => {
  const c = value as Record<string, unknown> | null;
  return (
    !!c &&
    typeof c === 'object' &&
    typeof c['source'] === 'string' &&
    typeof c['detailType'] === 'string' &&
    Number.isInteger(c['version'])
  );
};
const isPathList = (value: unknown) =>
  Array.isArray(value) && value.every((r) => typeof r === 'string' && r !== '');

function expectationsShape(file: string, value: unknown): ConsumerExpectations {
  const fail = (problem: string): never => {
    throw new ContractError(
      `${file}: ${problem}. Export \`expectations = defineExpectations({ consumer, subscriptions: [{ contract, reads, readsIfPresent? }] })\` with a contract of @outboxed/contracts (e.g. userCreatedV1).`,
    );
  };
  if (!value || typeof value !== 'object') return fail('does not export `expectations`');
  const candidate = value as Record<string, unknown>;
  if (typeof candidate['consumer'] !== 'string' || candidate['consumer'] === '')
    fail('`consumer` is not a name');
  if (!Array.isArray(candidate['subscriptions'])) return fail('`subscriptions` is not an array');
  for (const [index, s] of (candidate['subscriptions'] as unknown[]).entries()) {
    const sub = (s ?? {}) as Record<string, unknown>;
    if (!isContractLike(sub['contract']))
      fail(`subscriptions[${index}].contract is not a contract (source, detailType, version)`);
    if (!isPathList(sub['reads'])) fail(`subscriptions[${index}].reads is not a list of paths`);
    if (sub['readsIfPresent'] !== undefined && !isPathList(sub['readsIfPresent']))
      fail(`subscriptions[${index}].readsIfPresent is not a list of paths`);
  }
  return value as ConsumerExpectations;
}

function publicationsShape(file: string, value: unknown): ProducerPublications {
  const fail = (problem: string): never => {
    throw new ContractError(
      `${file}: ${problem}. Export \`publications = definePublications({ producer, publishes: [contract, …] })\` with contracts of @outboxed/contracts (e.g. userCreated).`,
    );
  };
  if (!value || typeof value !== 'object') return fail('does not export `publications`');
  const candidate = value as Record<string, unknown>;
  if (typeof candidate['producer'] !== 'string' || candidate['producer'] === '')
    fail('`producer` is not a name');
  const publishes = candidate['publishes'];
  if (!Array.isArray(publishes) || publishes.length === 0) return fail('`publishes` lists no contract');
  for (const [index, c] of publishes.entries()) {
    if (!isContractLike(c)) fail(`publishes[${index}] is not a contract (source, detailType, version)`);
  }
  return value as ProducerPublications;
}
