import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { ConsumerEffects, MissingReport } from './find-missing';
import {
  findMissing,
  readAppliedEvents,
  readCommittedEvents,
  readLocalBusRecord,
  readReplayQueue,
} from './find-missing';

const USAGE = `Usage: node --import tsx libs/outbox/src/reconcile/cli.ts --table <outbox table> --event-bus <name|arn>
         --consumer <name>=<idempotency table> [--consumer …]
         [--bus-record <data dir>/edge/events.jsonl | --replay-queue-url <url>]
         [--endpoint-url <url>] [--dynamodb-endpoint-url <url>] [--region <region>] [--json]
Lists the committed outbox events missing on the bus and at each consumer, and prints the redrive that repairs them;
exits 1 when anything is missing.`;

/** Parsed command line of the reconciliation. */
export interface ReconcileCommand {
  readonly table: string;
  readonly eventBus: string;
  readonly consumers: readonly { readonly name: string; readonly idempotencyTable: string }[];
  readonly busRecord?: string;
  readonly replayQueueUrl?: string;
  readonly endpointUrl?: string;
  readonly dynamodbEndpointUrl?: string;
  readonly region?: string;
  readonly json: boolean;
}

/**
 * Parses the reconciliation's arguments.
 *
 * @throws an Error naming the option, the value and the fix.
 * @example parseReconcileArgs(['--table', 'users', '--event-bus', 'users-events', '--consumer', 'email-consumer=EmailIdem']);
 */
export function parseReconcileArgs(args: readonly string[]): ReconcileCommand {
  const { values } = parseArgs({
    args: [...args],
    strict: true,
    options: {
      table: { type: 'string' },
      'event-bus': { type: 'string' },
      consumer: { type: 'string', multiple: true },
      'bus-record': { type: 'string' },
      'replay-queue-url': { type: 'string' },
      'endpoint-url': { type: 'string' },
      'dynamodb-endpoint-url': { type: 'string' },
      region: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const missing = (['table', 'event-bus'] as const).filter((name) => !values[name]);
  if (missing.length > 0) throw new Error(`Missing ${missing.map((m) => `--${m}`).join(', ')}.\n${USAGE}`);
  if (values['bus-record'] && values['replay-queue-url'])
    throw new Error('Give --bus-record (local runtime) or --replay-queue-url (AWS), not both.');
  const consumers = (values.consumer ?? []).map((spec) => {
    const [name, idempotencyTable] = spec.split('=');
    if (!name || !idempotencyTable)
      throw new Error(
        `--consumer ${spec}: expected <name>=<idempotency table>, e.g. --consumer email-consumer=EmailConsumer-IdempotencyTable…`,
      );
    return { name, idempotencyTable };
  });
  return {
    table: values.table as string,
    eventBus: values['event-bus'] as string,
    consumers,
    ...(values['bus-record'] ? { busRecord: values['bus-record'] } : {}),
    ...(values['replay-queue-url'] ? { replayQueueUrl: values['replay-queue-url'] } : {}),
    ...(values['endpoint-url'] ? { endpointUrl: values['endpoint-url'] } : {}),
    ...(values['dynamodb-endpoint-url'] ? { dynamodbEndpointUrl: values['dynamodb-endpoint-url'] } : {}),
    ...(values.region ? { region: values.region } : {}),
    json: values.json === true,
  };
}

/**
 * Runs the reconciliation: reads the committed events, what reached the bus (when a source is given) and each
 * consumer's applied events, and returns the report.
 *
 * @example const report = await reconcile(parseReconcileArgs(process.argv.slice(2)));
 */
export async function reconcile(command: ReconcileCommand): Promise<MissingReport> {
  const region = command.region ? { region: command.region } : {};
  const dynamodbEndpoint = command.dynamodbEndpointUrl ?? command.endpointUrl;
  const ddb = new DynamoDBClient({ ...region, ...(dynamodbEndpoint ? { endpoint: dynamodbEndpoint } : {}) });
  const sqs = new SQSClient({ ...region, ...(command.endpointUrl ? { endpoint: command.endpointUrl } : {}) });
  try {
    const committed = await readCommittedEvents(ddb, command.table);
    const ids = committed.map((e) => e.eventId);
    const published = command.busRecord
      ? readLocalBusRecord(command.busRecord)
      : command.replayQueueUrl
        ? await readReplayQueue(sqs, command.replayQueueUrl)
        : undefined;
    const consumers: ConsumerEffects[] = [];
    for (const c of command.consumers)
      consumers.push({
        consumer: c.name,
        applied: await readAppliedEvents(ddb, c.name, c.idempotencyTable, ids),
      });
    return findMissing(committed, published, consumers);
  } finally {
    ddb.destroy();
    sqs.destroy();
  }
}

/**
 * The report as text, ending with the redrive command that republishes every missing event with its original id.
 *
 * @example console.log(formatReport(report, command));
 */
export function formatReport(report: MissingReport, command: ReconcileCommand): string {
  const lines = [`committed outbox events: ${report.committed}`];
  lines.push(
    report.notOnBus === undefined
      ? 'on the bus: not checked (give --bus-record or --replay-queue-url)'
      : `missing on the bus: ${report.notOnBus.length}${report.notOnBus.length ? ` — ${report.notOnBus.join(' ')}` : ''}`,
  );
  for (const c of report.consumers)
    lines.push(
      `missing at ${c.consumer}: ${c.missing.length}${c.missing.length ? ` — ${c.missing.join(' ')}` : ''}`,
    );
  if (report.toRepair.length === 0) {
    lines.push('nothing is missing.');
    return lines.join('\n');
  }
  const endpoints = [
    command.endpointUrl ? ` --endpoint-url ${command.endpointUrl}` : '',
    command.dynamodbEndpointUrl ? ` --dynamodb-endpoint-url ${command.dynamodbEndpointUrl}` : '',
    command.region ? ` --region ${command.region}` : '',
  ].join('');
  lines.push(
    '',
    'To repair, republish them with their original event ids (a consumer that applied one already skips it):',
    `for id in ${report.toRepair.join(' ')}; do node --import tsx libs/outbox/src/redrive/cli.ts --table ${command.table} --event-bus ${command.eventBus} --contracts @outboxed/contracts --event-id "$id"${endpoints}; done`,
    "An event waiting in a consumer's dead-letter queue is repaired by redriving that queue instead (its messages keep their ids): aws sqs start-message-move-task --source-arn <the DLQ ARN>",
  );
  return lines.join('\n');
}

async function main(): Promise<void> {
  const command = parseReconcileArgs(process.argv.slice(2));
  const report = await reconcile(command);
  process.stdout.write(
    command.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report, command)}\n`,
  );
  if (report.toRepair.length > 0) process.exitCode = 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  });
}
