import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { ContractSource } from '../relay/contract-resolver';
import type { RedriveDeps, RedriveOptions } from './redrive';
import { redrive } from './redrive';

const USAGE = `Usage: node --import tsx libs/outbox/src/redrive/cli.ts --table <name> --event-bus <name|arn>
         [--on-failure-queue-url <url>] [--poison-queue-url <url>] [--endpoint-url <url>]
         [--dynamodb-endpoint-url <url>] [--region <region>]
         [--contracts <module>[#<export>]] [--dry-run] [--event-id <id>]
Republishes what the outbox relay could not publish; prints a JSON report; exits 1 if anything failed.`;

/** Parsed command line of the redrive CLI. */
export interface RedriveCommand {
  readonly options: RedriveOptions;
  /** Endpoint of every service (e.g. a local edge). */
  readonly endpointUrl?: string;
  /** Endpoint of DynamoDB and DynamoDB Streams when it differs (e.g. DynamoDB Local). */
  readonly dynamodbEndpointUrl?: string;
  readonly region?: string;
  /** The contracts to import: `<module>` or `<module>#<export>`, e.g. `@outboxed/contracts`. */
  readonly contractsModule?: string;
}

/**
 * Parses the redrive CLI's arguments.
 *
 * @throws an Error with the usage when a required option is missing.
 * @example
 * parseRedriveArgs(['--table', 'users', '--event-bus', 'users-events', '--dry-run']);
 */
export function parseRedriveArgs(args: readonly string[]): RedriveCommand {
  const { values } = parseArgs({
    args: [...args],
    strict: true,
    options: {
      table: { type: 'string' },
      'event-bus': { type: 'string' },
      'on-failure-queue-url': { type: 'string' },
      'poison-queue-url': { type: 'string' },
      'endpoint-url': { type: 'string' },
      'dynamodb-endpoint-url': { type: 'string' },
      region: { type: 'string' },
      contracts: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      'event-id': { type: 'string' },
    },
  });
  const missing = (['table', 'event-bus'] as const).filter((name) => !values[name]);
  if (missing.length > 0) throw new Error(`Missing ${missing.map((m) => `--${m}`).join(', ')}.\n${USAGE}`);
  if (!values['on-failure-queue-url'] && !values['poison-queue-url'] && !values['event-id']) {
    throw new Error(
      `Give --on-failure-queue-url, --poison-queue-url or --event-id: there is nothing to redrive.\n${USAGE}`,
    );
  }
  return {
    options: {
      tableName: values.table as string,
      eventBusName: values['event-bus'] as string,
      dryRun: values['dry-run'] === true,
      ...(values['on-failure-queue-url'] ? { onFailureQueueUrl: values['on-failure-queue-url'] } : {}),
      ...(values['poison-queue-url'] ? { poisonQueueUrl: values['poison-queue-url'] } : {}),
      ...(values['event-id'] ? { eventId: values['event-id'] } : {}),
    },
    ...(values['endpoint-url'] ? { endpointUrl: values['endpoint-url'] } : {}),
    ...(values['dynamodb-endpoint-url'] ? { dynamodbEndpointUrl: values['dynamodb-endpoint-url'] } : {}),
    ...(values.region ? { region: values.region } : {}),
    ...(values.contracts ? { contractsModule: values.contracts } : {}),
  };
}

/**
 * Imports the contracts to check items against, in any shape the relay takes: `<module>` whose namespace has
 * `findContract(detailType, version)` (e.g. `@outboxed/contracts`), or `<module>#<export>` naming an array of
 * contracts (`eventCatalog`), a `findContract` function, or an object with `find()` or `findContract()`.
 *
 * @example const contracts = await importContracts('@outboxed/contracts#eventCatalog');
 */
export async function importContracts(spec: string): Promise<ContractSource> {
  const [specifier = '', name] = spec.split('#');
  const module = (await import(specifier)) as Record<string, unknown>;
  const contracts = name === undefined ? module : module[name];
  const has = (method: string) => typeof (contracts as Record<string, unknown>)[method] === 'function';
  const usable =
    Array.isArray(contracts) ||
    typeof contracts === 'function' ||
    (typeof contracts === 'object' && contracts !== null && (has('find') || has('findContract')));
  if (!usable) {
    throw new Error(
      `--contracts ${spec}: ${name === undefined ? 'the module' : `the export "${name}"`} is no contract catalog (an array of contracts, findContract, or an object with find() or findContract()); received ${typeof contracts}.`,
    );
  }
  return contracts as ContractSource;
}

/**
 * Clients for the redrive: with `endpointUrl`, every service is sent there (e.g. a local edge); DynamoDB and
 * DynamoDB Streams go to `dynamodbEndpointUrl` when given (e.g. DynamoDB Local). Without either, the SDK's usual
 * configuration (region, credentials, `AWS_ENDPOINT_URL_*`) applies.
 *
 * @example const deps = createRedriveClients({ endpointUrl: 'http://127.0.0.1:4566', region: 'us-east-1' });
 */
export function createRedriveClients(
  config: Pick<RedriveCommand, 'endpointUrl' | 'dynamodbEndpointUrl' | 'region'>,
): RedriveDeps {
  const region = config.region ? { region: config.region } : {};
  const base = { ...region, ...(config.endpointUrl ? { endpoint: config.endpointUrl } : {}) };
  const dynamodbEndpoint = config.dynamodbEndpointUrl ?? config.endpointUrl;
  const dynamodb = { ...region, ...(dynamodbEndpoint ? { endpoint: dynamodbEndpoint } : {}) };
  return {
    dynamodb: new DynamoDBClient(dynamodb),
    streams: new DynamoDBStreamsClient(dynamodb),
    sqs: new SQSClient(base),
    eventBridge: new EventBridgeClient(base),
  };
}

async function main(): Promise<void> {
  const command = parseRedriveArgs(process.argv.slice(2));
  const contracts = command.contractsModule ? await importContracts(command.contractsModule) : undefined;
  const report = await redrive(
    { ...command.options, ...(contracts ? { contracts } : {}) },
    createRedriveClients(command),
  );
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  if (report.failed.length > 0) process.exitCode = 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  });
}
