import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { names } from '@nx/devkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guideCommand, guideCommands, shellWords } from '../../testing/guide-commands';
import { taskPlan } from '../../testing/task-plan';
import type { WorkspaceCopy } from '../../testing/workspace-copy';
import { linkWorkspacePackage, workspaceCopy } from '../../testing/workspace-copy';

const SLOW = 15 * 60_000;
/** The guide's example name, which a team may well pick (its app would then exist in the copy). */
const GUIDE_NAME = 'billing';
/** The name the guide's commands run under here: one no team would pick. */
const NAME = 'zz-guide-probe';
const PROJECT = `${NAME}-consumer`;
const SERVICES = ['audit-consumer', 'email-consumer', 'users-service'];

function parseJson(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Polls `find` every 250 ms until it returns a value; throws after `timeoutMs`. */
async function waitFor<T>(find: () => T | undefined, timeoutMs = 120_000): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
    const found = find();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`nothing found within ${timeoutMs} ms`);
}

let copy: WorkspaceCopy;

/** Runs a guide command line in the copy, under {@link NAME}, with extra arguments appended. */
function runGuideCommand(line: string, ...extra: string[]): string {
  const [command, ...args] = shellWords(line.replaceAll(GUIDE_NAME, NAME));
  if (!command) throw new Error(`empty command line: ${JSON.stringify(line)}`);
  return copy.run(command, [...args, ...extra]);
}

describe('docs/adding-a-consumer.md, followed in a real workspace copy', () => {
  beforeAll(() => {
    copy = workspaceCopy('generated-app');
  }, SLOW);

  afterAll(() => copy?.remove());

  it('lists only commands these tests run', () => {
    expect(guideCommands()).toEqual([
      'npx nx g @outboxed/workspace-plugin:consumer billing --events UserCreated',
      `npx nx g @outboxed/workspace-plugin:consumer billing --events UserCreated --filter '{"data":{"email":[{"suffix":"@example.com"}]}}' --dry-run`,
      'npx nx run-many -t lint typecheck test synth -p billing-consumer',
      'npm start',
      'npx nx show projects --affected',
      'npx nx run-many -t synth deploy -p billing-consumer --exclude-task-dependencies',
      'npx nx run-many -t synth deploy',
    ]);
  });

  it('previews a filtered consumer with --dry-run and writes nothing', () => {
    const output = runGuideCommand(
      guideCommand(
        'npx nx g ',
        guideCommands().filter((c) => c.includes('--dry-run')),
      ),
    );

    expect(output).toContain(`CREATE apps/${PROJECT}/src/main.ts`);
    expect(copy.git('status', '--porcelain')).toBe('');
  });

  it(
    `generates apps/${PROJECT} (npm install replaced by its lockfile update and a link, as the tests never install)`,
    () => {
      const generate = guideCommand(
        'npx nx g ',
        guideCommands().filter((c) => !c.includes('--dry-run')),
      );

      const output = runGuideCommand(generate, '--skipInstall');
      // What the generator's `npm install` does: the lockfile gains the workspace package, node_modules its link.
      copy.run('npm', [
        'install',
        '--package-lock-only',
        '--offline',
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
      ]);
      linkWorkspacePackage(copy, PROJECT, `apps/${PROJECT}`);
      // What the generator's task does after installing (the guide's step with --skipInstall): the event catalog.
      copy.nx('run', 'contracts:catalog');

      expect(output).toContain(`CREATE apps/${PROJECT}/project.json`);
      const changed = copy.git('status', '--porcelain', '--untracked-files=no').split('\n');
      expect(changed.map((line) => line.trim()).sort()).toEqual([
        'M docs/asyncapi.yaml',
        'M docs/event-catalog.md',
        'M package-lock.json',
      ]);
      expect(copy.nx('run', 'contracts:check')).toContain('Consumer expectations hold');
      expect(copy.nx('show', 'projects', '--withTarget', 'deploy').split('\n').sort()).toEqual(
        [...SERVICES, PROJECT].sort(),
      );
    },
    SLOW,
  );

  it("its first pull request affects only the new app (and the end-to-end tests, which depend on every app) and plans only the new app's deploy", () => {
    copy.git('checkout', '--quiet', '-b', 'first-pull-request');
    copy.git('add', '--all');
    copy.git('commit', '--quiet', '--no-verify', '-m', `${PROJECT}: generated`);

    const affected = runGuideCommand(guideCommand('npx nx show projects --affected')).split('\n').sort();
    const plan = taskPlan(copy, { projects: affected, targets: ['synth', 'deploy'], exclude: true });
    copy.nx('graph', '--file=graph.json');
    const graph = JSON.parse(readFileSync(join(copy.root, 'graph.json'), 'utf8')) as {
      graph: { dependencies: Record<string, { target: string; type: string }[]> };
    };

    // tests/e2e depends on every project tagged type:app (its implicitDependencies), so no generator edit is needed
    expect(affected).toEqual(['e2e', PROJECT].sort());
    expect(graph.graph.dependencies['e2e']).toContainEqual({
      source: 'e2e',
      target: PROJECT,
      type: 'implicit',
    });
    expect(plan.dependencies).toEqual({
      [`${PROJECT}:synth`]: [],
      [`${PROJECT}:deploy`]: [`${PROJECT}:synth`],
    });
    // It does depend on its producer (the contract edge), which orders deploys but adds none here.
    expect(graph.graph.dependencies[PROJECT]).toContainEqual({
      source: PROJECT,
      target: 'users-service',
      type: 'implicit',
    });
  });

  it(
    'the generated app passes lint, typecheck, test and synth at once, with no other edit',
    () => {
      const output = runGuideCommand(
        guideCommand('npx nx run-many -t lint '),
        '--parallel=1',
        '--outputStyle=static',
      );

      expect(output).toContain(
        `Successfully ran targets lint, typecheck, test, synth for project ${PROJECT}`,
      );
      expect(copy.run('npx', ['prettier', '--check', `apps/${PROJECT}`])).toContain(
        'All matched files use Prettier code style!',
      );
    },
    SLOW,
  );

  it('npm start: the local runtime discovers the new app and can run every resource of its synthesized stack', async () => {
    const runtime = await import('@outboxed/local-runtime/testing');

    const app = runtime.discoverApps(copy.root).find((a) => a.name === PROJECT);
    if (!app) throw new Error(`the local runtime does not discover apps/${PROJECT}`);
    const plans = runtime.readAssembly(app.name, app.assemblyDir).map((stack) => runtime.planStack(stack));

    expect(plans.map((plan) => plan.input.stackName)).toEqual([`${names(NAME).className}Consumer`]);
    expect(runtime.unsupportedResources(plans)).toEqual([]);
  });

  it(
    'npm start: the runtime runs the new app with the users service, and a created user reaches its effect',
    async () => {
      const { startLocalRuntime } = await import('@outboxed/local-runtime');
      const lines: string[] = [];
      const running = await startLocalRuntime({
        workspaceRoot: copy.root,
        apps: ['users-service', PROJECT],
        synth: 'auto',
        fresh: true,
        dataDir: join(copy.root, '.local'),
        edgePort: 0,
        dynamoDbPort: 0,
        apiPort: 0,
        functionLog: (_name, line) => lines.push(line),
      });
      try {
        const api = running.apis.find((a) => a.app === 'users-service');
        if (!api) throw new Error('the users service exposes no HTTP API locally');
        const response = await fetch(new URL('users', api.url), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'grace@example.com', name: 'Grace Hopper' }),
        });
        const user = (await response.json()) as { id: string };
        const applied = await waitFor(() =>
          lines.map(parseJson).find((l) => l?.['message'] === 'Event applied'),
        );

        expect(response.status).toBe(201);
        expect(running.unsupported).toEqual([]);
        expect(applied).toMatchObject({ service: PROJECT, type: 'UserCreated', aggregateId: user.id });
      } finally {
        await running.stop();
      }
    },
    SLOW,
  );

  it(
    "deploying the new app alone by hand synthesizes it, then refuses the placeholder account's assembly, naming the fix",
    () => {
      let output = '';
      try {
        runGuideCommand(guideCommand('npx nx run-many -t synth deploy -p '), '--outputStyle=static');
      } catch (error) {
        output = (error as Error).message;
      }

      expect(output).toMatch(
        /Refusing to deploy the cloud assembly cdk\.out: stack ZzGuideProbeConsumer was synthesized for account "000000000000"/,
      );
      expect([...output.matchAll(/> nx run ([\w-]+:\w+)/g)].map((m) => m[1])).toEqual([
        `${PROJECT}:synth`,
        `${PROJECT}:deploy`,
      ]);
    },
    SLOW,
  );

  it("a fresh account's first deploy of every service runs the producer's deploy before every consumer's", () => {
    const [, , , , target, second] = shellWords(
      guideCommand(
        'npx nx run-many -t synth deploy',
        guideCommands().filter((c) => !c.includes(' -p ')),
      ),
    );
    const services = copy.nx('show', 'projects', '--withTarget', 'deploy').split('\n');

    const plan = taskPlan(copy, { projects: services, targets: [target as string, second as string] });

    const consumers = services.filter((s) => s !== 'users-service').sort();
    expect(consumers).toEqual(['audit-consumer', 'email-consumer', PROJECT].sort());
    expect(Object.fromEntries(Object.entries(plan.dependencies).map(([t, d]) => [t, [...d].sort()]))).toEqual(
      {
        'users-service:synth': [],
        'users-service:deploy': ['users-service:synth'],
        ...Object.fromEntries(
          consumers.flatMap((c) => [
            [`${c}:synth`, []],
            [`${c}:deploy`, [`${c}:synth`, 'users-service:deploy'].sort()],
          ]),
        ),
      },
    );
  });

  it('its stack test stays true when the app adds a table and grants its function on it', () => {
    const appRoot = join(copy.root, 'apps', PROJECT);
    const construct = join(appRoot, 'src', 'functions', `${NAME}-events`, 'construct.ts');
    const source = readFileSync(construct, 'utf8');
    const grant = '    Grant.addToPrincipal({';
    if (!source.includes(grant))
      throw new Error(`${construct} has no "${grant.trim()}" to add a table before`);
    writeFileSync(
      construct,
      source.replace(
        grant,
        [
          "    const ledger = new Table(this, 'LedgerTable', {",
          "      partitionKey: { name: 'id', type: AttributeType.STRING },",
          '      billingMode: BillingMode.PAY_PER_REQUEST,',
          '      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },',
          '    });',
          '    ledger.grantReadWriteData(this.consumer.function);',
          grant,
        ].join('\n'),
      ),
    );

    const output = copy.run('npx', ['vitest', 'run', 'src/stack.test.ts'], appRoot);

    expect(output).toMatch(/Tests\s+7 passed \(7\)/);
  });
});
