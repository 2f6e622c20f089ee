import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateWorkflow } from '@action-validator/core';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';

const workspaceRoot = join(import.meta.dirname, '..', '..', '..');
const workflowSource = readFileSync(join(workspaceRoot, '.github', 'workflows', 'ci.yml'), 'utf8');

interface Step {
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
}
interface Job {
  readonly 'runs-on': string;
  readonly needs?: string;
  readonly if?: string;
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
    expect(workflow.env).toMatchObject({
      CI: 'true',
      NX_DAEMON: 'false',
      NX_NO_CLOUD: 'true',
      NX_TUI: 'false',
      CDK_DISABLE_VERSION_CHECK: '1',
    });
  });

  it('grants only read access to the repository by default', () => {
    expect(workflow.permissions).toEqual({ contents: 'read' });
  });

  it('has exactly a verify job and a deploy job that needs it', () => {
    expect(Object.keys(workflow.jobs)).toEqual(['verify', 'deploy']);
    expect(job('deploy').needs).toBe('verify');
  });

  it.each(['verify', 'deploy'])(
    '%s: checks out the full history, Node 20, npm ci, then the Nx base/head SHAs',
    (name) => {
      const { steps } = job(name);
      expect(step(steps, 'actions/checkout').with).toEqual({ 'fetch-depth': 0 });
      expect(step(steps, 'actions/setup-node').with).toEqual({ 'node-version': 20, cache: 'npm' });
      expect(step(steps, 'nrwl/nx-set-shas').with).toEqual({ 'main-branch-name': 'main' });
      const runs = steps.map((s) => s.run ?? s.uses?.replace(/@.*$/, ''));
      expect(runs.indexOf('npm ci')).toBeGreaterThan(runs.indexOf('actions/setup-node'));
      expect(runs.indexOf('nrwl/nx-set-shas')).toBeGreaterThan(runs.indexOf('npm ci'));
    },
  );

  it('verify: installs Java 17 for DynamoDB Local and runs the affected lint, typecheck, test and synth', () => {
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
      'npx nx affected -t lint typecheck test synth --base="$NX_BASE" --head="$NX_HEAD" --outputStyle=static',
    ]);
  });

  it('deploy: only on a push to main, with an OIDC token and a role from a repository variable', () => {
    const deploy = job('deploy');
    expect(deploy.if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/main'");
    expect(deploy.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    expect(step(deploy.steps, 'aws-actions/configure-aws-credentials').with).toEqual({
      'role-to-assume': '${{ vars.AWS_DEPLOY_ROLE_ARN }}',
      'aws-region': '${{ vars.AWS_REGION }}',
      'role-session-name': 'outboxed-deploy-${{ github.run_id }}',
    });
    const assume = deploy.steps.findIndex((s) =>
      s.uses?.startsWith('aws-actions/configure-aws-credentials@'),
    );
    const last = deploy.steps.at(-1);
    expect(assume).toBe(deploy.steps.length - 2);
    expect(last).toEqual({
      run: 'npx nx affected -t deploy --base="$NX_BASE" --head="$NX_HEAD" --outputStyle=static',
    });
  });

  it('stores no AWS access keys: credentials come only from the assumed role', () => {
    expect(workflowSource).not.toMatch(/aws-access-key-id|aws-secret-access-key|secrets\./);
  });
});
