import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkspaceCopy } from './testing/workspace-copy';
import { workspaceCopy } from './testing/workspace-copy';

/** Where UserCreated's schema versions live, in the copy. */
const SCHEMAS = join('libs', 'contracts', 'schemas', 'outboxed.users@UserCreated');

/** The highest committed version of UserCreated (the file names are `v<N>.json`). */
function latestVersion(copy: WorkspaceCopy): number {
  const versions = copy
    .git('ls-files', SCHEMAS)
    .split('\n')
    .map((file) => /v(\d+)\.json$/.exec(file)?.[1])
    .filter((v): v is string => v !== undefined)
    .map(Number);
  return Math.max(...versions);
}

/**
 * The producer's compatible change, as a producer team makes it: the next version of UserCreated adds an optional
 * field to `data`, published as a new schema file.
 */
function addOptionalFieldVersion(copy: WorkspaceCopy): number {
  const latest = latestVersion(copy);
  const next = latest + 1;
  const schema = JSON.parse(readFileSync(join(copy.root, SCHEMAS, `v${latest}.json`), 'utf8')) as {
    id: string;
    description: string;
    definitions: { UserCreatedData: { properties: Record<string, unknown> } };
  };
  schema.id = schema.id.replace(/:v\d+$/, `:v${next}`);
  schema.description = `UserCreated v${next} (adds the optional data.referrer): ${schema.description}`;
  schema.definitions.UserCreatedData.properties['referrer'] = {
    type: 'string',
    maxLength: 64,
    description: 'Where the user came from, when known.',
  };
  writeFileSync(join(copy.root, SCHEMAS, `v${next}.json`), `${JSON.stringify(schema, null, 2)}\n`);
  return next;
}

/** Projects whose code would change if a compatible version needed consumer edits. */
const CONSUMER_APPS = ['apps/email-consumer', 'apps/audit-consumer'];

describe('guarantee 7: a compatible new version is one producer-side change', () => {
  let copy: WorkspaceCopy;
  let next: number;

  beforeAll(() => {
    copy = workspaceCopy('contract-evolution');
    next = addOptionalFieldVersion(copy);
    copy.run(process.execPath, ['--import', 'tsx', 'libs/contracts/src/cli/codegen.ts', '--from-files']);
    copy.run(process.execPath, ['--import', 'tsx', 'libs/contracts/src/cli/asyncapi.ts']);
    copy.run(process.execPath, [join('node_modules', 'prettier', 'bin', 'prettier.cjs'), '--write', SCHEMAS]);
    copy.git('add', '--all');
    copy.git('commit', '--quiet', '--no-verify', '-m', `contracts: UserCreated v${next}`);
  }, 300_000);
  afterAll(() => copy?.remove());

  it('changes files of the contracts library and the generated catalog only: no consumer file, no producer file', () => {
    const changed = copy.git('diff', '--name-only', 'HEAD~1', 'HEAD').split('\n');

    expect(changed.filter((file) => !file.startsWith('libs/contracts/'))).toEqual([
      'docs/asyncapi.yaml',
      'docs/event-catalog.md',
    ]);
    expect(changed).toContain(`${SCHEMAS}/v${next}.json`);
    expect(changed.filter((file) => CONSUMER_APPS.some((app) => file.startsWith(app)))).toEqual([]);
  });

  it('passes the contract gates: the compatibility rule against the merge base, and every consumer expectation', () => {
    const compat = copy.nx('run', 'contracts:compat', '--', '--base=HEAD~1');
    const check = copy.nx('run', 'contracts:check', '--', '--base=HEAD~1');

    expect(compat).toContain('Schemas compatible under FULL_TRANSITIVE, tolerant readers');
    expect(check).toContain('Consumer expectations hold (2 consumers checked');
  });

  it('passes lint, typecheck and tests of every affected project, consumers included, with no edit on their side', () => {
    // workspace-plugin is left out (it runs this very test); the emulators', the console's, the end-to-end and the
    // chaos suite's tests are left out too: they run the apps end to end, which tests/e2e and tests/chaos do on every
    // change of an app or a library (here it added 3-4 minutes of starting the whole system).
    const output = copy.nx(
      'affected',
      '-t',
      'lint',
      'typecheck',
      'test',
      '--base=HEAD~1',
      '--head=HEAD',
      '--exclude=workspace-plugin,local-runtime,local-aws,local-console,dynamodb-local,chaos,e2e',
      '--parallel=2',
      '--outputStyle=static',
    );

    for (const app of ['users-service', 'email-consumer', 'audit-consumer', 'contracts', 'consumer-kit']) {
      expect(output).toMatch(new RegExp(`nx run ${app}:test`));
    }
    expect(output).toMatch(/Successfully ran targets lint, typecheck, test for \d+ projects/);
  }, 1_200_000);
});
