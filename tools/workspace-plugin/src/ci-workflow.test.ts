import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateWorkflow } from '@action-validator/core';
import { describe, expect, it } from 'vitest';
import { parse, parseDocument, stringify } from 'yaml';
import type { Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';

const workspaceRoot = join(import.meta.dirname, '..', '..', '..');
const workflowSource = readFileSync(join(workspaceRoot, '.github', 'workflows', 'ci.yml'), 'utf8');

interface Step {
  readonly id?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, string>;
}
interface Job {
  readonly 'runs-on': string;
  readonly needs?: string;
  readonly if?: string;
  readonly environment?: string;
  readonly permissions?: Record<string, string>;
  readonly steps: readonly Step[];
}
interface Workflow {
  readonly on: Record<string, { branches?: string[] } | null>;
  readonly permissions: Record<string, string>;
  readonly env: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

const workflow = parse(workflowSource) as Workflow;
const oidcDoc = readFileSync(join(workspaceRoot, '.github', 'workflows', 'aws-oidc.md'), 'utf8');
const nxJson = JSON.parse(readFileSync(join(workspaceRoot, 'nx.json'), 'utf8')) as {
  targetDefaults: Record<string, { dependsOn?: unknown[] }>;
};

function job(name: string): Job {
  const found = workflow.jobs[name];
  if (!found) throw new Error(`ci.yml has no job "${name}"; jobs: ${Object.keys(workflow.jobs).join(', ')}`);
  return found;
}

function usesOf(steps: readonly Step[]): string[] {
  return steps.flatMap((s) => (s.uses ? [s.uses.replace(/@.*$/, '')] : []));
}

function step(steps: readonly Step[], action: string): Step {
  const found = steps.find((s) => s.uses?.startsWith(`${action}@`));
  if (!found) throw new Error(`no step uses ${action}`);
  return found;
}

describe('.github/workflows/ci.yml (GitHub Actions syntax)', () => {
  it('passes the action-validator workflow schema with no errors', () => {
    expect(validateWorkflow(workflowSource)).toEqual({ actionType: 'workflow', errors: [] });
  });

  type Editable = { on: Record<string, unknown>; jobs: Record<string, Record<string, unknown>> };
  it.each<[string, (w: Editable) => void]>([
    ['a job without runs-on', (w) => delete w.jobs['verify']?.['runs-on']],
    ['an unknown trigger', (w) => (w.on['pushed'] = null)],
    ['a step that is a number', (w) => (w.jobs['verify'] = { ...w.jobs['verify'], steps: [42] })],
  ])('the validator rejects the workflow with %s (so the check above can fail)', (_case, breakIt) => {
    const broken = parse(workflowSource) as Editable;
    breakIt(broken);
    expect(validateWorkflow(stringify(broken)).errors).not.toEqual([]);
  });
});

describe('.github/workflows/ci.yml (what it does)', () => {
  it('runs on pull requests to main and on pushes to main', () => {
    expect(workflow.on).toEqual({ pull_request: { branches: ['main'] }, push: { branches: ['main'] } });
  });

  it('turns the Nx daemon, Nx Cloud, the TUI and the CDK version check off', () => {
    expect(workflow.env).toEqual({
      CI: 'true',
      NX_DAEMON: 'false',
      NX_NO_CLOUD: 'true',
      NX_TUI: 'false',
      CDK_DISABLE_VERSION_CHECK: '1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
  });

  it('grants only read access to the repository by default', () => {
    expect(workflow.permissions).toEqual({ contents: 'read' });
  });

  it('has exactly a verify job, and a diff job and a deploy job that need it', () => {
    expect(Object.keys(workflow.jobs)).toEqual(['verify', 'diff', 'deploy']);
    expect(job('diff').needs).toBe('verify');
    expect(job('deploy').needs).toBe('verify');
  });

  it.each(['verify', 'diff', 'deploy'])(
    '%s: checks out the full history, Node 20, npm ci, then the Nx base/head SHAs (with actions: read)',
    (name) => {
      const { steps, permissions } = job(name);
      expect(step(steps, 'actions/checkout').with).toEqual({ 'fetch-depth': 0 });
      expect(step(steps, 'actions/setup-node').with).toEqual({ 'node-version': 20, cache: 'npm' });
      expect(step(steps, 'nrwl/nx-set-shas').with).toEqual({ 'main-branch-name': 'main' });
      expect(permissions?.['actions']).toBe('read');
      const runs = steps.map((s) => s.run ?? s.uses?.replace(/@.*$/, ''));
      expect(runs.indexOf('npm ci')).toBeGreaterThan(runs.indexOf('actions/setup-node'));
      expect(runs.indexOf('nrwl/nx-set-shas')).toBeGreaterThan(runs.indexOf('npm ci'));
    },
  );

  it('id-token: write only in the jobs that assume an AWS role, and only read access besides', () => {
    const permissionsByJob = Object.fromEntries(
      Object.entries(workflow.jobs).map(([name, j]) => [name, j.permissions]),
    );
    expect(permissionsByJob).toEqual({
      verify: { contents: 'read', actions: 'read' },
      diff: { contents: 'read', actions: 'read', 'id-token': 'write' },
      deploy: { contents: 'read', actions: 'read', 'id-token': 'write' },
    });
    const assuming = Object.entries(workflow.jobs)
      .filter(([, j]) => usesOf(j.steps).includes('aws-actions/configure-aws-credentials'))
      .map(([name]) => name);
    const withToken = Object.entries(workflow.jobs)
      .filter(([, j]) => j.permissions?.['id-token'] === 'write')
      .map(([name]) => name);
    expect(withToken).toEqual(assuming);
  });

  it('verify: Java 17, then the contracts checks against the merge base, then the affected lint, typecheck, test and synth', () => {
    const { steps } = job('verify');
    expect(usesOf(steps)).toEqual([
      'actions/checkout',
      'actions/setup-node',
      'actions/setup-java',
      'nrwl/nx-set-shas',
    ]);
    expect(step(steps, 'actions/setup-java').with).toEqual({ distribution: 'temurin', 'java-version': '17' });
    expect(steps.flatMap((s) => (s.run ? [s.run] : []))).toEqual([
      'npm ci',
      'npx nx format:check --base="$NX_BASE" --head="$NX_HEAD"',
      'npx nx run contracts:check',
      'npx nx run contracts:compat --base="$NX_BASE"',
      'npx nx affected -t lint typecheck test synth --base="$NX_BASE" --head="$NX_HEAD" --outputStyle=static',
    ]);
  });

  it.each([
    ['diff', 'pull_request', 'AWS_DIFF_ROLE_ARN', 'synth diff'],
    ['deploy', 'push', 'AWS_DEPLOY_ROLE_ARN', 'synth deploy'],
  ])(
    '%s: on %s only, assumes %s, and runs the affected %s (each app after its own synth and, for deploy, its producers) for the assumed account',
    (name, event, roleVariable, targets) => {
      const j = job(name);
      expect(j.if).toContain(`github.event_name == '${event}'`);
      expect(step(j.steps, 'aws-actions/configure-aws-credentials').with).toEqual({
        'role-to-assume': `\${{ vars.${roleVariable} }}`,
        'aws-region': '${{ vars.AWS_REGION }}',
        'role-session-name': `outboxed-${name}-\${{ github.run_id }}`,
      });
      const assume = j.steps.findIndex((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
      expect(assume).toBe(j.steps.length - 2);
      const last = j.steps.at(-1);
      expect(last?.run).toBe(
        `npx nx affected -t ${targets} --exclude-task-dependencies --base="$NX_BASE" --head="$NX_HEAD" --outputStyle=static`,
      );
      expect(last?.env).toMatchObject({
        CDK_DEFAULT_ACCOUNT: `\${{ steps.${j.steps[assume]?.id}.outputs.aws-account-id }}`,
        CDK_DEFAULT_REGION: '${{ vars.AWS_REGION }}',
      });
    },
  );

  it('deploy: orders deploys producer-first through the project graph (deploy depends on ^deploy), not a list', () => {
    expect(nxJson.targetDefaults['deploy']?.dependsOn).toEqual([
      { target: 'synth', params: 'forward' },
      '^deploy',
    ]);
    expect(job('deploy').if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/main'");
  });

  /**
   * The OIDC subject GitHub gives a job's token: its environment's when it names one, else the pull request's
   * or the branch's (docs.github.com, "About security hardening with OpenID Connect", example subject claims).
   */
  function oidcSubject(j: Job): string {
    if (j.environment) return `repo:<owner>/<repo>:environment:${j.environment}`;
    if (j.if?.includes("github.event_name == 'pull_request'")) return 'repo:<owner>/<repo>:pull_request';
    return 'repo:<owner>/<repo>:ref:refs/heads/main';
  }

  /** The trust policy documented in aws-oidc.md under the heading `## <title>: trust policy`. */
  function documentedSubject(title: string): unknown {
    const section = oidcDoc.split(/^## /m).find((s) => s.startsWith(`${title}: trust policy`));
    const json = section && /```json\n([\s\S]*?)```/.exec(section)?.[1];
    if (!json) throw new Error(`aws-oidc.md has no "## ${title}: trust policy" section with a json block`);
    const policy = JSON.parse(json) as {
      Statement: { Condition: { StringEquals: Record<string, string> } }[];
    };
    return policy.Statement.map((s) => s.Condition.StringEquals);
  }

  it.each([
    ['diff', 'Diff role'],
    ['deploy', 'Deploy role'],
  ])('%s: its OIDC subject is exactly the one the documented trust policy of the %s names', (name, title) => {
    expect(documentedSubject(title)).toEqual([
      {
        'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
        'token.actions.githubusercontent.com:sub': oidcSubject(job(name)),
      },
    ]);
  });

  it('never skips cdk approval without a stated reason: only the CI deploy step sets CDK_REQUIRE_APPROVAL=never, with a comment saying why', () => {
    expect(workflowSource).not.toMatch(/--require-approval/);
    expect(JSON.stringify(nxJson)).not.toMatch(/--require-approval never/);
    const document = parseDocument(workflowSource);
    const settings = Object.entries(workflow.jobs).flatMap(([name, j]) =>
      j.steps.flatMap((s, index) =>
        s.env?.['CDK_REQUIRE_APPROVAL'] === undefined
          ? []
          : [{ name, index, value: s.env['CDK_REQUIRE_APPROVAL'] }],
      ),
    );
    expect(settings.map(({ name, value }) => [name, value])).toEqual([['deploy', 'never']]);
    const [setting] = settings;
    const steps = document.getIn(['jobs', setting?.name, 'steps']) as YAMLSeq<YAMLMap>;
    const env = steps.items[setting?.index ?? -1]?.get('env') as YAMLMap;
    const pair = env.items.find((p) => (p.key as Scalar).value === 'CDK_REQUIRE_APPROVAL') as Pair<Scalar>;
    expect(pair.key.commentBefore).toMatch(/^ Reason: \S/);
  });

  it('stores no AWS access keys: credentials come only from the assumed roles', () => {
    expect(workflowSource).not.toMatch(/aws-access-key-id|aws-secret-access-key|secrets\./);
  });
});
