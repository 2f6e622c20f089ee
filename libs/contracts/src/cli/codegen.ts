import { SchemasClient } from '@aws-sdk/client-schemas';
import { parseArgs } from 'node:util';
import { USERS_SCHEMA_REGISTRY_NAME } from '../constants.ts';
import { ContractError } from '../errors.ts';
import { writeGeneratedFolder } from '../codegen/atomic-write.ts';
import { compareGenerated, isClean } from '../codegen/drift.ts';
import { generateTypes } from '../codegen/generate.ts';
import { GENERATED_DIR, SCHEMAS_DIR } from '../codegen/paths.ts';
import { readRegistrySchemas } from '../codegen/registry-source.ts';
import type { SchemaDocument } from '../codegen/schema-document.ts';
import { readSchemaFiles } from '../codegen/schema-files.ts';
import { processIo, runIfMain } from './io.ts';
import type { CliIo } from './io.ts';

const USAGE = `Usage: node --import tsx libs/contracts/src/cli/codegen.ts [options]
  (default)              download from the EventBridge schema registry on AWS (usual region/credential chain)
  --endpoint <url>       download from this Schema Registry endpoint instead (e.g. the local runtime's)
  --from-files           read the schema files (schemas/<name>/v<N>.json) instead, offline
  --registry <name>      registry name (default ${USERS_SCHEMA_REGISTRY_NAME})
  --schema <name>        only this schema (e.g. outboxed.users@UserCreated)
  --schema-version <n>   only this version of --schema
  --list                 print registry/schema/version of what would be generated, write nothing
  --check                write nothing; exit 1 when the committed generated code differs (drift check)
  --out <dir>            generated folder (default src/generated of this library)
  --schemas <dir>        schema files folder for --from-files/--check (default schemas/ of this library)`;

/**
 * Locations and clients the CLI uses; tests override them.
 *
 * @example await codegen(['--from-files'], io, { ...deps, generatedDir: tmp });
 */
export interface CodegenDeps {
  readonly schemasDir: string;
  readonly generatedDir: string;
  readonly createClient: (endpoint: string | undefined) => SchemasClient;
}

/**
 * A Schemas client for AWS (usual region/credential chain) or for `endpoint` (region defaulting to us-east-1 when
 * none is configured, as local endpoints ignore it).
 *
 * @example const client = createSchemasClient('http://127.0.0.1:4566');
 */
export function createSchemasClient(endpoint: string | undefined): SchemasClient {
  return new SchemasClient({
    ...(endpoint ? { endpoint } : {}),
    ...(endpoint && !process.env['AWS_REGION'] && !process.env['AWS_DEFAULT_REGION']
      ? { region: 'us-east-1' }
      : {}),
    maxAttempts: 2,
  });
}

const defaultDeps: CodegenDeps = {
  schemasDir: SCHEMAS_DIR,
  generatedDir: GENERATED_DIR,
  createClient: createSchemasClient,
};

/**
 * `nx run contracts:codegen`: types from the registry (or the schema files) into the committed generated folder,
 * written atomically. Returns the exit code.
 *
 * @example await codegen(['--from-files']);
 */
export async function codegen(
  argv: readonly string[],
  io: CliIo = processIo,
  deps: CodegenDeps = defaultDeps,
): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      endpoint: { type: 'string' },
      'from-files': { type: 'boolean', default: false },
      registry: { type: 'string', default: USERS_SCHEMA_REGISTRY_NAME },
      schema: { type: 'string' },
      'schema-version': { type: 'string' },
      list: { type: 'boolean', default: false },
      check: { type: 'boolean', default: false },
      out: { type: 'string' },
      schemas: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const schemasDir = values.schemas ?? deps.schemasDir;
  const generatedDir = values.out ?? deps.generatedDir;
  const version = values['schema-version'] === undefined ? undefined : Number(values['schema-version']);
  if (version !== undefined && (!Number.isInteger(version) || version < 1)) {
    throw new ContractError(
      `--schema-version "${values['schema-version']}" is not a version: give an integer ≥ 1.`,
    );
  }
  if (version !== undefined && !values.schema) {
    throw new ContractError('--schema-version needs --schema: name the schema whose version you want.');
  }

  const documents: SchemaDocument[] =
    values['from-files'] || values.check
      ? (await readSchemaFiles(schemasDir, values.registry)).filter(
          (d) =>
            (values.schema === undefined || d.schemaName === values.schema) &&
            (version === undefined || d.version === version),
        )
      : await readRegistrySchemas({
          client: deps.createClient(values.endpoint),
          registryName: values.registry,
          ...(values.schema ? { schemaName: values.schema } : {}),
          ...(version !== undefined ? { version } : {}),
        });

  if (values.list) {
    for (const d of documents) io.out(`${d.registryName}/${d.schemaName}/${d.version}`);
    return 0;
  }
  const files = await generateTypes(documents);
  if (values.check) {
    const drift = await compareGenerated(generatedDir, files);
    if (isClean(drift)) {
      io.out(`Generated code is up to date (${files.length} files).`);
      return 0;
    }
    const lines = [
      ...drift.missing.map((p) => `  missing: ${p}`),
      ...drift.extra.map((p) => `  not produced by any schema: ${p}`),
      ...drift.changed.map((p) => `  differs: ${p}`),
    ];
    io.err(
      `Generated code in ${generatedDir} differs from what the schema files produce:\n${lines.join('\n')}\nRun \`nx run contracts:codegen\` (or with --from-files) and commit the result.`,
    );
    return 1;
  }
  await writeGeneratedFolder(generatedDir, files);
  io.out(`Wrote ${files.length} files to ${generatedDir} from ${documents.length} schema versions.`);
  return 0;
}

runIfMain(import.meta.url, (argv, io) => codegen(argv, io));
