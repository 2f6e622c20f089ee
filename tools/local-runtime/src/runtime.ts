import type { Edge, EdgeFaultPlan } from '@outboxed/local-aws';
import type { LocalAlarmState } from './alarms/types';
import { LocalRuntimeError } from './errors';
import type { RuntimeLog } from './esm/types';
import type { RuntimeFaults } from './faults/runtime-faults';
import type { FunctionRegistry } from './lambda/function-registry';
import type { FunctionLogSink } from './lambda/local-function';
import type { DeployedStack, DeployOptions } from './template/deploy';
import type { StackInput, UnsupportedResource } from './template/stack-plan';
import type { AlarmMonitor } from './alarms/alarm-monitor';
import { FunctionHub } from './start/function-hub';
import { Disposers, PhaseTimer } from './start/lifecycle';
import { planStacks, prepareSettings, reportPlans, startServices, stopStarted } from './start/plan-steps';
import {
  deployAll,
  registerFunctions,
  servicesStarted,
  startApis,
  startMappings,
  watchAlarms,
} from './start/run-steps';
import type { RunningServices } from './start/run-steps';

export { findWorkspaceRoot } from './workspace-root';

/**
 * Options of {@link startLocalRuntime}.
 *
 * @example await startLocalRuntime({ apps: ['users-service'], fresh: true, edgePort: 0 });
 */
export interface StartLocalRuntimeOptions {
  /** The monorepo root. @default the nearest folder above the current directory with nx.json and package-lock.json */
  readonly workspaceRoot?: string;
  /** Only these apps (folder names under apps/). @default every app with a cdk.json */
  readonly apps?: readonly string[];
  /** Stacks to run instead of the apps' cloud assemblies (tests). @default read from the apps */
  readonly stacks?: readonly StackInput[];
  /**
   * Cloud assemblies to run instead of this workspace's apps: the folders `cdk synth` wrote for any CDK app (its
   * `cdk.out`, or the folder of `cdk synth --output <dir>`), inside this workspace or not. They are read as they are,
   * never synthesized; `apps`, `synth` and `assemblyOutDir` do not apply. Outside a workspace the data directory
   * defaults to `./.local`. @default the workspace's apps
   */
  readonly assemblies?: readonly string[];
  /**
   * Where the apps' assemblies are read from and synthesized to, one folder per app (`<dir>/<app>`); any folder
   * (functions find the AWS SDK through the workers' `NODE_PATH`, as on Lambda). Tests use it to stay clear of
   * `nx run <app>:synth` writing `cdk.out` at the same time. @default each app's `cdk.out`
   */
  readonly assemblyOutDir?: string;
  /**
   * `auto` synthesizes the apps whose synth inputs changed (Nx's task cache, `nx run-many -t synth`; with
   * `assemblyOutDir`, an assembly older than its sources); `always`; `never`. @default 'auto'
   */
  readonly synth?: 'auto' | 'always' | 'never';
  /** Delete the data directory first. @default false */
  readonly fresh?: boolean;
  /** Where DynamoDB data, the mailbox and stream checkpoints live. @default `<workspaceRoot>/.local` */
  readonly dataDir?: string;
  /** Port of the AWS edge (EventBridge, SQS, SES, Schemas, SSM). @default 4566; 0 = a free port */
  readonly edgePort?: number;
  /** Port of DynamoDB Local. @default 8000; 0 = a free port */
  readonly dynamoDbPort?: number;
  /** Port of the first HTTP API; further APIs take the next ports. @default 3000; 0 = free ports */
  readonly apiPort?: number;
  /** See `DeployOptions.propertyOverrides`: for tests only. @default none */
  readonly propertyOverrides?: DeployOptions['propertyOverrides'];
  /** Receives the live log. @default ignored */
  readonly log?: RuntimeLog;
  /** Receives the functions' output lines. @default printed with the function's name */
  readonly functionLog?: FunctionLogSink;
  /** Poll interval of idle stream shards. @default 250 (Lambda polls 4 times a second) */
  readonly streamPollIntervalMs?: number;
  /** Faults the edge injects from the start (seeded); `runtime.faults` changes them later. @default none */
  readonly faults?: EdgeFaultPlan;
  /** How long a stop waits for HTTP requests in flight before closing their connections. @default 30000 */
  readonly drainGraceMs?: number;
  /**
   * How often the synthesized CloudWatch alarms are evaluated (and the queues they watch polled), in milliseconds.
   * Periods stay the alarms' own, in real seconds. @default 5000
   */
  readonly alarmEvaluationIntervalMs?: number;
}

/**
 * An HTTP API served locally.
 *
 * @example const url = runtime.apis[0]?.url; // 'http://127.0.0.1:3000/'
 */
export interface RunningHttpApi {
  readonly app: string;
  readonly stackName: string;
  readonly logicalId: string;
  readonly name: string;
  readonly url: string;
}

/**
 * The running system.
 *
 * @example const runtime = await startLocalRuntime(); console.log(runtime.endpoints.edge); await runtime.stop();
 */
export interface LocalRuntime {
  readonly endpoints: { readonly dynamodb: string; readonly edge: string };
  readonly edge: Edge;
  readonly apis: readonly RunningHttpApi[];
  readonly stacks: readonly DeployedStack[];
  readonly functions: FunctionRegistry;
  /** Resources the runtime cannot run (also logged as warnings at start). */
  readonly unsupported: readonly UnsupportedResource[];
  /** Milliseconds each start phase took. */
  readonly timings: Readonly<Record<string, number>>;
  /** Fault injection: the edge's seeded plan, DynamoDB Local paused or restarted. */
  readonly faults: RuntimeFaults;
  /** Settles with the reason when something the runtime needs dies (DynamoDB Local). */
  readonly failed: Promise<Error>;
  /**
   * Each synthesized `AWS::CloudWatch::Alarm` as last evaluated on what the runtime observed (each change is also
   * logged as `alarm.state`).
   */
  alarms(): readonly LocalAlarmState[];
  /** Physical name of a resource by stack name and logical id (its `Ref`). */
  ref(stackName: string, logicalId: string): string;
  /**
   * Drains, then stops everything: the HTTP APIs accept no new request and answer those in flight, the pollers stop
   * receiving and let their running invocations finish (each within its function's timeout), then the workers, the
   * edge (its state journaled in the data dir) and DynamoDB Local stop. Safe to call twice.
   */
  stop(): Promise<void>;
}

/**
 * Runs the apps' synthesized stacks on this machine: DynamoDB tables in DynamoDB Local, functions in worker processes,
 * stream and queue event source mappings, HTTP APIs on localhost, and buses, rules, queues, schemas and SSM parameters
 * in the local AWS edge, all from the templates `cdk deploy` would ship.
 *
 * A sequence of typed steps: prepare the settings → start DynamoDB Local and the edge (beside the synth) → plan the
 * stacks → report what does not run → wait for the services → register the functions → deploy the stacks → watch the
 * alarms → start the event source mappings and the HTTP APIs → hand back the runtime. Each step that starts something
 * adds what stops it to one list of disposers, which `stop()` (or a failed start) runs in reverse.
 *
 * @example
 * const runtime = await startLocalRuntime({ apps: ['users-service'] });
 * console.log(runtime.apis[0]?.url);
 * await runtime.stop();
 */
export async function startLocalRuntime(options: StartLocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const settings = prepareSettings(options);
  const timer = new PhaseTimer();
  const hub = new FunctionHub(settings.log);
  const starting = startServices(settings, hub, timer);
  const plans = await planStacks(settings, timer).catch(async (error: unknown) => {
    await stopStarted(starting);
    throw error;
  });
  const unsupported = reportPlans(plans, settings.log);
  const disposers = new Disposers();
  try {
    const services = await servicesStarted(starting, settings, disposers);
    const functions = registerFunctions(settings, services, hub, disposers);
    const deployment = await timer.time('deploy', () =>
      deployAll(plans, settings, services, functions, disposers),
    );
    const alarms = watchAlarms(settings, deployment, hub, disposers);
    const { apis, mappingCount } = await timer.time('mappings-and-apis', async () => ({
      mappingCount: startMappings(settings, services, deployment, hub, disposers),
      apis: await startApis(settings, deployment.stacks, hub, disposers),
    }));
    settings.log({
      kind: 'runtime.ready',
      message: `${deployment.stacks.length} stack(s), ${functions.functions.size} function(s), ${mappingCount} event source mapping(s), ${apis.length} HTTP API(s) running`,
    });
    alarms.start();
    const running = { services, functions, stacks: deployment.stacks, apis, alarms, unsupported };
    return runtimeHandle(running, timer, disposers);
  } catch (error) {
    await disposers.disposeAll();
    throw error;
  }
}

/** What a start hands to {@link runtimeHandle}. */
interface StartedRuntime {
  readonly services: RunningServices;
  readonly functions: FunctionRegistry;
  readonly stacks: DeployedStack[];
  readonly apis: RunningHttpApi[];
  readonly alarms: AlarmMonitor;
  readonly unsupported: UnsupportedResource[];
}

/** The last step: the {@link LocalRuntime} over what started; `stop()` runs the disposers. */
function runtimeHandle(started: StartedRuntime, timer: PhaseTimer, disposers: Disposers): LocalRuntime {
  const { services, functions, stacks, apis, alarms, unsupported } = started;
  const byStack = new Map(stacks.map((s) => [s.plan.input.stackName, s]));
  return {
    endpoints: { dynamodb: services.dynamoDb.current.endpoint, edge: services.edge.endpoint },
    edge: services.edge,
    apis,
    stacks,
    functions,
    unsupported,
    timings: timer.timings,
    faults: services.faults,
    failed: services.dynamoDb.failed,
    alarms: () => alarms.states(),
    ref: (stackName, logicalId) => {
      const resource = byStack.get(stackName)?.resources.get(logicalId);
      if (!resource) throw new LocalRuntimeError(`No resource ${logicalId} in a running stack ${stackName}.`);
      return resource.identity.ref;
    },
    stop: () => disposers.disposeAll(),
  };
}
