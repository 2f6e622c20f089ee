import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guideCommand, guideCommands, shellWords } from '../../testing/guide-commands';
import type { WorkspaceCopy } from '../../testing/workspace-copy';
import { copyWorkspace, linkWorkspacePackage } from '../../testing/workspace-copy';

const SLOW = 15 * 60_000;
const PROJECT = 'billing-consumer';

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

interface TaskGraphOutput {
  readonly tasks: { readonly dependencies: Record<string, readonly string[]> };
}

let copy: WorkspaceCopy;

/** Runs a guide command line in the copy, with extra arguments appended. */
function runGuideCommand(line: string, ...extra: string[]): string {
  const [command, ...args] = shellWords(line);
  if (!command) throw new Error(`empty command line: ${JSON.stringify(line)}`);
  return copy.run(command, [...args, ...extra]);
}

describe('docs/adding-a-consumer.md, followed in a real workspace copy', () => {
  beforeAll(() => {
    copy = copyWorkspace();
  }, SLOW);

  afterAll(() => copy?.remove());

  it('lists only commands these tests run', () => {
    expect(guideCommands()).toEqual([
      'npx nx g @outboxed/workspace-plugin:consumer billing --events UserCreated',
      `npx nx g @outboxed/workspace-plugin:consumer billing --events UserCreated --filter '{"data":{"email":[{"suffix":"@example.com"}]}}' --dry-run`,
      `npx nx run-many -t lint typecheck test synth -p ${PROJECT}`,
      'npm start',
      'npx nx affected -t deploy --graph=stdout',
      `npx nx deploy ${PROJECT}`,
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
    'generates apps/billing-consumer (npm install replaced by linking the package, as the tests never install)',
    () => {
      const generate = guideCommand(
        'npx nx g ',
        guideCommands().filter((c) => !c.includes('--dry-run')),
      );

      const output = runGuideCommand(generate, '--skipInstall');
      linkWorkspacePackage(copy, PROJECT, `apps/${PROJECT}`);

      expect(output).toContain(`CREATE apps/${PROJECT}/project.json`);
      expect(copy.nx('show', 'projects', '--type', 'app').split('\n')).toContain(PROJECT);
    },
    SLOW,
  );

  it(
    'the generated app passes lint, typecheck, test and synth at once, with no other edit',
    () => {
      const output = runGuideCommand(
        guideCommand('npx nx run-many '),
        '--parallel=1',
        '--outputStyle=static',
        '--skipNxCache',
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
    const runtime = await import('@outboxed/local-runtime');

    const app = runtime.discoverApps(copy.root).find((a) => a.name === PROJECT);
    if (!app) throw new Error(`the local runtime does not discover apps/${PROJECT}`);
    const plans = runtime.readAssembly(app.name, app.assemblyDir).map((stack) => runtime.planStack(stack));

    expect(plans.map((plan) => plan.input.stackName)).toEqual(['BillingConsumer']);
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

  it.each([
    ['npx nx affected -t deploy --graph=stdout', []],
    [`npx nx deploy ${PROJECT}`, ['--graph=stdout']],
  ])('%s plans the new app: its deploy after its own synth', (prefix, extra) => {
    const output = runGuideCommand(guideCommand(prefix), ...extra);

    const { dependencies } = (JSON.parse(output) as TaskGraphOutput).tasks;
    expect(dependencies).toMatchObject({
      [`${PROJECT}:deploy`]: [`${PROJECT}:synth`],
      [`${PROJECT}:synth`]: [],
    });
    const deploys = Object.keys(dependencies).filter((task) => task.endsWith(':deploy'));
    expect(Object.fromEntries(deploys.map((task) => [task, dependencies[task]]))).toEqual(
      Object.fromEntries(deploys.map((task) => [task, [task.replace(/:deploy$/, ':synth')]])),
    );
  });
});
