import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { CatalogInput } from '../asyncapi/catalog-input.ts';
import { compareCatalogFiles, renderCatalogFiles, writeCatalogFiles } from '../asyncapi/catalog-files.ts';
import { readCatalogInput } from '../asyncapi/workspace-input.ts';
import { CONTRACTS_ROOT } from '../codegen/paths.ts';
import { processIo, runIfMain } from './io.ts';
import type { CliIo } from './io.ts';

const FIX = 'Run `npx nx run contracts:catalog` and commit the result.';

const USAGE = `Usage: node --import tsx libs/contracts/src/cli/asyncapi.ts [options]
  (default)           write docs/asyncapi.yaml (AsyncAPI 3) and docs/event-catalog.md (Mermaid) from the
                      contracts and each app's src/contract-publications.ts and src/contract-expectations.ts
  --check             write nothing; exit 1 when a committed file differs (drift check)
  --workspace <dir>   workspace root (default: the one holding this library)`;

/**
 * The workspace and how its catalog input is read; tests pass a temporary folder and a fixture.
 *
 * @example await asyncapi(['--check'], io, { workspaceRoot: tmp, readInput: async () => fixtureInput() });
 */
export interface AsyncApiDeps {
  readonly workspaceRoot: string;
  readonly readInput: (workspaceRoot: string) => Promise<CatalogInput>;
}

const defaultDeps: AsyncApiDeps = {
  workspaceRoot: join(CONTRACTS_ROOT, '..', '..'),
  readInput: readCatalogInput,
};

/**
 * `nx run contracts:catalog`: writes the event catalog (docs/asyncapi.yaml and docs/event-catalog.md)
 * from the contracts and the apps' declarations; with `--check`, writes nothing and returns 1 when a committed file
 * differs, naming it and the fix. Returns the exit code; unusable input throws `CatalogInputError` (file and fix).
 *
 * @example await asyncapi(['--check']);
 */
export async function asyncapi(
  argv: readonly string[],
  io: CliIo = processIo,
  deps: AsyncApiDeps = defaultDeps,
): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      check: { type: 'boolean', default: false },
      workspace: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const workspaceRoot = values.workspace ?? deps.workspaceRoot;
  const files = await renderCatalogFiles(await deps.readInput(workspaceRoot));
  const paths = files.map((f) => f.path).join(' and ');
  if (!values.check) {
    await writeCatalogFiles(workspaceRoot, files);
    io.out(`Wrote ${paths}.`);
    return 0;
  }
  const { missing, changed } = await compareCatalogFiles(workspaceRoot, files);
  if (missing.length + changed.length === 0) {
    io.out(`Event catalog is up to date (${paths}).`);
    return 0;
  }
  const lines = [...missing.map((p) => `  missing: ${p}`), ...changed.map((p) => `  differs: ${p}`)];
  io.err(
    `The event catalog differs from what the contracts and the apps' declarations produce:\n${lines.join('\n')}\n${FIX}`,
  );
  return 1;
}

runIfMain(import.meta.url, (argv, io) => asyncapi(argv, io));
