import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { compileEventPattern } from '@outboxed/local-aws';
import type { Edge } from '@outboxed/local-aws';
import { AlarmMonitor } from '../alarms/alarm-monitor';
import { collectEventSourceMappings } from '../esm/collect-mappings';
import { DynamoDbStreamMapping } from '../esm/dynamodb-stream-mapping';
import { fileCheckpoints } from '../esm/file-checkpoints';
import { SqsMapping } from '../esm/sqs-mapping';
import { runtimeFaults } from '../faults/runtime-faults';
import type { RuntimeFaults } from '../faults/runtime-faults';
import { collectHttpApis } from '../http/collect-http-apis';
import { startHttpApi } from '../http/http-api';
import { FunctionRegistry } from '../lambda/function-registry';
import type { RunningHttpApi } from '../runtime';
import { tableProvisioner } from '../services/dynamodb-tables';
import { edgeClients, edgeProvisioners } from '../services/edge-resources';
import type { EdgeClients } from '../services/edge-resources';
import { deployStacks } from '../template/deploy';
import type { DeployedStack } from '../template/deploy';
import type { StackPlan } from '../template/stack-plan';
import { DynamoDbSupervisor } from './dynamodb-supervisor';
import type { FunctionHub } from './function-hub';
import { lambdaEnvironment } from './lambda-environment';
import type { Disposers } from './lifecycle';
import { stopStarted } from './plan-steps';
import type { RuntimeSettings, ServicesStarting } from './plan-steps';

/** DynamoDB Local and the edge, running, with the fault controls over both. */
export interface RunningServices {
  readonly dynamoDb: DynamoDbSupervisor;
  readonly edge: Edge;
  readonly faults: RuntimeFaults;
}

/** The deployed stacks and the clients that reach their resources. */
export interface Deployment {
  readonly stacks: DeployedStack[];
  readonly clients: EdgeClients;
  readonly dynamodb: DynamoDBClient;
  /** Queue URLs by queue ARN, as the edge created them. */
  readonly queueUrls: ReadonlyMap<string, string>;
}

/**
 * Step 5: waits for DynamoDB Local and the edge and adds their disposers; if either did not start, stops the other
 * and fails with its reason.
 *
 * @example const services = await servicesStarted(starting, settings, disposers);
 */
export async function servicesStarted(
  starting: ServicesStarting,
  settings: RuntimeSettings,
  disposers: Disposers,
): Promise<RunningServices> {
  const [ddbStart, edgeStart] = await starting;
  if (ddbStart.status === 'rejected') return stopAndThrow(starting, ddbStart.reason);
  if (edgeStart.status === 'rejected') return stopAndThrow(starting, edgeStart.reason);
  const stopping = () => disposers.stopping;
  const dynamoDb = new DynamoDbSupervisor(ddbStart.value, join(settings.dataDir, 'dynamodb'), stopping);
  const edge = edgeStart.value;
  disposers.add(() => dynamoDb.stop());
  disposers.add(() => edge.stop());
  const faults = runtimeFaults({
    edge,
    log: settings.log,
    dynamoDb: () => dynamoDb.current,
    replaceDynamoDb: () => dynamoDb.replace(),
  });
  return { dynamoDb, edge, faults };
}

async function stopAndThrow(starting: ServicesStarting, reason: unknown): Promise<never> {
  await stopStarted(starting);
  throw reason;
}

/**
 * Step 6: the function registry (workers start on first invocation), connected to the hub so the edge reaches it.
 *
 * @example const functions = registerFunctions(settings, services, hub, disposers);
 */
export function registerFunctions(
  settings: RuntimeSettings,
  services: RunningServices,
  hub: FunctionHub,
  disposers: Disposers,
): FunctionRegistry {
  const functionLog = settings.options.functionLog ?? ((name, line) => console.log(`[${name}] ${line}`));
  const functions = new FunctionRegistry(
    lambdaEnvironment(services.dynamoDb.current, services.edge),
    (name, line, stream) => {
      hub.functionLine(name, line);
      functionLog(name, line, stream);
    },
    join(settings.dataDir, 'inline-code'),
    (message) => settings.log({ kind: 'runtime.warning', message }),
  );
  hub.connectFunctions(functions);
  disposers.add(() => functions.stop());
  return functions;
}

/**
 * Step 7: creates every resource of the plans, in order: tables in DynamoDB Local, functions in the registry, the
 * rest in the edge through its services' APIs.
 *
 * @example const deployment = await deployAll(plans, settings, services, functions, disposers);
 */
export async function deployAll(
  plans: readonly StackPlan[],
  settings: RuntimeSettings,
  services: RunningServices,
  functions: FunctionRegistry,
  disposers: Disposers,
): Promise<Deployment> {
  const dynamodb = new DynamoDBClient(services.dynamoDb.current.clientConfig);
  const clients = edgeClients(services.edge.endpoint);
  disposers.add(() => {
    dynamodb.destroy();
    clients.destroy();
  });
  const queueUrls = new Map<string, string>();
  const tables = tableProvisioner(dynamodb, (message) => settings.log({ kind: 'runtime.warning', message }));
  const { propertyOverrides } = settings.options;
  const stacks = await deployStacks(plans, {
    ...(propertyOverrides ? { propertyOverrides } : {}),
    provisioners: {
      'AWS::DynamoDB::Table': tables,
      'AWS::DynamoDB::GlobalTable': tables,
      'AWS::Lambda::Function': functions.provision,
      ...edgeProvisioners(clients, (arn, url) => queueUrls.set(arn, url)),
    },
  });
  return { stacks, clients, dynamodb, queueUrls };
}

/**
 * Step 8: the monitor of the synthesized CloudWatch alarms, connected to the hub (it observes from now on); it
 * evaluates once started.
 *
 * @example const alarms = watchAlarms(settings, deployment, hub, disposers); alarms.start();
 */
export function watchAlarms(
  settings: RuntimeSettings,
  deployment: Deployment,
  hub: FunctionHub,
  disposers: Disposers,
): AlarmMonitor {
  const { sqs } = deployment.clients;
  const alarms = new AlarmMonitor({
    stacks: deployment.stacks,
    log: settings.log,
    intervalMs: settings.options.alarmEvaluationIntervalMs ?? 5000,
    queueAttributes: async (queueUrl) =>
      (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] })))
        .Attributes ?? {},
  });
  hub.connectAlarms(alarms);
  disposers.add(() => alarms.stop());
  return alarms;
}

/**
 * Step 9: starts a poller per event source mapping (DynamoDB streams, SQS queues); returns how many run.
 *
 * @example const count = startMappings(settings, services, deployment, hub, disposers);
 */
export function startMappings(
  settings: RuntimeSettings,
  services: RunningServices,
  deployment: Deployment,
  hub: FunctionHub,
  disposers: Disposers,
): number {
  const { log, options, dataDir } = settings;
  const { sqs } = deployment.clients;
  const checkpoints = fileCheckpoints(join(dataDir, 'esm-checkpoints.json'));
  const streams = new DynamoDBStreamsClient(services.dynamoDb.current.clientConfig);
  const queueUrl = async (arn: string) =>
    deployment.queueUrls.get(arn) ??
    (await sqs.send(new GetQueueUrlCommand({ QueueName: arn.split(':').at(-1) }))).QueueUrl ??
    '';
  const invoke = (arn: string, payload: unknown) => hub.invoke(arn, payload);
  const compileFilter = (pattern: string) => compileEventPattern(pattern);
  const mappings = collectEventSourceMappings(deployment.stacks, deployment.queueUrls);
  for (const note of mappings.notes) log({ kind: 'runtime.warning', message: note });
  const streamMappings = mappings.streams.map((m) => {
    const table = /table\/([^/]+)/.exec(m.eventSourceArn)?.[1] ?? m.eventSourceArn;
    return new DynamoDbStreamMapping(
      { ...m, label: `${shortName(table)} stream → ${hub.labelOf(m.functionArn)}` },
      {
        streams,
        invoke,
        sendToDestination: async (arn, message) => {
          await sqs.send(
            new SendMessageCommand({ QueueUrl: await queueUrl(arn), MessageBody: JSON.stringify(message) }),
          );
        },
        compileFilter,
        checkpoints,
        log,
        pollIntervalMs: options.streamPollIntervalMs ?? 250,
      },
    );
  });
  const queueMappings = mappings.queues.map((m) => {
    const queue = m.queueArn.split(':').at(-1) ?? m.queueArn;
    const label = `${shortName(queue)} → ${hub.labelOf(m.functionArn)}`;
    return new SqsMapping({ ...m, label }, { sqs, invoke, compileFilter, log });
  });
  const running = [...streamMappings, ...queueMappings];
  for (const mapping of running) mapping.start();
  disposers.add(async () => {
    await Promise.all(running.map((mapping) => mapping.stop()));
    checkpoints.flush();
    streams.destroy();
  });
  return running.length;
}

/**
 * Step 10: serves each HTTP API on localhost, from `apiPort` on (the next API on the next port; 0 = free ports).
 *
 * @example const apis = await startApis(settings, deployment.stacks, hub, disposers);
 */
export async function startApis(
  settings: RuntimeSettings,
  stacks: readonly DeployedStack[],
  hub: FunctionHub,
  disposers: Disposers,
): Promise<RunningHttpApi[]> {
  const { log, options } = settings;
  const apis: RunningHttpApi[] = [];
  const firstPort = options.apiPort ?? 3000;
  for (const [index, api] of collectHttpApis(stacks).entries()) {
    const server = await startHttpApi(api.definition, (arn, payload) => hub.invoke(arn, payload), {
      port: firstPort === 0 ? 0 : firstPort + index,
      log: (r) => {
        hub.httpRequest(api.definition.apiId, r.status, r.ms);
        log({
          kind: 'http.request',
          message: `${r.method} ${r.path} → ${r.status} (${r.ms} ms)`,
          details: { api: r.apiName, status: r.status, requestId: r.requestId },
        });
      },
    });
    disposers.add(() => server.stop(options.drainGraceMs));
    apis.push({ ...api.source, name: api.definition.name, url: server.url });
  }
  return apis;
}

/** `UsersService-UsersTable6D91A5EE-K2J…` → `UsersTable`: a generated physical name without stack, hash and suffix. */
function shortName(physical: string): string {
  const parts = physical.split('-');
  const middle = parts.length >= 3 ? parts.slice(1, -1).join('-') : physical;
  return middle.replace(/[0-9A-F]{8}$/, '');
}
