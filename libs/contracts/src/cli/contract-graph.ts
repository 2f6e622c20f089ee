import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CONTRACTS_ROOT } from '../codegen/paths.ts';
import { describeContractGraph } from '../expectations/contract-graph.ts';
import { processIo, runIfMain } from './io.ts';
import type { CliIo } from './io.ts';

/**
 * `nx run contracts:contract-graph`: prints the workspace's contract graph (who publishes, who reads which event type) as
 * JSON on one line. The workspace plugin reads it to add consumer → producer edges to the Nx project graph.
 *
 * @example await contractGraph(['--workspace', root]);
 */
export async function contractGraph(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const { values } = parseArgs({ args: [...argv], options: { workspace: { type: 'string' } } });
  const workspaceRoot = values.workspace ?? join(CONTRACTS_ROOT, '..', '..');
  io.out(JSON.stringify(await describeContractGraph(workspaceRoot)));
  return 0;
}

runIfMain(import.meta.url, (argv, io) => contractGraph(argv, io));
