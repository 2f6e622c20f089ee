import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProjectTargets, inferTargets } from './infer-targets';

let root: string;

function write(file: string, content = '{}'): void {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), content);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'infer-targets-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('inferTargets', () => {
  it('infers lint from the workspace ESLint config, typecheck from tsconfig.json and test from vitest.config.ts', () => {
    write('eslint.config.mjs', 'export default [];');
    write('libs/a/project.json');
    write('libs/a/tsconfig.json');
    write('libs/a/vitest.config.ts', 'export default {};');

    expect(inferTargets('libs/a', root)).toEqual({ lint: {}, typecheck: {}, test: {} });
  });

  it('infers no target a project has no file for', () => {
    write('libs/bare/project.json');

    expect(inferTargets('libs/bare', root)).toEqual({});
  });

  it("infers lint from a project's own ESLint config when the workspace has none", () => {
    write('libs/a/project.json');
    write('libs/a/eslint.config.js', 'export default [];');

    expect(inferTargets('libs/a', root)).toEqual({ lint: {} });
  });

  it('infers test without typecheck for a project with a Vitest config and no tsconfig.json', () => {
    write('libs/js/project.json');
    write('libs/js/vitest.config.mjs', 'export default {};');

    expect(inferTargets('libs/js', root)).toEqual({ test: {} });
  });
});

describe('createProjectTargets', () => {
  it('gives each project.json its project root and the targets inferred there', () => {
    write('eslint.config.mjs', 'export default [];');
    write('apps/x/project.json');
    write('apps/x/tsconfig.json');
    write('libs/y/project.json');
    write('libs/y/vitest.config.ts', 'export default {};');

    expect(
      createProjectTargets(['apps/x/project.json', 'libs/y/project.json'], undefined, {
        workspaceRoot: root,
      }),
    ).toEqual([
      ['apps/x/project.json', { projects: { 'apps/x': { targets: { lint: {}, typecheck: {} } } } }],
      ['libs/y/project.json', { projects: { 'libs/y': { targets: { lint: {}, test: {} } } } }],
    ]);
  });
});
