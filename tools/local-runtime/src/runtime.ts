import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { startDynamoDbLocal } from '@outboxed/dynamodb-local';
import type { DynamoDbLocal } from '@outboxed/dynamodb-local';
import { findWorkspaceRoot as findRoot } from '@outboxed/cdk-common/workspace-root';
import { compileEventPattern, startEdge } from '@outboxed/local-aws';
import type { Edge, EdgeFaultPlan, EdgeLogEvent } from '@outboxed/local-aws';
import { AlarmMonitor } from './alarms/alarm-monitor';
import type { LocalAlarmState } from './alarms/types';
import {
  discoverApps,
  isAssemblyFresh,
  readAssemblies,
  readAssembly,
  synthesizeApp,
  synthesizeWithNx,
} from './assembly';
import { LocalRuntimeError } from './errors';
import { DynamoDbStreamMapping } from './esm/dynamodb-stream-mapping';
import { fileCheckpoints } from './esm/file-checkpoints';
import { SqsMapping } from './esm/sqs-mapping';
import type { RuntimeLog, RuntimeLogEvent } from './esm/types';
import { runtimeFaults } from './faults/runtime-faults';
import type { RuntimeFaults } from './faults/runtime-faults';
import { collectHttpApis } from './http/collect-http-apis';
import { startHttpApi } from './http/http-api';
import type { LocalHttpApi } from './http/http-api';
import { FunctionRegistry } from './lambda/function-registry';
import type { FunctionLogSink } from './lambda/local-function';
import { collectEventSourceMappings } from './esm/collect-mappings';
import { tableProvisioner } from './services/dynamodb-tables';
import { edgeClients, edgeProvisioners } from './services/edge-resources';
import { deployStacks } from './template/deploy';
import type { DeployedStack, DeployOptions } from './template/deploy';
import { orderStacks, planStack, unsupportedResources } from './template/stack-plan';
import type { StackInput, StackPlan, UnsupportedResource } from './template/stack-plan';

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
 * Finds the monorepo root at or above `from` (the current directory by default, as a command-line tool starts
 * from): cdk-common's one definition of it.
 *
 * @example findWorkspaceRoot(process.cwd())
 */
export function findWorkspaceRoot(from: string = process.cwd()): string {
  return findRoot(from);
}

/**
 * The workspace root above the current directory, or the current directory outside a workspace (a cloud assembly of
 * any CDK app runs there too).
 *
 * @example const root = nearestWorkspaceRoot();
 */
export function nearestWorkspaceRoot(): string {
  try {
    return findWorkspaceRoot();
  } catch {
    return process.cwd();
  }
}

/**
 * Runs the apps' synthesized stacks on this machine: DynamoDB tables in DynamoDB Local, functions in worker processes,
 * stream and queue event source mappings, HTTP APIs on localhost, and buses, rules, queues, schemas and SSM parameters
 * in the local AWS edge, all from the templates `cdk deploy` would ship.
 *
 * @example
 * const runtime = await startLocalRuntime({ apps: ['users-service'] });
 * console.log(runtime.apis[0]?.url);
 * await runtime.stop();
 */
export async function startLocalRuntime(options: StartLocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const timings: Record<string, number> = {};
  const time = async <T>(phase: string, work: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    try {
      return await work();
    } finally {
      timings[phase] = Date.now() - started;
    }
  };
  const log: RuntimeLog = options.log ?? (() => undefined);
  const root = options.workspaceRoot ?? (options.assemblies ? nearestWorkspaceRoot() : findWorkspaceRoot());
  const dataDir = resolve(options.dataDir ?? join(root, '.local'));
  if (options.fresh) rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });

  const apps = (options.stacks || options.assemblies ? [] : discoverApps(root, options.apps)).map((app) =>
    options.assemblyOutDir ? { ...app, assemblyDir: join(resolve(options.assemblyOutDir), app.name) } : app,
  );
  if (!options.stacks && !options.assemblies && apps.length === 0)
    throw new LocalRuntimeError('No app to run: the workspace has no apps/*/cdk.json.');
  let invokeFunction = (arn: string, _payload: unknown): Promise<unknown> =>
    Promise.reject(new LocalRuntimeError(`function ${arn} is not deployed yet`));
  let killWorker: (appId: string) => string | undefined = () => undefined;
  // the alarms observe the edge, the functions' output and their invocations once the stacks are deployed
  let monitor: AlarmMonitor | undefined;
  // DynamoDB Local's JVM takes seconds to start: it starts while the apps synthesize.
  const servicesStarting = Promise.allSettled([
    time('dynamodb', () =>
      startDynamoDbLocal({
        port: options.dynamoDbPort === 0 ? undefined : (options.dynamoDbPort ?? 8000),
        dbPath: join(dataDir, 'dynamodb'),
        // it starts beside `cdk synth`, which can starve its JVM on a small machine
        readyTimeoutMs: 120_000,
      }),
    ),
    time('edge', () =>
      startEdge({
        port: options.edgePort ?? 4566,
        dataDir,
        invokeLambda: (arn, payload) => invokeFunction(arn, payload),
        onEvent: (e: EdgeLogEvent) => {
          monitor?.observeEdgeEvent(e);
          log({ kind: e.kind, message: e.message, details: e.details });
        },
        ...(options.faults ? { faults: options.faults } : {}),
        onCrash: (caller) => {
          if (caller) killWorker(caller);
        },
      }),
    ),
  ]);
  const stopServices = async () => {
    for (const started of await servicesStarting)
      if (started.status === 'fulfilled') await started.value.stop().catch(() => undefined);
  };

  let plans: StackPlan[];
  try {
    const inputs =
      options.stacks ??
      (options.assemblies ? readAssemblies(options.assemblies) : undefined) ??
      (await time('synth', async () => {
        if (options.synth !== 'never' && !options.assemblyOutDir) {
          // the apps' own cdk.out: Nx's task cache decides (the same cache as `nx run-many -t synth`)
          const { synthesized } = await synthesizeWithNx(apps, root, {
            skipCache: options.synth === 'always',
          });
          for (const name of synthesized)
            log({ kind: 'runtime.synth', message: `synthesized ${name} (its synth inputs changed)` });
        }
        const stale = !options.assemblyOutDir
          ? []
          : apps.filter(
              (app) =>
                options.synth === 'always' || (options.synth !== 'never' && !isAssemblyFresh(app, root)),
            );
        for (const app of stale)
          log({
            kind: 'runtime.synth',
            message: `synthesizing ${app.name} (its sources changed since the last synth)`,
          });
        await Promise.all(stale.map((app) => synthesizeApp(app, root)));
        return apps.flatMap((app) => readAssembly(app.name, app.assemblyDir));
      }));
    plans = orderStacks(inputs.map(planStack));
  } catch (error) {
    await stopServices();
    throw error;
  }
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

  const cleanups: (() => Promise<void>)[] = [];
  let stopping = false;
  const stop = async () => {
    stopping = true;
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  };
  let failedWith: (e: Error) => void = () => undefined;
  const failed = new Promise<Error>((r) => (failedWith = r));
  try {
    const [ddbStart, edgeStart] = await servicesStarting;
    // the DynamoDB Local running at stop time (a restart fault replaces it)
    let current: DynamoDbLocal | undefined = ddbStart.status === 'fulfilled' ? ddbStart.value : undefined;
    if (current) cleanups.push(async () => current?.stop());
    if (edgeStart.status === 'fulfilled') cleanups.push(() => edgeStart.value.stop());
    if (ddbStart.status === 'rejected') throw ddbStart.reason;
    if (edgeStart.status === 'rejected') throw edgeStart.reason;
    let ddb: DynamoDbLocal = ddbStart.value;
    const edge = edgeStart.value;
    const watchDynamoDb = (running: DynamoDbLocal) =>
      void running.exited.then((code) => {
        if (stopping) return;
        const error = new LocalRuntimeError(
          `DynamoDB Local stopped unexpectedly (exit code ${code}); the local runtime cannot go on without it.`,
        );
        failedWith(error);
      });
    watchDynamoDb(ddb);
    const faults = runtimeFaults({
      edge,
      log,
      dynamoDb: () => ddb,
      replaceDynamoDb: async () => {
        const previous = ddb;
        await previous.stop();
        ddb = await startDynamoDbLocal({
          port: previous.port,
          dbPath: join(dataDir, 'dynamodb'),
          readyTimeoutMs: 120_000,
        });
        current = ddb;
        watchDynamoDb(ddb);
      },
    });
    const localEnvironment = lambdaEnvironment(ddb, edge);
    const functionLog = options.functionLog ?? ((name, line) => console.log(`[${name}] ${line}`));
    const functions: FunctionRegistry = new FunctionRegistry(
      localEnvironment,
      (name, line, stream) => {
        monitor?.observeFunctionLine(functions.displayNames.get(name) ?? name, line);
        functionLog(name, line, stream);
      },
      join(dataDir, 'inline-code'),
      (message) => log({ kind: 'runtime.warning', message }),
    );
    // every invocation (edge, mappings, HTTP APIs) goes through the alarms' observer: Invocations, Errors, Duration…
    const invoke = (arn: string, payload: unknown): Promise<unknown> => {
      const name = functions.find(arn)?.definition.name;
      return monitor && name
        ? monitor.observeInvocation(name, payload, () => functions.invoke(arn, payload))
        : functions.invoke(arn, payload);
    };
    invokeFunction = invoke;
    killWorker = (appId) => {
      const name = functions.killWorker(appId);
      if (name)
        log({
          kind: 'fault.crash',
          message: `fault: worker ${appId} of ${functions.displayNames.get(name) ?? name} killed (SIGKILL)`,
          details: { appId, function: name },
        });
      return name;
    };
    cleanups.push(() => functions.stop());
    const dynamodb = new DynamoDBClient(ddb.clientConfig);
    const clients = edgeClients(edge.endpoint);
    cleanups.push(async () => {
      dynamodb.destroy();
      clients.destroy();
    });
    const queueUrls = new Map<string, string>();
    const tables = tableProvisioner(dynamodb, (message) => log({ kind: 'runtime.warning', message }));
    const stacks = await time('deploy', () =>
      deployStacks(plans, {
        ...(options.propertyOverrides ? { propertyOverrides: options.propertyOverrides } : {}),
        provisioners: {
          'AWS::DynamoDB::Table': tables,
          'AWS::DynamoDB::GlobalTable': tables,
          'AWS::Lambda::Function': functions.provision,
          ...edgeProvisioners(clients, (arn, url) => queueUrls.set(arn, url)),
        },
      }),
    );

    const alarms = new AlarmMonitor({
      stacks,
      log,
      intervalMs: options.alarmEvaluationIntervalMs ?? 5000,
      queueAttributes: async (queueUrl) =>
        (
          await clients.sqs.send(
            new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }),
          )
        ).Attributes ?? {},
    });
    monitor = alarms;
    cleanups.push(() => alarms.stop());

    const started = await time('mappings-and-apis', async () => {
      const checkpoints = fileCheckpoints(join(dataDir, 'esm-checkpoints.json'));
      const streams = new DynamoDBStreamsClient(ddb.clientConfig);
      const queueUrl = async (arn: string) =>
        queueUrls.get(arn) ??
        (await clients.sqs.send(new GetQueueUrlCommand({ QueueName: arn.split(':').at(-1) }))).QueueUrl ??
        '';
      const compileFilter = (pattern: string) => compileEventPattern(pattern);
      const mappings = collectEventSourceMappings(stacks, queueUrls);
      for (const note of mappings.notes) log({ kind: 'runtime.warning', message: note });
      const running: { stop(): Promise<void> }[] = [];
      const fnLabel = (arn: string) => {
        const fn = functions.find(arn);
        return fn ? (functions.displayNames.get(fn.definition.name) ?? fn.definition.name) : arn;
      };
      for (const m of mappings.streams) {
        const table = /table\/([^/]+)/.exec(m.eventSourceArn)?.[1] ?? m.eventSourceArn;
        const mapping = new DynamoDbStreamMapping(
          { ...m, label: `${shortName(table)} stream → ${fnLabel(m.functionArn)}` },
          {
            streams,
            invoke,
            sendToDestination: async (arn, message) => {
              await clients.sqs.send(
                new SendMessageCommand({
                  QueueUrl: await queueUrl(arn),
                  MessageBody: JSON.stringify(message),
                }),
              );
            },
            compileFilter,
            checkpoints,
            log,
            pollIntervalMs: options.streamPollIntervalMs ?? 250,
          },
        );
        mapping.start();
        running.push(mapping);
      }
      for (const m of mappings.queues) {
        const queue = m.queueArn.split(':').at(-1) ?? m.queueArn;
        const mapping = new SqsMapping(
          { ...m, label: `${shortName(queue)} → ${fnLabel(m.functionArn)}` },
          {
            sqs: clients.sqs,
            invoke,
            compileFilter,
            log,
          },
        );
        mapping.start();
        running.push(mapping);
      }
      cleanups.push(async () => {
        await Promise.all(running.map((r) => r.stop()));
        checkpoints.flush();
        streams.destroy();
      });
      const apis: RunningHttpApi[] = [];
      let port = options.apiPort ?? 3000;
      for (const api of collectHttpApis(stacks)) {
        const server: LocalHttpApi = await startHttpApi(api.definition, invoke, {
          port,
          log: (r) => {
            monitor?.observeHttpRequest(api.definition.apiId, r.status, r.ms);
            log({
              kind: 'http.request',
              message: `${r.method} ${r.path} → ${r.status} (${r.ms} ms)`,
              details: { api: r.apiName, status: r.status, requestId: r.requestId },
            });
          },
        });
        cleanups.push(() => server.stop(options.drainGraceMs));
        apis.push({ ...api.source, name: api.definition.name, url: server.url });
        if (port !== 0) port += 1;
      }
      return { apis, mappings };
    });
    log({
      kind: 'runtime.ready',
      message: `${stacks.length} stack(s), ${functions.functions.size} function(s), ${started.mappings.streams.length + started.mappings.queues.length} event source mapping(s), ${started.apis.length} HTTP API(s) running`,
    });
    alarms.start();

    const byStack = new Map(stacks.map((s) => [s.plan.input.stackName, s]));
    return {
      endpoints: { dynamodb: ddb.endpoint, edge: edge.endpoint },
      edge,
      apis: started.apis,
      stacks,
      functions,
      unsupported,
      timings,
      faults,
      failed,
      alarms: () => alarms.states(),
      ref: (stackName, logicalId) => {
        const resource = byStack.get(stackName)?.resources.get(logicalId);
        if (!resource)
          throw new LocalRuntimeError(`No resource ${logicalId} in a running stack ${stackName}.`);
        return resource.identity.ref;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The variables every worker gets on top of its function's environment: region, dummy credentials and the
 * `AWS_ENDPOINT_URL_*` variables that point the AWS SDK at DynamoDB Local and the edge.
 *
 * @example lambdaEnvironment(ddb, edge).AWS_ENDPOINT_URL_SQS // 'http://127.0.0.1:4566'
 */
export function lambdaEnvironment(
  ddb: Pick<DynamoDbLocal, 'endpoint'>,
  edge: Pick<Edge, 'endpoint'>,
): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SESSION_TOKEN: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB_STREAMS: ddb.endpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: edge.endpoint,
    AWS_ENDPOINT_URL_SQS: edge.endpoint,
    AWS_ENDPOINT_URL_SESV2: edge.endpoint,
    AWS_ENDPOINT_URL_SCHEMAS: edge.endpoint,
    AWS_ENDPOINT_URL_SSM: edge.endpoint,
  };
}

/** `UsersService-UsersTable6D91A5EE-K2J…` → `UsersTable`: a generated physical name without stack, hash and suffix. */
function shortName(physical: string): string {
  const parts = physical.split('-');
  const middle = parts.length >= 3 ? parts.slice(1, -1).join('-') : physical;
  return middle.replace(/[0-9A-F]{8}$/, '');
}

export type { RuntimeLogEvent };

/**
 * One warning per function whose Lambda runtime (`nodejs<major>.x`) is not the Node.js major the local workers run
 * on: what passes locally may then fail on AWS (or the reverse), e.g. an API the deployed runtime lacks.
 *
 * @example runtimeMismatches(plans, process.versions.node) // ['Users/ApiFunction runs on nodejs22.x on AWS, …']
 */
export function runtimeMismatches(plans: readonly StackPlan[], nodeVersion: string): string[] {
  const local = nodeVersion.split('.')[0];
  return plans.flatMap((plan) =>
    plan.resources
      .filter((r) => r.type === 'AWS::Lambda::Function')
      .map((r) => ({ r, runtime: String(r.resource.Properties?.['Runtime'] ?? '') }))
      .filter(({ runtime }) => /^nodejs\d+\.x$/.test(runtime) && runtime !== `nodejs${local}.x`)
      .map(
        ({ r, runtime }) =>
          `${plan.input.stackName}/${r.logicalId} runs on ${runtime} on AWS, but its local worker runs on Node.js ${nodeVersion}: run npm start on Node.js ${runtime.slice(6, -2)} to test what deploys.`,
      ),
  );
}
