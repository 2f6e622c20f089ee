import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { OutboxError } from '../errors';
import type { KeyAttributes } from '../item/outbox-item';
import type { ContractSource } from '../relay/contract-resolver';
import { REDRIVE_ENV } from './env';
import type { RedriveDeps } from './redrive';
import { redrive } from './redrive';
import type { RedriveReport } from './report';

/**
 * The payload the redrive function is invoked with (all optional):
 * `aws lambda invoke --function-name <redrive> --cli-binary-format raw-in-base64-out --payload '{"dryRun":true}' out.json`.
 */
export interface RedriveInvocation {
  /** Report only. @default false */
  readonly dryRun?: boolean;
  /** Republish this event only (e.g. a poison record fixed by hand). @default every message of both queues */
  readonly eventId?: string;
}

/** Options of {@link createRedriveHandler}. */
export interface RedriveHandlerOptions {
  /** The app's event contracts, so poison records are checked again before they are republished. @default none */
  readonly contracts?: ContractSource;
  /** @default clients created once, from the function's environment */
  readonly deps?: RedriveDeps;
  /** @default the function's environment */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * The table's key attribute names: the ones its outbox writer and relay are told.
   * @default `{ partitionKey: 'pk', sortKey: 'sk' }`
   */
  readonly keys?: KeyAttributes;
}

/**
 * The redrive function's handler (what `OutboxRelay` deploys with `redrive: true`): reads the queues and table named
 * by {@link REDRIVE_ENV}, runs {@link redrive} and returns its report; logs counts and ids only.
 *
 * @example
 * // the app's redrive module, so poison records are checked against the contracts:
 * export const handler = createRedriveHandler({ contracts: eventCatalog }); // eventCatalog from @outboxed/contracts
 */
export function createRedriveHandler(
  options: RedriveHandlerOptions = {},
): (
  event: RedriveInvocation | null | undefined,
  context?: { getRemainingTimeInMillis(): number },
) => Promise<RedriveReport> {
  const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'outbox-redrive' });
  let deps = options.deps;
  return async (event, context) => {
    const env = options.env ?? process.env;
    const required = (name: string): string => {
      const value = env[name];
      if (!value)
        throw new OutboxError(
          `The redrive function needs the environment variable ${name}; it is not set. Deploy it with OutboxRelay (redrive: true).`,
        );
      return value;
    };
    deps ??= {
      dynamodb: new DynamoDBClient({}),
      streams: new DynamoDBStreamsClient({}),
      sqs: new SQSClient({}),
      eventBridge: new EventBridgeClient({}),
    };
    const report = await redrive(
      {
        tableName: required(REDRIVE_ENV.tableName),
        eventBusName: required(REDRIVE_ENV.eventBusName),
        onFailureQueueUrl: required(REDRIVE_ENV.onFailureQueueUrl),
        poisonQueueUrl: required(REDRIVE_ENV.poisonQueueUrl),
        dryRun: event?.dryRun === true,
        ...(event?.eventId ? { eventId: event.eventId } : {}),
        ...(options.contracts ? { contracts: options.contracts } : {}),
        ...(options.keys ? { keys: options.keys } : {}),
        // Stop publishing 30 s before the function times out, so the report is returned and messages released.
        ...(context
          ? { publish: { deadline: Date.now() + context.getRemainingTimeInMillis() - 30_000 } }
          : {}),
      },
      deps,
    );
    logger.info('redrive finished', {
      dryRun: report.dryRun,
      republished: report.republished.length,
      skipped: report.skipped.length,
      failed: report.failed.length,
      failedEventIds: report.failed.map((f) => f.eventId ?? f.messageId),
    });
    return report;
  };
}

/** The library's redrive handler (no contracts: poison records are republished only when named by `eventId`). */
export const handler = createRedriveHandler();
