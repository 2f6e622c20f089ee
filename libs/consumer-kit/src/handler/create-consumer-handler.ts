import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { JSONValue } from '@aws-lambda-powertools/commons/types';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createTracer, traceInvocation, type FunctionTracer } from '@outboxed/cdk-common/tracing';
import type { AnyContract, ConsumerExpectations } from '@outboxed/contracts';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import {
  CONSUMER_ENV,
  CONSUMER_METRICS,
  DEFAULT_CONSUMER_METRICS_NAMESPACE,
  DEFAULT_IDEMPOTENCY_EXPIRES_AFTER_SECONDS,
} from '../environment';
import { ConsumerConfigurationError, InvalidEventError } from '../errors';
import type { CheckedEvent, SubscribedEvent } from './check-record';
import { checkRecord } from './check-record';
import { moveToDeadLetterQueue } from './dead-letter';
import { producerTraceIdOf } from './trace';
import { WatchedPersistenceLayer } from './watched-persistence';

/**
 * What {@link ConsumerHandlerOptions.handle} receives beside the event.
 *
 * @example handle: async (event, { logger, messageId }) => logger.info('Sending', { messageId })
 */
export interface RecordContext {
  /** The contract of the version the consumer read the event as (its subscription's). */
  readonly contract: AnyContract;
  /** The version the producer wrote the event with (`detail.metadata.version`): later or earlier ones read fine. */
  readonly writtenVersion: number | undefined;
  /** The SQS message id of the record (log it; it is not the event id). */
  readonly messageId: string;
  /** The consumer's logger. Log ids, counts and reasons only: never emails, names or whole events. */
  readonly logger: Logger;
}

/**
 * Options of {@link createConsumerHandler}.
 *
 * @example const options: ConsumerHandlerOptions<typeof expectations> = { expectations, handle };
 */
export interface ConsumerHandlerOptions<TExpectations extends ConsumerExpectations> {
  /**
   * What the consumer reads (its `contract-expectations.ts`): each subscription's event type is accepted in every
   * version, read as the subscription's version; any other event is rejected to the DLQ with the reason.
   * `expectations.consumer` is the logger's service name and the idempotency key prefix: keep it stable (a new
   * name forgets which events were already applied).
   */
  readonly expectations: TExpectations;
  /**
   * The effect is a call outside the consumer's own store that takes no idempotency key (SES `SendEmail`, a
   * webhook): a crash after the call but before the idempotency record completes cannot be told from a crash before
   * it, so the redelivery applies the effect again. With `true` the kit bounds that to **one possible duplicate per
   * crashed invocation**: it processes the batch's records one at a time (a crash leaves at most one event in
   * progress), and when it retakes an in-progress mark whose invocation died it logs a warning and publishes a
   * `PossibleDuplicate` metric with the event id.
   * @default false: records run in parallel; an effect in the consumer's own store must be idempotent on the
   * event id by itself (a conditional write keyed on it, or a transaction with its idempotency record)
   */
  readonly externalEffect?: boolean;
  /**
   * Applies one valid event's effect. Runs at most once per `detail.metadata.id` while its idempotency record
   * lives; its JSON result is stored and returned again for a duplicate. Throw to have the record retried.
   */
  readonly handle: (
    event: SubscribedEvent<TExpectations>,
    context: RecordContext,
  ) => Promise<JSONValue | void>;
}

/**
 * Side effects of {@link createConsumerHandler}; production defaults read `process.env` and create clients once.
 *
 * @example createConsumerHandler(options, { dynamoDb: new DynamoDBClient(ddb.clientConfig), env: { IDEMPOTENCY_TABLE_NAME: 't', DEAD_LETTER_QUEUE_URL: url } });
 */
export interface ConsumerHandlerDeps {
  /** @default process.env (read at the first invocation, not at import) */
  readonly env?: NodeJS.ProcessEnv;
  /** Client of the idempotency table. @default new DynamoDBClient({}), captured by the tracer */
  readonly dynamoDb?: DynamoDBClient;
  /** Client of the dead-letter queue. @default new SQSClient({}), captured by the tracer */
  readonly sqs?: SQSClient;
  /**
   * Powertools Tracer of the function: the kit opens the handler's subsegment (cold start and service annotated)
   * and one subsegment per record annotated with ids only (`eventId`, `correlationId`, `producerTraceId`). Pass
   * the one your own clients are captured with (`tracer.captureAWSv3Client`), so the function has one tracer.
   * @default createTracer({ serviceName: options.expectations.consumer }) (off, and Powertools Tracer not loaded, where
   * `POWERTOOLS_TRACE_ENABLED` is `false`)
   */
  readonly tracer?: FunctionTracer;
  /** @default new Logger({ serviceName: options.expectations.consumer }) */
  readonly logger?: Logger;
  /**
   * Where the records are counted (`CONSUMER_METRICS`: applied, duplicate, rejected, failed, possible duplicate), published
   * once per invocation.
   * @default new Metrics({ namespace: POWERTOOLS_METRICS_NAMESPACE or 'Outboxed/Consumers', serviceName: options.expectations.consumer })
   */
  readonly metrics?: Metrics;
}

/**
 * An SQS-triggered Lambda handler reporting partial batch failures.
 *
 * @example const response = await handler(sqsEvent, context); // { batchItemFailures: [...] }
 */
export type ConsumerHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/**
 * The idempotency key: the event id fixed when the producer wrote its outbox item (EventBridge's `id` changes per PutEvents).
 *
 * @example new IdempotencyConfig({ eventKeyJmesPath: IDEMPOTENCY_KEY_PATH });
 */
export const IDEMPOTENCY_KEY_PATH = 'detail.metadata.id';

/**
 * Builds the Lambda handler of an event consumer reading an SQS queue fed by an EventBridge rule:
 *
 * - **Partial batch failures** (Powertools batch): each record is processed on its own and only failed records are
 *   returned in `batchItemFailures`, so SQS redelivers only those (the event source mapping needs
 *   `ReportBatchItemFailures`, which the `EventConsumer` construct sets).
 * - **Contract validation, as a tolerant reader**: the body must be an event of a subscribed event type, valid when
 *   read as the subscription's version (any version of it does when versions follow `CONTRACT_EVOLUTION_RULE`:
 *   a compatible new version needs no change here).
 *   An invalid record is never retried: the kit sends it to the dead-letter queue itself (`SendMessage`, body
 *   unchanged, reason in message attributes) and reports it as processed, so SQS deletes it. A `maxReceiveCount`
 *   of 1 would do the same for invalid records but also dead-letter valid ones after one transient failure.
 *   If that `SendMessage` fails, the record is reported failed and retried instead: nothing is dropped.
 * - **Idempotency** (Powertools, DynamoDB persistence, key `detail.metadata.id`): `handle` runs once per event;
 *   a duplicate gets the stored result; a concurrent duplicate fails with "already in progress" and is retried
 *   after the visibility timeout, by when the first one has completed. The in-progress mark expires at the
 *   invocation's deadline (Powertools' `in_progress_expiration`), before the queue's visibility timeout (six times
 *   the function timeout), so the redelivery of a crashed invocation's event applies it instead of failing again.
 * - **Exactly once or at most one duplicate**: an effect in the consumer's own store is applied exactly once when it
 *   is idempotent by itself (a conditional write keyed on the event id, as the audit consumer's). An external effect
 *   without an idempotency key (`externalEffect: true`, as SES) can be applied twice when an invocation crashes
 *   between the call and the completion of its record: records then run one at a time, so that is at most one
 *   duplicate per crashed invocation, and the retaken mark is logged and counted (`PossibleDuplicate`).
 * - **Tracing** (Powertools Tracer): the handler's subsegment, the kit's SDK clients captured, and per record
 *   the ids as annotations; the producer's trace id (the record's `AWSTraceHeader` root) is logged and annotated as
 *   `producerTraceId`, so one id leads from the API request to each consumer's effect.
 * - **Logs** carry message ids, event ids, correlation ids, producer trace ids, types and error names only (error messages of AWS services may quote
 *   addresses, so they are not logged).
 *
 * @example
 * export const handler = createConsumerHandler({
 *   expectations, // defineExpectations({ consumer: 'audit-consumer', subscriptions: [{ contract: userCreatedV1, reads }] })
 *   handle: async (event) => appendAuditRecord(event), // event.detail typed as UserCreated v1's consumer view
 * });
 */
export function createConsumerHandler<TExpectations extends ConsumerExpectations>(
  options: ConsumerHandlerOptions<TExpectations>,
  deps: ConsumerHandlerDeps = {},
): ConsumerHandler {
  const parts = consumerParts(options, deps);
  return (event, context) => handleBatch(parts, event, context);
}

/**
 * What one handler holds for the life of its process: its options, clients and tools (built once, at creation) and
 * its {@link ConsumerState}.
 */
interface ConsumerParts<TExpectations extends ConsumerExpectations> {
  readonly options: ConsumerHandlerOptions<TExpectations>;
  readonly deps: ConsumerHandlerDeps;
  readonly name: string;
  readonly tracer: FunctionTracer;
  readonly dynamoDb: DynamoDBClient;
  readonly sqs: SQSClient;
  readonly logger: Logger;
  readonly state: ConsumerState<TExpectations>;
}

/** What changes across the invocations of one process (Lambda runs one invocation at a time per process). */
interface ConsumerState<TExpectations extends ConsumerExpectations> {
  /** Built at the first invocation, which reads the environment: not at import. */
  runtime: Runtime<TExpectations> | undefined;
  /** Built when first used. */
  metrics: Metrics | undefined;
  /** The event being applied now: with `externalEffect` records run one at a time, so there is only one. */
  applying: { readonly messageId: string; readonly eventId: unknown } | undefined;
  /** Records of the running invocation by outcome. */
  counts: OutcomeCounts;
}

function consumerParts<TExpectations extends ConsumerExpectations>(
  options: ConsumerHandlerOptions<TExpectations>,
  deps: ConsumerHandlerDeps,
): ConsumerParts<TExpectations> {
  const name = options.expectations.consumer;
  const tracer = deps.tracer ?? createTracer({ serviceName: name });
  return {
    options,
    deps,
    name,
    tracer,
    dynamoDb: deps.dynamoDb ?? tracer.captureAWSv3Client(new DynamoDBClient({})),
    sqs: deps.sqs ?? tracer.captureAWSv3Client(new SQSClient({})),
    logger: deps.logger ?? new Logger({ serviceName: name }),
    state: { runtime: undefined, metrics: undefined, applying: undefined, counts: emptyCounts() },
  };
}

function metricsOf<TExpectations extends ConsumerExpectations>(parts: ConsumerParts<TExpectations>): Metrics {
  const { deps, name, state } = parts;
  return (state.metrics ??=
    deps.metrics ??
    new Metrics({
      namespace:
        (deps.env ?? process.env)['POWERTOOLS_METRICS_NAMESPACE'] ?? DEFAULT_CONSUMER_METRICS_NAMESPACE,
      serviceName: name,
    }));
}

function runtimeOf<TExpectations extends ConsumerExpectations>(
  parts: ConsumerParts<TExpectations>,
): Runtime<TExpectations> {
  return (parts.state.runtime ??= initRuntime(parts));
}

/** Reads the environment and builds the idempotent `handle`, counting applied events and duplicates. */
function initRuntime<TExpectations extends ConsumerExpectations>(
  parts: ConsumerParts<TExpectations>,
): Runtime<TExpectations> {
  const { options, deps, logger, name, state } = parts;
  const env = readEnvironment(deps.env ?? process.env);
  const config = new IdempotencyConfig({
    eventKeyJmesPath: IDEMPOTENCY_KEY_PATH,
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: env.expiresAfterSeconds,
    responseHook: (response, record) => {
      logger.info('Event already applied: returned the stored result', {
        idempotencyKey: record.idempotencyKey,
      });
      state.counts.duplicate += 1;
      return response;
    },
  });
  const apply = makeIdempotent(
    async (event: SubscribedEvent<TExpectations>, context: RecordContext) => {
      const result = (await options.handle(event, context)) ?? null;
      state.counts.applied += 1;
      return result;
    },
    { persistenceStore: persistenceStore(parts, env), config, keyPrefix: name, dataIndexArgument: 0 },
  );
  return { env, config, apply };
}

/** The idempotency records' store; for an external effect, one that reports retaken in-progress marks. */
function persistenceStore<TExpectations extends ConsumerExpectations>(
  parts: ConsumerParts<TExpectations>,
  env: ConsumerEnvironment,
): DynamoDBPersistenceLayer {
  const { dynamoDb } = parts;
  if (!parts.options.externalEffect) {
    return new DynamoDBPersistenceLayer({ tableName: env.tableName, awsSdkV3Client: dynamoDb });
  }
  return new WatchedPersistenceLayer(
    { tableName: env.tableName, awsSdkV3Client: dynamoDb },
    dynamoDb,
    (idempotencyKey) => reportPossibleDuplicate(parts, idempotencyKey),
  );
}

function reportPossibleDuplicate<TExpectations extends ConsumerExpectations>(
  parts: ConsumerParts<TExpectations>,
  idempotencyKey: string,
): void {
  const { applying } = parts.state;
  parts.logger.warn(
    'Possible duplicate effect: retook the in-progress mark of an invocation that died during this event (crash or timeout); its effect may have been applied once already',
    { idempotencyKey, ...applying },
  );
  const metrics = metricsOf(parts);
  metrics.addMetric(CONSUMER_METRICS.possibleDuplicate, MetricUnit.Count, 1);
  if (typeof applying?.eventId === 'string') metrics.addMetadata('eventId', applying.eventId);
  metrics.publishStoredMetrics();
}

/** The producer's trace id as a log/annotation field, or nothing when the record carries none. */
type ProducerTrace = { readonly producerTraceId?: string };

async function processRecord<TExpectations extends ConsumerExpectations>(
  parts: ConsumerParts<TExpectations>,
  record: SQSRecord,
): Promise<void> {
  const runtime = runtimeOf(parts);
  // the producer's X-Ray trace (the writing request's), from the record's AWSTraceHeader: X-Ray links this
  // invocation's trace to it; the logs and the record's subsegment name it, so one search finds both
  const producerTraceId = producerTraceIdOf(record);
  const producerTrace: ProducerTrace = producerTraceId === undefined ? {} : { producerTraceId };
  const checked = await checkOrReject(parts, runtime, record, producerTrace);
  if (checked) await applyChecked(parts, runtime, record, checked, producerTrace);
}

/**
 * The record's event, checked against the expectations; an invalid one is moved to the dead-letter queue (not
 * retried) and `undefined` returned.
 */
async function checkOrReject<TExpectations extends ConsumerExpectations>(
  parts: ConsumerParts<TExpectations>,
  runtime: Runtime<TExpectations>,
  record: SQSRecord,
  producerTrace: ProducerTrace,
): Promise<CheckedEvent<TExpectations> | undefined> {
  try {
    return checkRecord(record.body, parts.options.expectations);
  } catch (error) {
    if (!(error instanceof InvalidEventError)) throw error;
    parts.logger.error('Rejected an invalid event: moved to the dead-letter queue, not retried', {
      messageId: record.messageId,
      ...producerTrace,
      reason: error.reason,
      violations: error.violations.map((v) => v.path),
    });
    await moveToDeadLetterQueue(parts.sqs, runtime.env.deadLetterQueueUrl, record, parts.name, error);
    parts.state.counts.rejected += 1;
    return undefined;
  }
}

/** Applies a valid event once (idempotently), logging its ids; a failure is counted and rethrown for retry. */
async function applyChecked<TExpectations extends ConsumerExpectations>(
  parts: ConsumerParts<TExpectations>,
  runtime: Runtime<TExpectations>,
  record: SQSRecord,
  checked: CheckedEvent<TExpectations>,
  producerTrace: ProducerTrace,
): Promise<void> {
  const ids = {
    messageId: record.messageId,
    eventId: eventIdOf(checked.event),
    // the producer's correlation id (the API's x-correlation-id): one id from the request to this effect
    correlationId: correlationIdOf(checked.event),
    ...producerTrace,
    detailType: checked.subscription.contract.detailType,
    writtenVersion: checked.writtenVersion,
    readAs: checked.subscription.contract.version,
  };
  annotateRecord(parts.tracer, { eventId: ids.eventId, correlationId: ids.correlationId, ...producerTrace });
  try {
    parts.state.applying = { messageId: record.messageId, eventId: ids.eventId };
    await runtime.apply(checked.event, {
      contract: checked.subscription.contract,
      writtenVersion: checked.writtenVersion,
      messageId: record.messageId,
      logger: parts.logger,
    });
    parts.logger.info('Event processed', ids);
  } catch (error) {
    parts.logger.warn('Event failed: reported for retry', { ...ids, error: errorName(error) });
    parts.state.counts.failed += 1;
    throw error;
  }
}

/** One invocation: the handler's subsegment, the batch's records with partial failures, the counts published. */
async function handleBatch<TExpectations extends ConsumerExpectations>(
  parts: ConsumerParts<TExpectations>,
  event: SQSEvent,
  context: Context,
): Promise<SQSBatchResponse> {
  const { tracer, logger, state } = parts;
  // the handler's subsegment under Lambda's function segment, as Powertools' captureLambdaHandler opens it
  return traceInvocation(tracer, process.env['_HANDLER'] ?? parts.name, async () => {
    logger.addContext(context);
    runtimeOf(parts).config.registerLambdaContext(context);
    // A processor per invocation: it holds the batch's results, so a shared one would mix concurrent calls.
    const processor = new BatchProcessor(EventType.SQS);
    state.counts = emptyCounts();
    const response = await processPartialResponse(
      event,
      (record: SQSRecord) => processRecord(parts, record),
      processor,
      {
        context,
        throwOnFullBatchFailure: false,
        // an external effect: one record at a time, so one crash can duplicate at most one effect
        processInParallel: !parts.options.externalEffect,
      },
    );
    publishCounts(metricsOf(parts), state.counts);
    logger.info('Batch processed', {
      records: event.Records.length,
      failures: response.batchItemFailures.length,
    });
    return response;
  });
}

/**
 * One subsegment per record under the handler's, annotated with its ids only (never a name or an address):
 * X-Ray annotations are indexed, so `annotation.eventId = "…"` finds the invocation that applied an event and
 * `annotation.producerTraceId = "1-…"` every consumer's effect of one request.
 */
function annotateRecord(
  tracer: FunctionTracer,
  ids: { readonly eventId: unknown; readonly correlationId: unknown; readonly producerTraceId?: string },
): void {
  if (!tracer.isTracingEnabled()) return;
  const record = tracer.getSegment()?.addNewSubsegment('### record');
  if (!record) return;
  for (const [key, value] of Object.entries(ids)) {
    if (typeof value === 'string') record.addAnnotation(key, value);
  }
  record.close();
}

interface OutcomeCounts {
  applied: number;
  duplicate: number;
  rejected: number;
  failed: number;
}

function emptyCounts(): OutcomeCounts {
  return { applied: 0, duplicate: 0, rejected: 0, failed: 0 };
}

/** One datapoint per outcome, zeros included (an alarm then sees 0, not missing data), published once. */
function publishCounts(metrics: Metrics, counts: OutcomeCounts): void {
  metrics.addMetric(CONSUMER_METRICS.applied, MetricUnit.Count, counts.applied);
  metrics.addMetric(CONSUMER_METRICS.duplicate, MetricUnit.Count, counts.duplicate);
  metrics.addMetric(CONSUMER_METRICS.rejected, MetricUnit.Count, counts.rejected);
  metrics.addMetric(CONSUMER_METRICS.failed, MetricUnit.Count, counts.failed);
  metrics.publishStoredMetrics();
}

interface Runtime<TExpectations extends ConsumerExpectations> {
  readonly env: ConsumerEnvironment;
  readonly config: IdempotencyConfig;
  readonly apply: (event: SubscribedEvent<TExpectations>, context: RecordContext) => Promise<JSONValue>;
}

interface ConsumerEnvironment {
  readonly tableName: string;
  readonly deadLetterQueueUrl: string;
  readonly expiresAfterSeconds: number;
}

function readEnvironment(env: NodeJS.ProcessEnv): ConsumerEnvironment {
  const tableName = env[CONSUMER_ENV.idempotencyTableName];
  if (!tableName)
    throw new ConsumerConfigurationError(CONSUMER_ENV.idempotencyTableName, tableName, 'a table name');
  const deadLetterQueueUrl = env[CONSUMER_ENV.deadLetterQueueUrl];
  if (!deadLetterQueueUrl) {
    throw new ConsumerConfigurationError(
      CONSUMER_ENV.deadLetterQueueUrl,
      deadLetterQueueUrl,
      'an SQS queue URL',
    );
  }
  const rawExpiry = env[CONSUMER_ENV.idempotencyExpiresAfterSeconds];
  const expiresAfterSeconds =
    rawExpiry === undefined ? DEFAULT_IDEMPOTENCY_EXPIRES_AFTER_SECONDS : Number(rawExpiry);
  if (!Number.isInteger(expiresAfterSeconds) || expiresAfterSeconds < 1) {
    throw new ConsumerConfigurationError(
      CONSUMER_ENV.idempotencyExpiresAfterSeconds,
      rawExpiry,
      'a whole number of seconds ≥ 1',
    );
  }
  return { tableName, deadLetterQueueUrl, expiresAfterSeconds };
}

function eventIdOf(event: { readonly detail: unknown }): unknown {
  const detail = event.detail as { metadata?: { id?: unknown } };
  return detail.metadata?.id;
}

function correlationIdOf(event: { readonly detail: unknown }): unknown {
  const detail = event.detail as { metadata?: { correlationId?: unknown } };
  return detail.metadata?.correlationId;
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
