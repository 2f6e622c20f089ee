import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { CheckpointStore, CompileFilter, Invoke, RuntimeLog } from './types';

/**
 * A DynamoDB stream event source mapping as its template (`AWS::Lambda::EventSourceMapping`) defines it.
 *
 * @example const config: StreamMappingConfig = { uuid, functionArn, eventSourceArn, startingPosition: 'TRIM_HORIZON', batchSize: 10 };
 */
export interface StreamMappingConfig {
  readonly uuid: string;
  /** The function's ARN (the on-failure record carries it). */
  readonly functionArn: string;
  readonly eventSourceArn: string;
  /** @default 100 */
  readonly batchSize?: number;
  /** @default 0 */
  readonly maximumBatchingWindowInSeconds?: number;
  readonly startingPosition: 'TRIM_HORIZON' | 'LATEST';
  /** `FilterCriteria.Filters[].Pattern`: a record is sent when ANY pattern matches. @default all records */
  readonly filterPatterns?: readonly string[];
  /** `FunctionResponseTypes` includes `ReportBatchItemFailures`. @default false */
  readonly reportBatchItemFailures?: boolean;
  /** @default false */
  readonly bisectBatchOnFunctionError?: boolean;
  /** -1 = until the record expires. @default -1 */
  readonly maximumRetryAttempts?: number;
  /** -1 = no limit. @default -1 */
  readonly maximumRecordAgeInSeconds?: number;
  /** `DestinationConfig.OnFailure.Destination`. @default discarded records are only logged */
  readonly onFailureDestinationArn?: string;
  /** How the live log names this mapping, e.g. `UsersTable stream → OutboxRelay`. @default the function ARN */
  readonly label?: string;
}

/**
 * What a `DynamoDbStreamMapping` needs from the outside.
 *
 * @example new DynamoDbStreamMapping(config, { streams, invoke, sendToDestination, compileFilter, checkpoints, log });
 */
export interface StreamMappingDeps {
  readonly streams: DynamoDBStreamsClient;
  readonly invoke: Invoke;
  /** Sends the on-failure record (an SQS message body) to the destination ARN. */
  readonly sendToDestination: (destinationArn: string, message: Record<string, unknown>) => Promise<void>;
  readonly compileFilter: CompileFilter;
  readonly checkpoints: CheckpointStore;
  readonly log: RuntimeLog;
  /** How often an idle shard is polled (Lambda: 4 times a second). @default 250 */
  readonly pollIntervalMs?: number;
  /** First retry delay, doubled on each retry up to 2 s. @default 100 */
  readonly retryBackoffMs?: number;
  /** How often DescribeStream looks for new shards. @default 5000 */
  readonly shardDiscoveryMs?: number;
  /** The clock record ages are measured with (epoch milliseconds). @default Date.now */
  readonly now?: () => number;
}

/**
 * A record as Lambda hands it to the function.
 *
 * @example const sequenceNumber = record.dynamodb.SequenceNumber;
 */
export type LambdaStreamRecord = Record<string, unknown> & {
  dynamodb: { SequenceNumber: string; ApproximateCreationDateTime?: number };
};
