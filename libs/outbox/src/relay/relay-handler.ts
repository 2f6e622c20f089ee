import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { RelayConfigurationError } from '../errors';
import { DEFAULT_KEY_ATTRIBUTES, type KeyAttributes } from '../item/outbox-item';
import type { ContractSource } from './contract-resolver';
import { DEFAULT_MAX_REQUEST_BYTES } from './entry-size';
import { RELAY_ENV } from './environment';
import { mapOutboxRecord, type MappedRecord } from './map-record';
import { DEFAULT_POISON_MESSAGE_MAX_BYTES } from './poison';
import { processBatch, type BatchRecordMapping, type BatchResult } from './process-batch';
import { createTracer, traceInvocation, type InvocationTracer } from '@outboxed/cdk-common/tracing';

/** Options of {@link createRelayHandler}. */
export interface RelayOptions {
  /** Where event contracts are found: `eventCatalog` or `findContract` of `@outboxed/contracts`, or any {@link ContractSource}. */
  readonly contracts: ContractSource;
  /** Bus name or ARN. @default the `EVENT_BUS_NAME` environment variable */
  readonly eventBusName?: string;
  /** Poison DLQ URL. @default the `POISON_QUEUE_URL` environment variable */
  readonly poisonQueueUrl?: string;
  /** @default `{ partitionKey: 'pk', sortKey: 'sk' }` */
  readonly keys?: KeyAttributes;
  /** Total entry size of one PutEvents request. @default `OUTBOX_MAX_REQUEST_BYTES` or 262144 (256 KB) */
  readonly maxRequestBytes?: number;
  /** PutEvents requests (and DLQ sends) in flight at once. @default `OUTBOX_PUBLISH_CONCURRENCY` or 8 */
  readonly concurrency?: number;
  /** Sends of one entry within one invocation. @default 8 */
  readonly maxAttempts?: number;
  /** Backoff base, full jitter. @default 50 */
  readonly baseDelayMs?: number;
  /** Backoff cap. @default 2000 */
  readonly maxDelayMs?: number;
  /**
   * Time kept back from `getRemainingTimeInMillis()`: no request starts and no retry waits past it. Keep it above
   * the EventBridge client's request time-out (2 s by default) so a request in flight ends before Lambda's.
   * @default 3000
   */
  readonly timeBudgetMarginMs?: number;
  /** Largest poison message body before the record is left out of it. @default 262144 */
  readonly poisonMessageMaxBytes?: number;
}

/** The logger methods the relay uses (Powertools `Logger` fits). */
export interface RelayLogger {
  info(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
}

/** The metrics methods the relay uses (Powertools `Metrics` fits). */
export interface RelayMetrics {
  addMetric(name: string, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number): void;
  publishStoredMetrics(): void;
}

/** Side effects of the relay; tests pass fakes. */
export interface RelayDeps {
  /** @default an `EventBridgeClient` created once: one attempt per call (the relay retries), 2 s request time-out */
  readonly eventBridge: Pick<EventBridgeClient, 'send'>;
  /** @default an `SQSClient` created once */
  readonly sqs: Pick<SQSClient, 'send'>;
  /** @default Powertools `Logger` with service `POWERTOOLS_SERVICE_NAME` or `outbox-relay` */
  readonly logger: RelayLogger;
  /** @default Powertools `Metrics`, namespace `POWERTOOLS_METRICS_NAMESPACE` or `Outboxed/Outbox` */
  readonly metrics: RelayMetrics;
  /** @default Date.now */
  readonly now: () => number;
  /** @default setTimeout */
  readonly sleep: (ms: number) => Promise<void>;
  /** @default Math.random */
  readonly random: () => number;
  /** @default process.env */
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * @default `createTracer` with service `POWERTOOLS_SERVICE_NAME` or `outbox-relay`; the default clients are
   * captured with it (off, and Powertools Tracer not loaded, where `POWERTOOLS_TRACE_ENABLED` is `false`)
   */
  readonly tracer: InvocationTracer;
}

/** The part of the Lambda context the relay reads. */
export interface RelayContext {
  getRemainingTimeInMillis(): number;
}

/**
 * A Lambda handler for a DynamoDB stream event source mapping (with `ReportBatchItemFailures`).
 *
 * @example
 * const response = await handler(event, context); // { batchItemFailures: [{ itemIdentifier: '…' }] }
 */
export type RelayHandler = (
  event: DynamoDBStreamEvent,
  context: RelayContext,
) => Promise<DynamoDBBatchResponse>;

/**
 * Metric names the relay emits (Powertools Metrics, EMF): counts per invocation, and the age of the oldest
 * record (now − `ApproximateCreationDateTime`).
 *
 * @example
 * new Alarm(this, 'Age', { metric: new Metric({ namespace, metricName: RELAY_METRICS.oldestRecordAge }), … });
 */
export const RELAY_METRICS = {
  published: 'EventsPublished',
  failedEntries: 'FailedEntries',
  retriedEntries: 'RetriedEntries',
  poison: 'PoisonRecords',
  poisonSendFailures: 'PoisonSendFailures',
  requests: 'PutEventsRequests',
  oldestRecordAge: 'OldestRecordAge',
} as const;

interface ResolvedOptions {
  readonly eventBusName: string;
  readonly poisonQueueUrl: string;
  readonly keys: KeyAttributes;
  readonly maxRequestBytes: number;
  readonly concurrency: number;
}

function positiveInteger(name: string, raw: number | string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RelayConfigurationError(`${name} must be a positive integer; received ${JSON.stringify(raw)}.`);
  }
  return value;
}

function resolveOptions(options: RelayOptions, env: RelayDeps['env']): ResolvedOptions {
  const eventBusName = options.eventBusName ?? env[RELAY_ENV.eventBusName];
  if (!eventBusName) {
    throw new RelayConfigurationError(
      `The relay needs the event bus: pass eventBusName or set ${RELAY_ENV.eventBusName}; received nothing.`,
    );
  }
  const poisonQueueUrl = options.poisonQueueUrl ?? env[RELAY_ENV.poisonQueueUrl];
  if (!poisonQueueUrl) {
    throw new RelayConfigurationError(
      `The relay needs the poison DLQ: pass poisonQueueUrl or set ${RELAY_ENV.poisonQueueUrl}; received nothing.`,
    );
  }
  const maxRequestBytes = positiveInteger(
    'maxRequestBytes',
    options.maxRequestBytes ?? env[RELAY_ENV.maxRequestBytes],
    DEFAULT_MAX_REQUEST_BYTES,
  );
  const concurrency = positiveInteger('concurrency', options.concurrency ?? env[RELAY_ENV.concurrency], 8);
  return {
    eventBusName,
    poisonQueueUrl,
    keys: options.keys ?? DEFAULT_KEY_ATTRIBUTES,
    maxRequestBytes,
    concurrency,
  };
}

function defaultDeps(): RelayDeps {
  const tracer = createTracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'outbox-relay' });
  return {
    // The engine owns retries and the time budget: one SDK attempt, and a request time-out below the budget margin.
    eventBridge: tracer.captureAWSv3Client(
      new EventBridgeClient({
        maxAttempts: 1,
        requestHandler: { requestTimeout: 2_000, connectionTimeout: 1_000 },
      }),
    ),
    sqs: tracer.captureAWSv3Client(new SQSClient({})),
    tracer,
    // The OutboxRelay construct sets POWERTOOLS_SERVICE_NAME and POWERTOOLS_METRICS_NAMESPACE (its alarms read them).
    logger: new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'outbox-relay' }),
    metrics: new Metrics({
      namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Outboxed/Outbox',
      serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'outbox-relay',
    }),
    now: Date.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
    env: process.env,
  };
}

/**
 * Creates the outbox relay: a Lambda handler for the table's stream that publishes each outbox INSERT to
 * EventBridge and never loses an event nor blocks the stream.
 *
 * - ignores every other record (MODIFY, REMOVE, TTL deletions, non-outbox items);
 * - validates each event against its contract; poison records (contract violation, unknown type, entry over
 *   the byte limit, unparseable item, rejected by EventBridge as malformed) go whole, with the reason, to the
 *   poison DLQ, and the relay moves on; a DLQ failure counts as not processed (retried), never dropped;
 * - publishes through {@link publishInOrder}: ≤10 entries and ≤`maxRequestBytes` per request, bounded
 *   concurrency, each aggregate in commit order, only failed entries retried with backoff and full jitter
 *   within the time left;
 * - returns `batchItemFailures` with the SequenceNumber of the first record not processed, so the event
 *   source mapping resumes exactly there;
 * - traces each invocation (Powertools Tracer, {@link traceInvocation}) and passes each outbox item's trace
 *   header on as its entry's `TraceHeader`, so the writing request's trace reaches every consumer.
 *
 * @example
 * // apps/users-service/src/functions/relay/handler.ts
 * import { eventCatalog } from '@outboxed/contracts';
 * import { createRelayHandler } from '@outboxed/outbox';
 * export const handler = createRelayHandler({ contracts: eventCatalog });
 */
export function createRelayHandler(options: RelayOptions, deps: Partial<RelayDeps> = {}): RelayHandler {
  const d = withDefaultDeps(deps);
  let resolved: ResolvedOptions | undefined;
  const relay: RelayHandler = async (event, context) => {
    resolved ??= resolveOptions(options, d.env);
    const records: readonly DynamoDBRecord[] = event.Records ?? [];
    const startedAt = d.now();
    const deadline = startedAt + context.getRemainingTimeInMillis() - (options.timeBudgetMarginMs ?? 3_000);
    const relayed = await relayBatch(records, { options, config: resolved, deadline }, d);
    reportBatch({ records, startedAt, ...relayed }, d);
    return { batchItemFailures: relayed.batch.batchItemFailures };
  };
  // each invocation in its handler subsegment; PutEvents and SendMessage calls are subsegments of it, and each
  // entry's TraceHeader (the writing request's trace) carries that trace on to the consumers
  return (event, context) => traceInvocation(d.tracer, 'relay', () => relay(event, context));
}

/** The deps given, the production defaults (created once, on first need) for the others. */
function withDefaultDeps(deps: Partial<RelayDeps>): RelayDeps {
  let production: RelayDeps | undefined;
  const dep = <K extends keyof RelayDeps>(key: K): RelayDeps[K] =>
    deps[key] ?? (production ??= defaultDeps())[key];
  return {
    eventBridge: dep('eventBridge'),
    sqs: dep('sqs'),
    logger: dep('logger'),
    metrics: dep('metrics'),
    now: dep('now'),
    sleep: dep('sleep'),
    random: dep('random'),
    env: dep('env'),
    tracer: dep('tracer'),
  };
}

/** What one invocation relays with: the handler's options, their resolved values and its deadline. */
interface RelayPlan {
  readonly options: RelayOptions;
  readonly config: ResolvedOptions;
  /** Epoch ms after which no request starts. */
  readonly deadline: number;
}

/** What {@link relayBatch} hands to {@link reportBatch}. */
interface RelayedBatch {
  readonly mapped: readonly MappedRecord[];
  readonly batch: BatchResult;
}

/** Maps each record, then publishes the batch through {@link processBatch}. */
async function relayBatch(
  records: readonly DynamoDBRecord[],
  { options, config, deadline }: RelayPlan,
  d: RelayDeps,
): Promise<RelayedBatch> {
  const mapped = records.map((record) =>
    mapOutboxRecord(record, {
      eventBusName: config.eventBusName,
      contracts: options.contracts,
      keys: config.keys,
      maxRequestBytes: config.maxRequestBytes,
    }),
  );
  const itemOf = (recordIndex: number) =>
    (mapped[recordIndex] as Extract<MappedRecord, { kind: 'entry' }>).item;
  const batch = await processBatch(
    records,
    mapped.map(toBatchMapping),
    {
      poisonQueueUrl: config.poisonQueueUrl,
      concurrency: config.concurrency,
      publish: {
        maxRequestBytes: config.maxRequestBytes,
        deadline,
        ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
        ...(options.baseDelayMs === undefined ? {} : { baseDelayMs: options.baseDelayMs }),
        ...(options.maxDelayMs === undefined ? {} : { maxDelayMs: options.maxDelayMs }),
      },
      poisonMessageMaxBytes: options.poisonMessageMaxBytes ?? DEFAULT_POISON_MESSAGE_MAX_BYTES,
      deadLetteredMessage: 'poison record sent to the poison DLQ',
      logEventId: true,
      onRefused: (recordIndex, errorCode) =>
        d.logger.error(
          'EventBridge refused an entry; fix the cause (permissions, bus), the record will be retried',
          { eventId: itemOf(recordIndex).eventId, errorCode },
        ),
      onFailed: (recordIndex, outcome) =>
        d.logger.error('event not published in this invocation', {
          eventId: itemOf(recordIndex).eventId,
          correlationId: itemOf(recordIndex).correlationId,
          errorCode: outcome.errorCode,
          attempts: outcome.attempts,
        }),
    },
    d,
  );
  return { mapped, batch };
}

/** The invocation's metrics ({@link RELAY_METRICS}) and its one log line of counts. */
function reportBatch(
  input: RelayedBatch & { readonly records: readonly DynamoDBRecord[]; readonly startedAt: number },
  d: Pick<RelayDeps, 'metrics' | 'logger'>,
): void {
  const { records, startedAt, mapped } = input;
  const { checkpoint, counts } = input.batch;
  const poison = counts.poisonRecords + counts.deadLetteredEntries;
  const creationTimes = records.flatMap((r) => {
    const t = r.dynamodb?.ApproximateCreationDateTime;
    return t === undefined ? [] : [t];
  });
  if (creationTimes.length > 0) {
    d.metrics.addMetric(
      RELAY_METRICS.oldestRecordAge,
      MetricUnit.Milliseconds,
      Math.max(0, startedAt - Math.min(...creationTimes) * 1000),
    );
  }
  d.metrics.addMetric(RELAY_METRICS.published, MetricUnit.Count, counts.published);
  d.metrics.addMetric(RELAY_METRICS.failedEntries, MetricUnit.Count, counts.failedEntries);
  d.metrics.addMetric(RELAY_METRICS.retriedEntries, MetricUnit.Count, counts.retriedEntries);
  d.metrics.addMetric(RELAY_METRICS.poison, MetricUnit.Count, poison);
  d.metrics.addMetric(RELAY_METRICS.poisonSendFailures, MetricUnit.Count, counts.poisonSendFailures);
  d.metrics.addMetric(RELAY_METRICS.requests, MetricUnit.Count, counts.requests);
  d.metrics.publishStoredMetrics();
  d.logger.info('relay batch processed', {
    records: records.length,
    ignored: mapped.filter((m) => m.kind === 'ignored').length,
    entries: counts.entries,
    published: counts.published,
    poison,
    poisonSendFailures: counts.poisonSendFailures,
    requests: counts.requests,
    failedEntries: counts.failedEntries,
    retriedEntries: counts.retriedEntries,
    notProcessed: counts.notProcessed,
    ...(checkpoint === undefined ? {} : { checkpointSequenceNumber: checkpoint }),
  });
}

/** The relay's record as the shared core sees it: an ignored record has nothing to publish. */
function toBatchMapping(m: MappedRecord): BatchRecordMapping {
  if (m.kind === 'ignored') return { kind: 'events', entries: [] };
  if (m.kind === 'poison') return m;
  return {
    kind: 'events',
    entries: [{ orderingKey: m.orderingKey, entry: m.entry }],
    eventId: m.item.eventId,
  };
}
