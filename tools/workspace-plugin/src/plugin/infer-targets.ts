import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CreateNodesContext, CreateNodesResultArray, TargetConfiguration } from '@nx/devkit';

/** The files the plugin infers targets from: one per project. */
export const PROJECT_FILE_GLOB = '**/project.json';

/** ESLint's flat config file names, in the workspace root (for every project) or in a project's own root. */
const ESLINT_CONFIGS = ['eslint.config.mjs', 'eslint.config.js', 'eslint.config.cjs', 'eslint.config.ts'];
const VITEST_CONFIGS = ['vitest.config.ts', 'vitest.config.mts', 'vitest.config.js', 'vitest.config.mjs'];

/**
 * The `lint`, `typecheck` and `test` targets a project's files call for: `lint` where an ESLint config covers it
 * (the workspace's or its own), `typecheck` where it has a `tsconfig.json`, `test` where it has a Vitest config.
 * Each target is empty: nx.json's `targetDefaults` of the same name give its command, inputs, outputs and cache, and
 * a project.json entry of the same name adds to it (e.g. extra inputs).
 *
 * @example inferTargets('libs/outbox', root); // { lint: {}, typecheck: {}, test: {} }
 */
export function inferTargets(
  projectRoot: string,
  workspaceRoot: string,
  exists: (path: string) => boolean = existsSync,
): Record<string, TargetConfiguration> {
  const has = (dir: string, names: readonly string[]) => names.some((name) => exists(join(dir, name)));
  const projectDir = join(workspaceRoot, projectRoot);
  const targets: Record<string, TargetConfiguration> = {};
  if (has(workspaceRoot, ESLINT_CONFIGS) || has(projectDir, ESLINT_CONFIGS)) targets['lint'] = {};
  if (has(projectDir, ['tsconfig.json'])) targets['typecheck'] = {};
  if (has(projectDir, VITEST_CONFIGS)) targets['test'] = {};
  return targets;
}

/**
 * Nx's `createNodes` function of the plugin: for each `project.json`, the targets {@link inferTargets} finds.
 *
 * @example createProjectTargets(['libs/outbox/project.json'], undefined, context); // [['libs/outbox/project.json', { projects: { 'libs/outbox': { targets: { lint: {}, … } } } }]]
 */
export function createProjectTargets(
  projectFiles: readonly string[],
  _options: unknown,
  context: Pick<CreateNodesContext, 'workspaceRoot'>,
): CreateNodesResultArray {
  return projectFiles.map((file) => {
    const root = dirname(file);
    return [file, { projects: { [root]: { targets: inferTargets(root, context.workspaceRoot) } } }] as const;
  });
}
