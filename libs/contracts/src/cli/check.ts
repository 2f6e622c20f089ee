import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { USERS_SCHEMA_REGISTRY_NAME } from '../constants.ts';
import { CONTRACTS_ROOT, SCHEMAS_DIR } from '../codegen/paths.ts';
import { loadSchema } from '../codegen/schema-document.ts';
import type { SchemaDocument } from '../codegen/schema-document.ts';
import { readSchemaFiles } from '../codegen/schema-files.ts';
import { describeContractGraph, readersReport } from '../expectations/contract-graph.ts';
import { discoverExpectations } from '../expectations/discover.ts';
import { checkConsumerExpectations } from '../expectations/expectations.ts';
import type { SchemaEntry } from '../expectations/expectations.ts';
import { codegen } from './codegen.ts';
import type { CodegenDeps } from './codegen.ts';
import { resolveBase, showAtBase } from './git-base.ts';
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
 * produce, when any consumer's declared expectations (`apps/*\/src/contract-expectations.ts`) do not hold against
 * the schema files and against the schema files as they were at the git base (`--base`, else `$NX_BASE`, else the
 * merge base with main: events written with them may still be in queues), or when a consumer reads an event type
 * no producer publishes. It tells a producer in a transition window when no consumer reads an old major any more.
 *
 * @example await check(['--base', 'origin/main']);
 */
export async function check(
  argv: readonly string[],
  io: CliIo = processIo,
  deps: CheckDeps = defaultDeps,
): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      workspace: { type: 'string' },
      base: { type: 'string' },
      git: { type: 'boolean', default: true },
    },
    allowNegative: true,
  });
  const workspaceRoot = values.workspace ?? deps.workspaceRoot;
  const schemasDir = deps.schemasDir ?? SCHEMAS_DIR;

  const codegenArgs = [
    '--check',
    ...(deps.schemasDir ? ['--schemas', deps.schemasDir] : []),
    ...(deps.generatedDir ? ['--out', deps.generatedDir] : []),
  ];
  const driftCode = await codegen(codegenArgs, io);

  const documents = await readSchemaFiles(schemasDir, USERS_SCHEMA_REGISTRY_NAME);
  const catalog = documents.map((d) => schemaEntry(d));
  const earlier = values.git ? await schemasAtBase(documents, values.base, schemasDir, io) : [];
  const discovered = await discoverExpectations(workspaceRoot);
  let broken = 0;
  for (const { file, expectations } of discovered) {
    for (const v of checkConsumerExpectations(expectations, catalog, earlier)) {
      io.err(
        `${v.consumer} (${file}): ${v.detailType} v${v.version}${v.field ? ` field ${v.field}` : ''}: ${v.message} Fix: ${v.fix}`,
      );
      broken += 1;
    }
  }

  const report = readersReport(await describeContractGraph(workspaceRoot));
  for (const u of report.unpublished) {
    io.err(
      `${u.consumer} (${u.file}): reads ${u.detailType} from ${u.source}, which no producer publishes. Fix: read a published major, or keep publishing this one until no consumer reads it.`,
    );
    broken += 1;
  }
  for (const u of report.unread) {
    io.out(
      `No consumer reads ${u.detailType} from ${u.source} any more: ${u.producer} can stop publishing it (remove it from ${u.file}).`,
    );
  }

  if (broken > 0) {
    io.err(
      `${broken} consumer expectation${broken === 1 ? '' : 's'} broken: the schemas no longer give consumers what they read. Keep the field (publish a compatible version, or a breaking change as a new major) or change the consumer first.`,
    );
  } else {
    io.out(
      `Consumer expectations hold (${discovered.length} consumer${discovered.length === 1 ? '' : 's'} checked${earlier.length > 0 ? `, also against ${earlier.length} schema version${earlier.length === 1 ? '' : 's'} edited since the git base` : ''}).`,
    );
  }
  return driftCode !== 0 || broken > 0 ? 1 : 0;
}

function schemaEntry(d: SchemaDocument, label?: string, content?: string): SchemaEntry {
  const at = d.schemaName.lastIndexOf('@');
  return {
    source: d.schemaName.slice(0, at),
    detailType: d.schemaName.slice(at + 1),
    version: d.version,
    schema: loadSchema(content === undefined ? d : { ...d, content }),
    ...(label ? { label } : {}),
  };
}

/** Schema versions whose file was edited in place since the git base, as they were there. */
async function schemasAtBase(
  documents: readonly SchemaDocument[],
  explicitBase: string | undefined,
  schemasDir: string,
  io: CliIo,
): Promise<SchemaEntry[]> {
  const base = await resolveBase(explicitBase, schemasDir);
  if (!base) {
    io.out('No git base found: schema versions not compared with their published content.');
    return [];
  }
  const earlier: SchemaEntry[] = [];
  for (const d of documents) {
    const before = await showAtBase(base, d.origin);
    if (before === undefined || before === d.content) continue;
    earlier.push(
      schemaEntry(
        { ...d, origin: `${base.ref}:${relative(base.top, d.origin)}` },
        `v${d.version} at ${base.ref}`,
        before,
      ),
    );
  }
  return earlier;
}

runIfMain(import.meta.url, (argv, io) => check(argv, io));
