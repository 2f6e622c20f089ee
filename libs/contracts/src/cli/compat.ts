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
import type { GitBase } from './git-base.ts';
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

/** The flags of one compat run, checked. */
interface CompatOptions {
  readonly mode: CompatibilityMode;
  readonly readers: ReaderModel;
  readonly schemasDir: string;
  readonly base: string | undefined;
  readonly againstRegistry: boolean;
  readonly endpoint: string | undefined;
  readonly registry: string;
  readonly git: boolean;
}

/** One schema file compared with what it must stay compatible with. */
interface Comparison {
  readonly origin: string;
  readonly violations: readonly CompatibilityViolation[];
  /** False for a first version, which has nothing earlier to be compared with. */
  readonly counted: boolean;
}

function parseCompatOptions(argv: readonly string[], deps: CompatDeps): CompatOptions {
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
  return {
    mode,
    readers,
    schemasDir: values.schemas ?? deps.schemasDir,
    base: values.base,
    againstRegistry: values['against-registry'],
    endpoint: values.endpoint,
    registry: values.registry,
    git: values.git,
  };
}

/** Each version of a schema in the tree against its earlier versions. */
function compareVersions(documents: readonly SchemaDocument[], options: CompatOptions): Comparison[] {
  const bySchema = new Map<string, SchemaDocument[]>();
  for (const d of documents) bySchema.set(d.schemaName, [...(bySchema.get(d.schemaName) ?? []), d]);
  const comparisons: Comparison[] = [];
  for (const [schemaName, versions] of bySchema) {
    const history: VersionedSchema[] = [];
    for (const d of versions.sort((a, b) => a.version - b.version)) {
      const current = { label: `${schemaName} v${d.version}`, schema: loadSchema(d) };
      const violations = checkCompatibility(current, history, options.mode, { readers: options.readers });
      comparisons.push({ origin: d.origin, violations, counted: history.length > 0 });
      history.push(current);
    }
  }
  return comparisons;
}

/** Each schema file against the same version as published in the registry, where their content differs. */
async function compareWithRegistry(
  documents: readonly SchemaDocument[],
  options: CompatOptions,
  deps: CompatDeps,
): Promise<Comparison[]> {
  if (!options.againstRegistry) return [];
  const published = await readRegistrySchemas({
    client: deps.createClient(options.endpoint),
    registryName: options.registry,
  });
  const comparisons: Comparison[] = [];
  for (const d of documents) {
    const before = published.find((p) => p.schemaName === d.schemaName && p.version === d.version);
    if (!before || canonicalJson(before.content) === canonicalJson(d.content)) continue;
    const previous = {
      label: `${d.schemaName} v${d.version} in registry ${options.registry}`,
      schema: loadSchema(before),
    };
    const now = { label: `${d.schemaName} v${d.version} (file)`, schema: loadSchema(d) };
    const violations = checkCompatibility(now, [previous], options.mode, { readers: options.readers });
    comparisons.push({ origin: d.origin, violations, counted: true });
  }
  return comparisons;
}

/** Each schema file against its own content at the git base, when there is one (says so when there is none). */
async function compareWithGit(
  documents: readonly SchemaDocument[],
  options: CompatOptions,
  io: CliIo,
): Promise<{ readonly base: GitBase | undefined; readonly comparisons: Comparison[] }> {
  if (!options.git) {
    io.out('Git comparison skipped (--no-git).');
    return { base: undefined, comparisons: [] };
  }
  const base = await resolveBase(options.base, options.schemasDir);
  if (!base) {
    io.out(
      'No git base found (no --base, no NX_BASE, no main, no HEAD~1): published versions not compared with git.',
    );
    return { base, comparisons: [] };
  }
  const comparisons: Comparison[] = [];
  for (const d of documents) {
    const published = await showAtBase(base, d.origin);
    if (published === undefined || published === d.content) continue;
    const before = {
      label: `${d.schemaName} v${d.version} at ${base.ref}`,
      schema: loadSchema({ content: published, origin: `${base.ref}:${relative(base.top, d.origin)}` }),
    };
    const now = { label: `${d.schemaName} v${d.version} (working tree)`, schema: loadSchema(d) };
    const violations = checkCompatibility(now, [before], options.mode, { readers: options.readers });
    comparisons.push({ origin: d.origin, violations, counted: true });
  }
  return { base, comparisons };
}

/** Prints the violations (exit 1) or the count of comparisons made (exit 0). */
function report(
  comparisons: readonly Comparison[],
  options: CompatOptions,
  base: GitBase | undefined,
  io: CliIo,
): number {
  const { mode, readers } = options;
  const violations = comparisons.flatMap((c) => c.violations);
  const offending = new Set(
    comparisons
      .filter((c) => c.violations.length > 0)
      .map((c) => relative(process.cwd(), c.origin) || c.origin),
  );
  const counted = comparisons.filter((c) => c.counted).length;
  for (const v of violations) io.err(v.message);
  if (violations.length > 0) {
    io.err(
      `${violations.length} compatibility violation${violations.length === 1 ? '' : 's'} under ${mode}, ${readers} readers, in ${[...offending].join(', ')}. A new version may only add optional fields: restore what the change removed or retyped, and publish a breaking change as a new major (schemas/<source>@<Name>V<N>/v1.json) beside the old one (docs/evolving-contracts.md).`,
    );
    return 1;
  }
  io.out(
    `Schemas compatible under ${mode}, ${readers} readers (${counted} comparison${counted === 1 ? '' : 's'}${base ? `, git base ${base.ref}` : ''}).`,
  );
  return 0;
}

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
  const options = parseCompatOptions(argv, deps);
  const documents = await readSchemaFiles(options.schemasDir, USERS_SCHEMA_REGISTRY_NAME);
  const versions = compareVersions(documents, options);
  const registry = await compareWithRegistry(documents, options, deps);
  const git = await compareWithGit(documents, options, io);
  return report([...versions, ...registry, ...git.comparisons], options, git.base, io);
}

runIfMain(import.meta.url, (argv, io) => compat(argv, io));
