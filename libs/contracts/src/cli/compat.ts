import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { USERS_SCHEMA_REGISTRY_NAME } from '../constants.ts';
import { ContractError } from '../errors.ts';
import {
  COMPATIBILITY_MODES,
  DEFAULT_COMPATIBILITY_MODE,
  READERS_DEFAULT,
  checkCompatibility,
} from '../compat/compatibility.ts';
import type {
  CompatibilityMode,
  CompatibilityViolation,
  ReaderModel,
  VersionedSchema,
} from '../compat/compatibility.ts';
import type { SchemasClient } from '@aws-sdk/client-schemas';
import { SCHEMAS_DIR } from '../codegen/paths.ts';
import { canonicalJson, readRegistrySchemas } from '../codegen/registry-source.ts';
import { createSchemasClient } from './codegen.ts';
import { loadSchema } from '../codegen/schema-document.ts';
import type { SchemaDocument } from '../codegen/schema-document.ts';
import { readSchemaFiles } from '../codegen/schema-files.ts';
import { resolveBase, showAtBase } from './git-base.ts';
import { processIo, runIfMain } from './io.ts';
import type { CliIo } from './io.ts';

/**
 * Where compat reads schemas and git history; tests point it at a temporary repository.
 *
 * @example await compat([], io, { schemasDir: tmp });
 */
export interface CompatDeps {
  readonly schemasDir: string;
  readonly createClient: (endpoint: string | undefined) => SchemasClient;
}

const defaultDeps: CompatDeps = { schemasDir: SCHEMAS_DIR, createClient: createSchemasClient };

/**
 * `nx run contracts:compat`: checks every schema version against its earlier versions in the tree, and every
 * schema file against its own content at a git base (a published version must stay compatible with what was
 * published), under `--mode` (default FULL_TRANSITIVE) with `--readers` (default tolerant): the evolution rule,
 * `CONTRACT_EVOLUTION_RULE`. Exit 1 naming field, change and rule on failure.
 *
 * With `--against-registry` (and `--endpoint`, `--registry`) each file is also compared with the same version as
 * published in the registry. `--no-git` skips the git comparison.
 *
 * `--base <ref>` picks the git base; without it: `$NX_BASE`, else the merge-base with `main` when HEAD is not on
 * it, else `HEAD~1`; with no git history at all the git comparison is skipped (and said so).
 *
 * @example await compat(['--mode', 'FULL_TRANSITIVE', '--base', 'origin/main']);
 */
export async function compat(
  argv: readonly string[],
  io: CliIo = processIo,
  deps: CompatDeps = defaultDeps,
): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      mode: { type: 'string', default: DEFAULT_COMPATIBILITY_MODE },
      base: { type: 'string' },
      schemas: { type: 'string' },
      'against-registry': { type: 'boolean', default: false },
      endpoint: { type: 'string' },
      registry: { type: 'string', default: USERS_SCHEMA_REGISTRY_NAME },
      git: { type: 'boolean', default: true },
      readers: { type: 'string', default: READERS_DEFAULT },
    },
    allowNegative: true,
  });
  const mode = values.mode as CompatibilityMode;
  if (!COMPATIBILITY_MODES.includes(mode)) {
    throw new ContractError(
      `--mode "${values.mode}" is not a compatibility mode: use one of ${COMPATIBILITY_MODES.join(', ')}.`,
    );
  }
  const readers = values.readers as ReaderModel;
  if (readers !== 'tolerant' && readers !== 'as-published') {
    throw new ContractError(
      `--readers "${values.readers}" is not a reader model: use tolerant (the consumer kit's) or as-published.`,
    );
  }
  const schemasDir = values.schemas ?? deps.schemasDir;
  const documents = await readSchemaFiles(schemasDir, USERS_SCHEMA_REGISTRY_NAME);
  const violations: CompatibilityViolation[] = [];

  const bySchema = new Map<string, SchemaDocument[]>();
  for (const d of documents) bySchema.set(d.schemaName, [...(bySchema.get(d.schemaName) ?? []), d]);
  let comparisons = 0;
  const offending = new Set<string>();
  const record = (file: string, found: readonly CompatibilityViolation[]) => {
    if (found.length > 0) offending.add(relative(process.cwd(), file) || file);
    violations.push(...found);
  };
  for (const [schemaName, versions] of bySchema) {
    const history: VersionedSchema[] = [];
    for (const d of versions.sort((a, b) => a.version - b.version)) {
      const current = { label: `${schemaName} v${d.version}`, schema: loadSchema(d) };
      record(d.origin, checkCompatibility(current, history, mode, { readers }));
      if (history.length > 0) comparisons += 1;
      history.push(current);
    }
  }

  if (values['against-registry']) {
    const published = await readRegistrySchemas({
      client: deps.createClient(values.endpoint),
      registryName: values.registry,
    });
    for (const d of documents) {
      const before = published.find((p) => p.schemaName === d.schemaName && p.version === d.version);
      if (!before || canonicalJson(before.content) === canonicalJson(d.content)) continue;
      const previous = {
        label: `${d.schemaName} v${d.version} in registry ${values.registry}`,
        schema: loadSchema(before),
      };
      record(
        d.origin,
        checkCompatibility(
          { label: `${d.schemaName} v${d.version} (file)`, schema: loadSchema(d) },
          [previous],
          mode,
          { readers },
        ),
      );
      comparisons += 1;
    }
  }

  const base = values.git ? await resolveBase(values.base, schemasDir) : undefined;
  if (!values.git) {
    io.out('Git comparison skipped (--no-git).');
  } else if (!base) {
    io.out(
      'No git base found (no --base, no NX_BASE, no main, no HEAD~1): published versions not compared with git.',
    );
  } else {
    for (const d of documents) {
      const published = await showAtBase(base, d.origin);
      if (published === undefined || published === d.content) continue;
      const before = {
        label: `${d.schemaName} v${d.version} at ${base.ref}`,
        schema: loadSchema({ content: published, origin: `${base.ref}:${relative(base.top, d.origin)}` }),
      };
      const now = { label: `${d.schemaName} v${d.version} (working tree)`, schema: loadSchema(d) };
      record(d.origin, checkCompatibility(now, [before], mode, { readers }));
      comparisons += 1;
    }
  }

  for (const v of violations) io.err(v.message);
  if (violations.length > 0) {
    io.err(
      `${violations.length} compatibility violation${violations.length === 1 ? '' : 's'} under ${mode}, ${readers} readers, in ${[...offending].join(', ')}. A new version may only add optional fields: restore what the change removed or retyped, and publish a breaking change as a new major (schemas/<source>@<Name>V<N>/v1.json) beside the old one (docs/evolving-contracts.md).`,
    );
    return 1;
  }
  io.out(
    `Schemas compatible under ${mode}, ${readers} readers (${comparisons} comparison${comparisons === 1 ? '' : 's'}${base ? `, git base ${base.ref}` : ''}).`,
  );
  return 0;
}

runIfMain(import.meta.url, (argv, io) => compat(argv, io));
