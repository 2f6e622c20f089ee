import { join } from 'node:path';
import type { GeneratorCallback, Tree } from '@nx/devkit';
import { formatFiles, generateFiles, installPackagesTask } from '@nx/devkit';
import { contractCatalog } from './catalog';
import type { CatalogEntry, NormalizedConsumerOptions } from './options';
import { normalizeOptions } from './options';
import type { ConsumerGeneratorSchema } from './schema';

/** What the templates in `files/` are rendered with. */
function templateValues(options: NormalizedConsumerOptions): Record<string, unknown> {
  return {
    ...options,
    tmpl: '',
    filterSource: options.filter === undefined ? undefined : JSON.stringify(options.filter, null, 2),
    quote: (value: string) => `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`,
  };
}

/**
 * Creates `apps/<name>-consumer`: a consumer service built with `@outboxed/consumer-kit` (handler, stack, CDK app,
 * contract expectations), its Nx targets (lint, typecheck, test, synth, deploy), tags and tests. Every option is
 * validated before anything is written. Returns the task that runs `npm install`, which links the new npm workspace
 * package (skipped with `skipInstall`).
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
  return schema.skipInstall ? undefined : () => installPackagesTask(tree, true);
}

export default consumerGenerator;
