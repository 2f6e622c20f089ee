import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { USERS_SCHEMA_REGISTRY_NAME } from '../constants.ts';
import { CONTRACTS_ROOT, SCHEMAS_DIR } from '../codegen/paths.ts';
import { loadSchema } from '../codegen/schema-document.ts';
import { readSchemaFiles } from '../codegen/schema-files.ts';
import { discoverExpectations } from '../expectations/discover.ts';
import { checkConsumerExpectations } from '../expectations/expectations.ts';
import type { SchemaEntry } from '../expectations/expectations.ts';
import { codegen } from './codegen.ts';
import type { CodegenDeps } from './codegen.ts';
import { processIo, runIfMain } from './io.ts';
import type { CliIo } from './io.ts';

/**
 * Locations the check uses; tests point them at temporary copies.
 *
 * @example await check([], processIo, { workspaceRoot: tmp, schemasDir, generatedDir });
 */
export interface CheckDeps extends Partial<CodegenDeps> {
  readonly workspaceRoot: string;
}

const defaultDeps: CheckDeps = { workspaceRoot: join(CONTRACTS_ROOT, '..', '..') };

/**
 * `nx run contracts:check`: fails (exit 1) when the committed generated code differs from what the schema files
 * produce, or when any consumer's declared expectations (`apps/*\/src/contract-expectations.ts`) no longer hold
 * against the schema files.
 *
 * @example await check([]);
 */
export async function check(
  argv: readonly string[],
  io: CliIo = processIo,
  deps: CheckDeps = defaultDeps,
): Promise<number> {
  const { values } = parseArgs({ args: [...argv], options: { workspace: { type: 'string' } } });
  const workspaceRoot = values.workspace ?? deps.workspaceRoot;

  const codegenArgs = [
    '--check',
    ...(deps.schemasDir ? ['--schemas', deps.schemasDir] : []),
    ...(deps.generatedDir ? ['--out', deps.generatedDir] : []),
  ];
  const driftCode = await codegen(codegenArgs, io);

  const catalog = await schemaEntries(deps.schemasDir ?? SCHEMAS_DIR);
  const discovered = await discoverExpectations(workspaceRoot);
  let broken = 0;
  for (const { file, expectations } of discovered) {
    const violations = checkConsumerExpectations(expectations, catalog);
    for (const v of violations) {
      io.err(
        `${v.consumer} (${file}): ${v.detailType} v${v.version}${v.field ? ` field ${v.field}` : ''}: ${v.message}`,
      );
    }
    broken += violations.length;
  }
  if (broken > 0) {
    io.err(
      `${broken} consumer expectation${broken === 1 ? '' : 's'} broken: the schemas no longer give consumers what they read. Keep the field (publish a compatible version) or change the consumer first.`,
    );
  } else {
    io.out(
      `Consumer expectations hold (${discovered.length} consumer${discovered.length === 1 ? '' : 's'} checked).`,
    );
  }
  return driftCode !== 0 || broken > 0 ? 1 : 0;
}

/** The schema files as the check's catalog: consumers are checked against what the files say now. */
async function schemaEntries(schemasDir: string): Promise<SchemaEntry[]> {
  const documents = await readSchemaFiles(schemasDir, USERS_SCHEMA_REGISTRY_NAME);
  return documents.map((d) => {
    const at = d.schemaName.lastIndexOf('@');
    return {
      source: d.schemaName.slice(0, at),
      detailType: d.schemaName.slice(at + 1),
      version: d.version,
      schema: loadSchema(d),
    };
  });
}

runIfMain(import.meta.url, (argv, io) => check(argv, io));
