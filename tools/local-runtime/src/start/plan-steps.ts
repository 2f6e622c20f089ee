import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startDynamoDbLocal } from '@outboxed/dynamodb-local';
import type { DynamoDbLocal } from '@outboxed/dynamodb-local';
import { startEdge } from '@outboxed/local-aws';
import type { Edge } from '@outboxed/local-aws';
import {
  discoverApps,
  isAssemblyFresh,
  readAssemblies,
  readAssembly,
  synthesizeApp,
  synthesizeWithNx,
} from '../assembly';
import type { AppInfo } from '../assembly';
import { LocalRuntimeError } from '../errors';
import type { RuntimeLog } from '../esm/types';
import { orderStacks, planStack, unsupportedResources } from '../template/stack-plan';
import type { StackInput, StackPlan, UnsupportedResource } from '../template/stack-plan';
import { findWorkspaceRoot, nearestWorkspaceRoot } from '../workspace-root';
import type { StartLocalRuntimeOptions } from '../runtime';
import { DYNAMODB_READY_TIMEOUT_MS } from './dynamodb-supervisor';
import type { FunctionHub } from './function-hub';
import type { PhaseTimer } from './lifecycle';
import { runtimeMismatches } from './runtime-mismatches';

/** The options of a start with their defaults applied, its data directory ready. */
export interface RuntimeSettings {
  readonly options: StartLocalRuntimeOptions;
  readonly log: RuntimeLog;
  readonly root: string;
  readonly dataDir: string;
  /** The workspace's apps to synthesize and read; none when stacks or assemblies are given. */
  readonly apps: readonly AppInfo[];
}

/** DynamoDB Local and the edge starting, each settling on its own (one may fail while the other starts). */
export type ServicesStarting = Promise<[PromiseSettledResult<DynamoDbLocal>, PromiseSettledResult<Edge>]>;

/**
 * Step 1: applies the defaults, finds the apps and prepares the data directory (emptied first when `fresh`).
 *
 * @example const settings = prepareSettings({ apps: ['users-service'], fresh: true });
 */
export function prepareSettings(options: StartLocalRuntimeOptions): RuntimeSettings {
  const root = options.workspaceRoot ?? (options.assemblies ? nearestWorkspaceRoot() : findWorkspaceRoot());
  const dataDir = resolve(options.dataDir ?? join(root, '.local'));
  if (options.fresh) rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const apps = (options.stacks || options.assemblies ? [] : discoverApps(root, options.apps)).map((app) =>
    options.assemblyOutDir ? { ...app, assemblyDir: join(resolve(options.assemblyOutDir), app.name) } : app,
  );
  if (!options.stacks && !options.assemblies && apps.length === 0)
    throw new LocalRuntimeError('No app to run: the workspace has no apps/*/cdk.json.');
  return { options, log: options.log ?? (() => undefined), root, dataDir, apps };
}

/**
 * Step 2: starts DynamoDB Local and the edge without waiting for them: DynamoDB Local's JVM takes seconds to start,
 * so both start while the apps synthesize. The edge reaches the functions through the hub, connected later.
 *
 * @example const starting = startServices(settings, hub, timer);
 */
export function startServices(
  settings: RuntimeSettings,
  hub: FunctionHub,
  timer: PhaseTimer,
): ServicesStarting {
  const { options, dataDir } = settings;
  return Promise.allSettled([
    timer.time('dynamodb', () =>
      startDynamoDbLocal({
        port: options.dynamoDbPort === 0 ? undefined : (options.dynamoDbPort ?? 8000),
        dbPath: join(dataDir, 'dynamodb'),
        // it starts beside `cdk synth`, which can starve its JVM on a small machine
        readyTimeoutMs: DYNAMODB_READY_TIMEOUT_MS,
      }),
    ),
    timer.time('edge', () =>
      startEdge({
        port: options.edgePort ?? 4566,
        dataDir,
        invokeLambda: (arn, payload) => hub.invoke(arn, payload),
        onEvent: (event) => hub.edgeEvent(event),
        ...(options.faults ? { faults: options.faults } : {}),
        onCrash: (caller) => {
          if (caller) hub.killWorker(caller);
        },
      }),
    ),
  ]);
}

/**
 * Stops whichever of DynamoDB Local and the edge started (a start that fails before they are handed over).
 *
 * @example await stopStarted(starting);
 */
export async function stopStarted(starting: ServicesStarting): Promise<void> {
  for (const started of await starting)
    if (started.status === 'fulfilled') await started.value.stop().catch(() => undefined);
}

/**
 * Step 3: the stacks to run, in deployment order (producers first): given, read from assemblies, or synthesized
 * from the apps where their sources changed and read from their cloud assemblies.
 *
 * @example const plans = await planStacks(settings, timer);
 */
export async function planStacks(settings: RuntimeSettings, timer: PhaseTimer): Promise<StackPlan[]> {
  const { options } = settings;
  const inputs =
    options.stacks ??
    (options.assemblies ? readAssemblies(options.assemblies) : undefined) ??
    (await timer.time('synth', () => synthesizeApps(settings)));
  return orderStacks(inputs.map(planStack));
}

async function synthesizeApps({ options, apps, root, log }: RuntimeSettings): Promise<StackInput[]> {
  if (options.synth !== 'never' && !options.assemblyOutDir) {
    // the apps' own cdk.out: Nx's task cache decides (the same cache as `nx run-many -t synth`)
    const { synthesized } = await synthesizeWithNx(apps, root, { skipCache: options.synth === 'always' });
    for (const name of synthesized)
      log({ kind: 'runtime.synth', message: `synthesized ${name} (its synth inputs changed)` });
  }
  const stale = !options.assemblyOutDir
    ? []
    : apps.filter(
        (app) => options.synth === 'always' || (options.synth !== 'never' && !isAssemblyFresh(app, root)),
      );
  for (const app of stale)
    log({
      kind: 'runtime.synth',
      message: `synthesizing ${app.name} (its sources changed since the last synth)`,
    });
  await Promise.all(stale.map((app) => synthesizeApp(app, root)));
  return apps.flatMap((app) => readAssembly(app.name, app.assemblyDir));
}

/**
 * Step 4: logs what the plans hold that runs differently here (a Node.js major other than the workers') or not at
 * all, and returns the resources not run.
 *
 * @example const unsupported = reportPlans(plans, log);
 */
export function reportPlans(plans: readonly StackPlan[], log: RuntimeLog): UnsupportedResource[] {
  for (const message of runtimeMismatches(plans, process.versions.node))
    log({ kind: 'runtime.warning', message });
  const unsupported = unsupportedResources(plans);
  for (const u of unsupported) {
    log({
      kind: 'runtime.unsupported',
      message: `not run locally: ${u.stackName}/${u.logicalId} (${u.type}) is not supported by the local runtime`,
      details: { ...u },
    });
  }
  return unsupported;
}
