import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CONTRACTS_ROOT } from '../codegen/paths.ts';
import { discoverExpectations } from '../expectations/discover.ts';
import { checkConsumerExpectations } from '../expectations/expectations.ts';
import { codegen } from './codegen.ts';
import type { CodegenDeps } from './codegen.ts';
import { processIo, runIfMain } from './io.ts';
import type { CliIo } from './io.ts';

/** Locations the check uses; tests point them at temporary copies. */
export interface CheckDeps extends Partial<CodegenDeps> {
  readonly workspaceRoot: string;
}

const defaultDeps: CheckDeps = { workspaceRoot: join(CONTRACTS_ROOT, '..', '..') };

/**
 * `nx run contracts:check`: fails (exit 1) when the committed generated code differs from what the schema files
 * produce, or when any consumer's declared expectations (`apps/*\/src/contract-expectations.ts`) no longer hold.
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

  const discovered = await discoverExpectations(workspaceRoot);
  let broken = 0;
  for (const { file, expectations } of discovered) {
    const violations = checkConsumerExpectations(expectations);
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

runIfMain(import.meta.url, (argv, io) => check(argv, io));
