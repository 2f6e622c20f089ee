import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const workspaceRoot = join(import.meta.dirname, '..', '..', '..');

async function lintAs(filePath: string, code: string) {
  const eslint = new ESLint({ cwd: workspaceRoot });
  const [result] = await eslint.lintText(code, { filePath: join(workspaceRoot, filePath) });
  return (result?.messages ?? []).filter((m) => m.ruleId === '@nx/enforce-module-boundaries');
}

const APP = /Imports of apps are forbidden/;

describe('module boundaries (@nx/enforce-module-boundaries)', () => {
  it.each([
    ['an app importing another app', 'apps/email-consumer/src/forbidden.ts', '@outboxed/users-service', APP],
    [
      'an app importing another consumer app',
      'apps/audit-consumer/src/forbidden.ts',
      '@outboxed/email-consumer',
      APP,
    ],
    [
      'libs/contracts importing any other project',
      'libs/contracts/src/forbidden.ts',
      '@outboxed/dynamodb-local',
      /"type:contracts" cannot depend on any libs/,
    ],
    // (pairs chosen so the import adds no cycle to the graph: Nx reports a circular dependency before the tag rule;
    // consumers depend on users-service through the contract edges, so no lib below a consumer may import it here)
    ['a lib importing an app', 'libs/consumer-kit/src/forbidden.ts', '@outboxed/users-service', APP],
    [
      'a lib importing the local runtime (a tool)',
      'libs/outbox/src/forbidden.ts',
      '@outboxed/local-runtime',
      /"type:lib" can only depend on libs tagged with/,
    ],
  ])('fails lint for %s', async (_case, filePath, target, expected) => {
    const messages = await lintAs(filePath, `import * as other from '${target}';\nexport const x = other;\n`);
    expect(messages).toHaveLength(1);
    expect(messages[0]?.severity).toBe(2);
    expect(messages[0]?.message).toMatch(expected);
  });

  it("fails lint for a relative import into another project's internals", async () => {
    const messages = await lintAs(
      'apps/users-service/src/forbidden.ts',
      `import * as other from '../../../libs/outbox/src/index';\nexport const x = other;\n`,
    );
    expect(messages.map((m) => m.message)).toEqual([
      expect.stringMatching(/Projects cannot be imported by a relative or absolute path/),
    ]);
  });

  it.each([
    ['an app importing libs/contracts', 'apps/email-consumer/src/allowed.ts', '@outboxed/contracts'],
    ['an app importing libs/outbox', 'apps/users-service/src/allowed.ts', '@outboxed/outbox'],
    ['a lib importing libs/contracts', 'libs/outbox/src/allowed.ts', '@outboxed/contracts'],
  ])('passes lint for %s', async (_case, filePath, target) => {
    const messages = await lintAs(filePath, `import * as other from '${target}';\nexport const x = other;\n`);
    expect(messages).toEqual([]);
  });

  it.each([
    [
      'an app importing DynamoDB Local (a testing project)',
      'apps/users-service/src/forbidden.ts',
      '@outboxed/dynamodb-local',
    ],
    [
      'a lib importing the local AWS edge (a testing project)',
      'libs/outbox/src/forbidden.ts',
      '@outboxed/local-aws',
    ],
    [
      'a consumer app importing the local runtime (a tool)',
      'apps/audit-consumer/src/forbidden.ts',
      '@outboxed/local-runtime',
    ],
  ])('fails lint for production code of %s', async (_case, filePath, target) => {
    const messages = await lintAs(filePath, `import * as other from '${target}';\nexport const x = other;\n`);
    expect(messages.map((m) => m.message)).toEqual([
      expect.stringMatching(/can only depend on libs tagged with/),
    ]);
  });

  it.each([
    ['a test of an app', 'apps/users-service/src/allowed.test.ts', '@outboxed/dynamodb-local'],
    ['a testing helper of a lib', 'libs/outbox/src/testing/allowed.ts', '@outboxed/local-aws'],
    ['a bench of a lib', 'libs/outbox/bench/allowed.bench.ts', '@outboxed/local-aws'],
  ])('passes lint for the same import in %s', async (_case, filePath, target) => {
    const messages = await lintAs(filePath, `import * as other from '${target}';\nexport const x = other;\n`);
    expect(messages).toEqual([]);
  });
});

describe('tags (the module boundaries key on them, never on folders)', () => {
  const projects = execFileSync('git', ['ls-files', '*project.json'], {
    cwd: workspaceRoot,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((file) => file !== '' && !file.includes('/files/'))
    .map((file) => {
      const project = JSON.parse(readFileSync(join(workspaceRoot, file), 'utf8')) as {
        name: string;
        tags?: string[];
      };
      return [project.name, project.tags ?? []] as const;
    });

  it.each(projects)('%s carries exactly one type:* and one scope:* tag', (_name, tags) => {
    expect(tags.filter((tag) => tag.startsWith('type:'))).toHaveLength(1);
    expect(tags.filter((tag) => tag.startsWith('scope:'))).toHaveLength(1);
  });

  it("lets a service's code use shared code only: its scope is constrained to scope:shared", async () => {
    const eslint = new ESLint({ cwd: workspaceRoot });
    const config = (await eslint.calculateConfigForFile(
      join(workspaceRoot, 'apps/email-consumer/src/any.ts'),
    )) as {
      rules: Record<
        string,
        [string, { depConstraints: { sourceTag: string; onlyDependOnLibsWithTags: string[] }[] }]
      >;
    };
    const constraints = config.rules['@nx/enforce-module-boundaries']?.[1].depConstraints ?? [];
    const service = constraints.find(({ sourceTag }) =>
      new RegExp(sourceTag.slice(1, -1)).test('scope:email'),
    );

    expect(service?.onlyDependOnLibsWithTags).toEqual(['scope:shared']);
    expect(new RegExp(service?.sourceTag.slice(1, -1) ?? '^$').test('scope:shared')).toBe(false);
    expect(
      constraints.find(({ sourceTag }) => sourceTag === 'scope:shared')?.onlyDependOnLibsWithTags,
    ).toEqual(['scope:shared']);
  });
});
