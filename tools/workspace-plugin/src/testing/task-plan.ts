import { join } from 'node:path';
import type { WorkspaceCopy } from './workspace-copy';

/**
 * What Nx would run for a command, without running it: each task's dependencies, forwarded arguments and hash.
 *
 * @example const plan = taskPlan(copy, { projects: ['users-service'], targets: ['test'] });
 */
export interface TaskPlan {
  /** For an `affected` request: every affected project (whatever its targets), sorted. */
  readonly affected?: readonly string[];
  /** Task id → the task ids it waits for. */
  readonly dependencies: Record<string, readonly string[]>;
  /** Task id → its arguments and its hash (Nx's cache key). */
  readonly tasks: Record<string, { readonly overrides: Record<string, unknown>; readonly hash: string }>;
}

/**
 * What to plan: `projects` × `targets`; `exclude` is `--exclude-task-dependencies`; `args` are what follows `--` on
 * the command line (`['-c', 'key=value']`); `env` is added to the environment the tasks are hashed with (e.g.
 * CDK_DEFAULT_ACCOUNT, an input of synth).
 *
 * @example const request: TaskPlanRequest = { projects: ['email-consumer'], targets: ['synth', 'deploy'], exclude: true };
 */
export interface TaskPlanRequest {
  /** The projects to plan; or, with `affected`, none: the affected ones that have one of the targets. */
  readonly projects?: readonly string[];
  /** Plan `nx affected` between these git revisions, as `--base`/`--head`. */
  readonly affected?: { readonly base: string; readonly head: string };
  readonly targets: readonly string[];
  readonly exclude?: boolean;
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * The task plans Nx builds for `requests` in a workspace copy (see `task-plan.cjs`), from one computation of the
 * project graph.
 *
 * @example const [plain, other] = taskPlans(copy, [{ projects, targets }, { projects, targets, env }]);
 */
export function taskPlans(copy: WorkspaceCopy, requests: readonly TaskPlanRequest[]): TaskPlan[] {
  const input = requests.map((r) => ({
    projects: r.projects ?? [],
    affected: r.affected,
    targets: r.targets,
    args: r.args ?? [],
    exclude: r.exclude ?? false,
    env: r.env ?? {},
  }));
  const script = join(copy.root, 'tools', 'workspace-plugin', 'src', 'testing', 'task-plan.cjs');
  return JSON.parse(copy.run(process.execPath, [script, JSON.stringify(input)])) as TaskPlan[];
}

/**
 * The task plan Nx builds for one request (see {@link taskPlans}).
 *
 * @example taskPlan(copy, { projects: ['email-consumer'], targets: ['synth', 'deploy'], exclude: true });
 */
export function taskPlan(copy: WorkspaceCopy, request: TaskPlanRequest): TaskPlan {
  const [plan] = taskPlans(copy, [request]);
  if (!plan) throw new Error('task-plan.cjs returned no plan');
  return plan;
}
