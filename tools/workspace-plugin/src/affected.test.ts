import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkspaceCopy } from './testing/workspace-copy';
import { copyWorkspace } from './testing/workspace-copy';

/** The shape of `nx affected -t <target> --graph=stdout`'s task graph that matters here. */
interface TaskGraphOutput {
  readonly tasks: {
    readonly roots: readonly string[];
    readonly tasks: Record<
      string,
      { readonly target: { project: string; target: string }; readonly cache: boolean }
    >;
    readonly dependencies: Record<string, readonly string[]>;
  };
}

let copy: WorkspaceCopy;
let base: string;
let allApps: string[];

/**
 * Starts a branch from the copy's first commit, appends a comment line to `file` (a real edit of the project's code)
 * and commits it, so that `--base=HEAD~1` compares exactly that change.
 */
function commitChangeTo(file: string): void {
  if (!existsSync(join(copy.root, file))) {
    throw new Error(
      `${file} does not exist in the workspace; the affected test edits it to simulate a change.`,
    );
  }
  copy.git('checkout', '--quiet', '-B', `change-${file.replaceAll(/[^a-z0-9]+/gi, '-')}`, base);
  appendFileSync(join(copy.root, file), '\n// a change\n');
  copy.git('commit', '--quiet', '--no-verify', '-am', `change ${file}`);
}

function affectedProjects(...filters: string[]): string[] {
  return copy
    .nx('show', 'projects', '--affected', '--base=HEAD~1', '--head=HEAD', ...filters)
    .split('\n')
    .filter(Boolean)
    .sort();
}

function deployPlan(): TaskGraphOutput['tasks'] {
  const out = copy.nx('affected', '-t', 'deploy', '--base=HEAD~1', '--head=HEAD', '--graph=stdout');
  return (JSON.parse(out) as TaskGraphOutput).tasks;
}

/** The task graph `nx affected -t deploy` must plan for `apps`: each app's deploy after its own synth, nothing else. */
function expectedDeployDependencies(apps: readonly string[]): Record<string, string[]> {
  return Object.fromEntries(
    apps.flatMap((app) => [
      [`${app}:deploy`, [`${app}:synth`]],
      [`${app}:synth`, []],
    ]),
  );
}

describe('nx affected in a throwaway git repository of the workspace', () => {
  beforeAll(() => {
    copy = copyWorkspace();
    base = copy.git('rev-parse', 'HEAD');
    allApps = copy.nx('show', 'projects', '--type', 'app').split('\n').filter(Boolean).sort();
  });

  afterAll(() => copy?.remove());

  it('knows the three services as apps', () => {
    expect(allApps).toEqual(expect.arrayContaining(['audit-consumer', 'email-consumer', 'users-service']));
  });

  it('a change inside apps/email-consumer affects only email-consumer', () => {
    commitChangeTo('apps/email-consumer/src/main.ts');

    expect(affectedProjects()).toEqual(['email-consumer']);
    expect(deployPlan().dependencies).toEqual(expectedDeployDependencies(['email-consumer']));
  });

  it("a change to a consumer's expectations file affects only that consumer (contracts:check reads it, uncached)", () => {
    commitChangeTo('apps/email-consumer/src/contract-expectations.ts');

    expect(affectedProjects()).toEqual(['email-consumer']);
  });

  it('a change to libs/contracts affects contracts and every app', () => {
    commitChangeTo('libs/contracts/src/index.ts');

    expect(affectedProjects()).toEqual(expect.arrayContaining(['contracts', ...allApps]));
    expect(affectedProjects('--type', 'app')).toEqual(allApps);
  });

  it('a change to libs/outbox affects users-service and no consumer', () => {
    commitChangeTo('libs/outbox/src/index.ts');

    expect(affectedProjects()).toContain('outbox');
    expect(affectedProjects('--type', 'app')).toEqual(['users-service']);
  });

  it('a change to libs/consumer-kit affects every consumer', () => {
    commitChangeTo('libs/consumer-kit/src/index.ts');

    expect(affectedProjects('--type', 'app')).toEqual(
      expect.arrayContaining(allApps.filter((app) => app.endsWith('-consumer'))),
    );
  });

  it('nx affected -t deploy plans exactly the affected apps, each deploy after its own synth', () => {
    commitChangeTo('libs/contracts/src/index.ts');

    const plan = deployPlan();

    expect(plan.dependencies).toEqual(expectedDeployDependencies(allApps));
    expect([...plan.roots].sort()).toEqual(allApps.map((app) => `${app}:synth`));
    expect(Object.values(plan.tasks).map((t) => [t.target.project, t.target.target, t.cache])).toEqual(
      expect.arrayContaining(
        allApps.flatMap((app) => [
          [app, 'synth', true],
          [app, 'deploy', false],
        ]),
      ),
    );
  });

  it('a change to the CI workflow alone deploys nothing: only the workflow test of this plugin reruns', () => {
    commitChangeTo('.github/workflows/ci.yml');

    expect(affectedProjects()).toEqual(['workspace-plugin']);
    expect(deployPlan().dependencies).toEqual({});
  });
});
