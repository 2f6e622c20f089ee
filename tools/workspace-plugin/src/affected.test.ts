import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taskPlan, taskPlans } from './testing/task-plan';
import type { TaskPlan } from './testing/task-plan';
import type { WorkspaceCopy } from './testing/workspace-copy';
import { workspaceCopy } from './testing/workspace-copy';

const SLOW = 5 * 60_000;
const SERVICES = ['audit-consumer', 'email-consumer', 'users-service'];

let copy: WorkspaceCopy;
let base: string;
/**
 * The projects that run the apps end to end (tests/e2e, tests/chaos): the ones with an implicit dependency on every
 * service. A change to a service affects them too.
 */
let endToEnd: string[];

type Graph = {
  graph: { dependencies: Record<string, { source: string; target: string; type: string }[]> };
};

/** The copy's project graph, as `nx graph --file` writes it. */
function projectGraph(): Graph {
  copy.nx('graph', '--file=graph.json');
  return JSON.parse(readFileSync(join(copy.root, 'graph.json'), 'utf8')) as Graph;
}

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

/**
 * What a change affects and what CI's deploy step (`nx affected -t synth deploy --exclude-task-dependencies`) runs
 * for it, in order: the task graph Nx builds for it, from one project graph (see task-plan.cjs; `--graph=stdout`
 * ignores --exclude-task-dependencies).
 */
function affectedAndDeployPlan(): { affected: readonly string[]; deploys: TaskPlan['dependencies'] } {
  const plan = taskPlan(copy, {
    affected: { base: 'HEAD~1', head: 'HEAD' },
    targets: ['synth', 'deploy'],
    exclude: true,
  });
  return { affected: plan.affected ?? [], deploys: plan.dependencies };
}

/** Each app's deploy after its own synth and after the deploys of `after` (its producers), nothing else. */
function expectedDeploys(apps: Readonly<Record<string, readonly string[]>>): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(apps).flatMap(([app, after]) => [
      [`${app}:synth`, []],
      [`${app}:deploy`, [`${app}:synth`, ...after.map((producer) => `${producer}:deploy`)]],
    ]),
  );
}

function sorted(plan: TaskPlan['dependencies']): Record<string, string[]> {
  return Object.fromEntries(Object.entries(plan).map(([task, deps]) => [task, [...deps].sort()]));
}

// One workspace copy for every test of this file.
beforeAll(() => {
  copy = workspaceCopy('affected');
  base = copy.git('rev-parse', 'HEAD');
  endToEnd = Object.entries(projectGraph().graph.dependencies)
    .filter(([project, deps]) =>
      SERVICES.every((s) => project !== s && deps.some((d) => d.target === s && d.type === 'implicit')),
    )
    .map(([project]) => project)
    .sort();
}, SLOW);

afterAll(() => copy?.remove());

// Each test runs Nx in the copy (a project graph, a task plan): a minute or more on a busy 2-core machine.
describe('nx affected in a throwaway git repository of the workspace', { timeout: SLOW }, () => {
  it('knows exactly the three services as deployable apps', () => {
    expect(copy.nx('show', 'projects', '--withTarget', 'deploy').split('\n').sort()).toEqual(SERVICES);
  });

  it('the end-to-end tests are a project of their own that depends on every service (tests/e2e and the chaos suite)', () => {
    expect(endToEnd).toEqual(expect.arrayContaining(['chaos', 'e2e']));
  });

  it('nx graph links each consumer to the producer of the events it reads (contract edges of the workspace plugin)', () => {
    const graph = projectGraph();

    const betweenServices = Object.values(graph.graph.dependencies)
      .flat()
      .filter((d) => SERVICES.includes(d.source) && SERVICES.includes(d.target))
      .map((d) => [d.source, d.target, d.type]);
    expect(betweenServices.sort()).toEqual([
      ['audit-consumer', 'users-service', 'implicit'],
      ['email-consumer', 'users-service', 'implicit'],
    ]);
  });

  it('a change inside apps/email-consumer affects only email-consumer (and the end-to-end tests), and deploys only it', () => {
    commitChangeTo('apps/email-consumer/src/main.ts');

    const { affected, deploys } = affectedAndDeployPlan();

    expect(affectedProjects()).toEqual(affected);
    expect(affected).toEqual(['email-consumer', ...endToEnd].sort());
    // Its producer is not redeployed: --exclude-task-dependencies keeps only the affected apps' tasks.
    expect(deploys).toEqual(expectedDeploys({ 'email-consumer': [] }));
  });

  // users-service:test reads every consumer's expectations; they are a runtime input of it (hashed, so its cache
  // never answers stale), not a {workspaceRoot} file input, which Nx would also count as touching users-service:
  // then every consumer's change (a new team's first app included) would redeploy the producer and its consumers.
  it("a change to a consumer's expectations affects only that consumer, yet users-service:test misses the cache (it reads every consumer's expectations)", () => {
    copy.git('checkout', '--quiet', base);
    const hashOf = () =>
      taskPlan(copy, { projects: ['users-service'], targets: ['test'] }).tasks['users-service:test']?.hash;
    const before = hashOf();

    commitChangeTo('apps/email-consumer/src/main.ts');
    const afterOtherChange = hashOf();
    commitChangeTo('apps/email-consumer/src/contract-expectations.ts');
    const afterExpectationsChange = hashOf();

    expect(affectedAndDeployPlan().affected).toEqual(['email-consumer', ...endToEnd].sort());
    expect(afterOtherChange).toBe(before);
    expect(afterExpectationsChange).not.toBe(before);
  });

  // The contract edges make a producer's dependents its consumers: a change to users-service (or to a library only it
  // uses) affects its consumers too. They are rechecked against the changed producer, and redeployed after it: a
  // no-change CloudFormation deploy for them, the price of producer-first ordering from the graph.
  it('a change to users-service affects it and its consumers, and deploys the producer first', () => {
    commitChangeTo('apps/users-service/src/main.ts');

    const { affected, deploys } = affectedAndDeployPlan();

    expect(affected).toEqual([...SERVICES, ...endToEnd].sort());
    expect(sorted(deploys)).toEqual(
      expectedDeploys({
        'users-service': [],
        'email-consumer': ['users-service'],
        'audit-consumer': ['users-service'],
      }),
    );
  });

  it('a change to libs/outbox affects outbox, users-service and (through the contract edges) its consumers', () => {
    commitChangeTo('libs/outbox/src/index.ts');

    expect(affectedAndDeployPlan().affected).toEqual(['outbox', ...SERVICES, ...endToEnd].sort());
  });

  it('a change to libs/consumer-kit affects it, the consumers and the generator (its templates use it), not the producer', () => {
    commitChangeTo('libs/consumer-kit/src/index.ts');

    const { affected, deploys } = affectedAndDeployPlan();

    expect(affected).toEqual(
      ['consumer-kit', 'audit-consumer', 'email-consumer', 'workspace-plugin', ...endToEnd].sort(),
    );
    expect(deploys).toEqual(expectedDeploys({ 'audit-consumer': [], 'email-consumer': [] }));
  });

  it('a change to libs/contracts affects every project that reads contracts, and deploys every service, producer first', () => {
    commitChangeTo('libs/contracts/src/index.ts');

    const { affected, deploys } = affectedAndDeployPlan();

    expect(affected).toEqual(
      ['contracts', 'consumer-kit', 'outbox', 'workspace-plugin', ...SERVICES, ...endToEnd].sort(),
    );
    expect(sorted(deploys)).toEqual(
      expectedDeploys({
        'users-service': [],
        'email-consumer': ['users-service'],
        'audit-consumer': ['users-service'],
      }),
    );
  });

  it('a change to the CI workflow alone deploys nothing: only the workflow test of this plugin reruns', () => {
    commitChangeTo('.github/workflows/ci.yml');

    const { affected, deploys } = affectedAndDeployPlan();

    expect(affected).toEqual(['workspace-plugin']);
    expect(deploys).toEqual({});
  });
});

describe('synth and deploy of a service in the workspace copy', { timeout: SLOW }, () => {
  beforeAll(() => copy.git('checkout', '--quiet', '--force', base));

  it('synth misses the cache for another account, region or context (never a stale or placeholder assembly)', () => {
    const synth = { projects: ['email-consumer'], targets: ['synth'] };

    const hashes = taskPlans(copy, [
      synth,
      { ...synth, env: { CDK_DEFAULT_ACCOUNT: '111111111111' } },
      { ...synth, env: { CDK_DEFAULT_REGION: 'eu-west-3' } },
      { ...synth, env: { AWS_REGION: 'eu-west-3' } },
      { ...synth, args: ['-c', 'welcomeEmailSender=a@b.example'] },
      synth,
    ]).map((plan) => plan.tasks['email-consumer:synth']?.hash);

    expect(new Set(hashes.slice(0, 5)).size).toBe(5);
    expect(hashes[5]).toBe(hashes[0]);
  });

  it("nx run <app>:deploy forwards its arguments (context) to the app's synth, and deploys after its producers", () => {
    const plan = taskPlan(copy, {
      projects: ['email-consumer'],
      targets: ['deploy'],
      args: ['-c', 'welcomeEmailSender=a@b.example'],
    });

    expect(plan.tasks['email-consumer:synth']?.overrides).toEqual({
      c: 'welcomeEmailSender=a@b.example',
      __overrides_unparsed__: ['-c', 'welcomeEmailSender=a@b.example'],
    });
    expect(sorted(plan.dependencies)).toEqual(
      expectedDeploys({ 'email-consumer': ['users-service'], 'users-service': [] }),
    );
  });

  it(
    "the README's deploy command synthesizes with the given sender, then refuses the placeholder account's assembly, naming the fix",
    () => {
      const readme = readFileSync(join(copy.root, 'apps', 'email-consumer', 'README.md'), 'utf8');
      const line = readme
        .split('\n')
        .find((l) => l.includes('welcomeEmailSender=') && / -t synth deploy /.test(l));
      if (!line)
        throw new Error('apps/email-consumer/README.md shows no deploy command with welcomeEmailSender');
      const [command, ...args] = line
        .replace(/\s+#.*$/, '')
        .trim()
        .split(/\s+/);
      const sender = /welcomeEmailSender=(\S+)/.exec(line)?.[1];

      let failure = '';
      try {
        copy.run(command as string, args);
      } catch (error) {
        failure = (error as Error).message;
      }
      const template = readFileSync(
        join(copy.root, 'apps', 'email-consumer', 'cdk.out', 'EmailConsumer.template.json'),
        'utf8',
      );

      expect([command, args[0]]).toEqual(['npx', 'nx']);
      expect(template).toContain(sender);
      expect(failure).toMatch(
        /Refusing to deploy the cloud assembly cdk\.out: stack EmailConsumer was synthesized for account "000000000000".*set CDK_DEFAULT_ACCOUNT and CDK_DEFAULT_REGION/,
      );
    },
    SLOW,
  );

  it('diff of that app with the same context reuses its synth, and refuses the placeholder account too', () => {
    let failure = '';
    try {
      copy.nx(
        'run',
        'email-consumer:diff',
        '--outputStyle=static',
        '--',
        '-c',
        'welcomeEmailSender=welcome@your-domain.example',
      );
    } catch (error) {
      failure = (error as Error).message;
    }

    expect(failure).toMatch(
      /nx run email-consumer:synth .*\[existing outputs match the cache, left as is\]|\[local cache\]/,
    );
    expect(failure).toMatch(
      /Refusing to deploy the cloud assembly cdk\.out: stack EmailConsumer was synthesized for account "000000000000"/,
    );
  });
});
