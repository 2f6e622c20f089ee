import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { GeneratorCallback, Tree } from '@nx/devkit';
import { formatFiles, generateFiles, installPackagesTask, names } from '@nx/devkit';
import { contractCatalog } from './catalog';
import type { CatalogEntry, NormalizedConsumerOptions } from './options';
import { normalizeOptions } from './options';
import type { ConsumerGeneratorSchema } from './schema';

/**
 * A JSON value as a TypeScript literal in the workspace's style: identifier keys bare, strings single-quoted
 * where that needs no escape (Prettier finishes the layout).
 *
 * @example toTsLiteral({ data: { email: [{ suffix: '@example.com' }] } }); // "{ data: { email: [{ suffix: '@example.com' }] } }"
 */
export function toTsLiteral(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(toTsLiteral).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(
      ([key, child]) =>
        `${/^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key)}: ${toTsLiteral(child)}`,
    );
    return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
  }
  if (typeof value === 'string' && !/['\\\n\r\u2028\u2029]/.test(value)) return `'${value}'`;
  return JSON.stringify(value);
}

/** What the templates in `files/` are rendered with. */
function templateValues(options: NormalizedConsumerOptions): Record<string, unknown> {
  const [first] = options.subscriptions;
  if (!first) throw new Error('A consumer needs at least one subscription.');
  return {
    ...options,
    tmpl: '',
    stackClassName: `${options.className}ConsumerStack`,
    stackId: `${options.className}Consumer`,
    functionName: `${options.name}-events`,
    functionClassName: `${options.className}Events`,
    functionPropertyName: `${options.propertyName}Events`,
    constantName: names(options.name).constantName,
    contractImports: [...new Set(options.subscriptions.map((s) => s.exportName))],
    example: first.exampleName,
    filterLiteral: options.filter === undefined ? 'undefined' : toTsLiteral(options.filter),
  };
}

/**
 * Creates `apps/<name>-consumer`: a consumer service built with `@outboxed/consumer-kit` (handler, stack, CDK app,
 * contract expectations), its Nx targets (lint, typecheck, test, synth, deploy), tags and tests. Every option is
 * validated before anything is written. Returns the task that runs `npm install`, which links the new npm workspace
 * package, then regenerates the event catalog with the new subscription (both skipped with `skipInstall`: then run
 * `npm install` and `npx nx run contracts:catalog` yourself).
 *
 * @example
 * // npx nx g @outboxed/workspace-plugin:consumer billing --events UserCreated
 * const install = await consumerGenerator(tree, { name: 'billing', events: 'UserCreated' });
 */
export async function consumerGenerator(
  tree: Tree,
  schema: ConsumerGeneratorSchema,
  catalog: readonly CatalogEntry[] = contractCatalog(),
): Promise<GeneratorCallback | undefined> {
  const options = normalizeOptions(tree, schema, catalog);

  generateFiles(tree, join(import.meta.dirname, 'files'), options.projectRoot, templateValues(options));

  if (!schema.skipFormat) await formatFiles(tree);
  if (schema.skipInstall) return undefined;
  return () => {
    installPackagesTask(tree, true);
    regenerateEventCatalog(tree.root);
  };
}

/**
 * Regenerates the event catalog (docs/asyncapi.yaml, docs/event-catalog.md) now that the new app's expectations are
 * on disk: `contracts:check` fails on a stale catalog. Both files are outside every project, so the new app's pull
 * request still affects only the new app.
 */
function regenerateEventCatalog(workspaceRoot: string): void {
  execFileSync(
    process.execPath,
    ['--import', 'tsx', join('libs', 'contracts', 'src', 'cli', 'asyncapi.ts')],
    {
      cwd: workspaceRoot,
      stdio: 'inherit',
    },
  );
}

export default consumerGenerator;
