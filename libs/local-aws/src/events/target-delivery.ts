import { AwsServiceError } from '../errors';
import type { EdgeLog } from '../log';
import type { SqsService } from '../sqs/sqs-service';
import type { EventBridgeEvent } from './put-events-entry';

/** A rule target as PutTargets stores it (the subset the emulator acts on; the rest is kept and echoed). */
export interface Target {
  readonly Id: string;
  readonly Arn: string;
  readonly Input?: string;
  readonly InputPath?: string;
  readonly InputTransformer?: {
    readonly InputPathsMap?: Record<string, string>;
    readonly InputTemplate: string;
  };
  readonly RetryPolicy?: {
    readonly MaximumRetryAttempts?: number;
    readonly MaximumEventAgeInSeconds?: number;
  };
  readonly DeadLetterConfig?: { readonly Arn?: string };
  readonly [key: string]: unknown;
}

/** Where a delivery goes: the rule it matched and the target. */
export interface DeliveryRoute {
  readonly ruleName: string;
  readonly ruleArn: string;
  readonly target: Target;
}

/**
 * Where deliveries that are not done at once are recorded, so a restarted edge resumes them (EventBridge keeps
 * retrying a target for up to 24 hours whatever happens to the caller).
 */
export interface DeliveryJournal {
  /** The delivery has `retries` retries behind it and is not finished. */
  pending(route: DeliveryRoute, event: EventBridgeEvent, retries: number, startedAt: number): void;
  /** The delivery is finished: delivered, dead-lettered or dropped. */
  settled(route: DeliveryRoute, event: EventBridgeEvent): void;
}

/** What target delivery needs from the edge. */
export interface DeliveryDeps {
  readonly sqs: SqsService;
  readonly log: EdgeLog;
  readonly invokeLambda?: (functionArn: string, payload: unknown) => Promise<unknown>;
  /** Puts an event on another bus (bus-to-bus targets). */
  readonly putOnBus: (busArn: string, event: EventBridgeEvent) => void;
  /** Delay before retry `attempt` (1-based). */
  readonly retryDelayMs: (attempt: number) => number;
  /** Waits `ms`; resolves false when the edge stopped meanwhile (the delivery is then abandoned). */
  readonly sleep: (ms: number) => Promise<boolean>;
  /** @default none: a retry pending when the edge stops is abandoned */
  readonly journal?: DeliveryJournal;
}

/** The documented defaults of a target's RetryPolicy: 185 retries within 24 hours. */
export const DEFAULT_RETRY_POLICY = { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 } as const;

/**
 * The default retry backoff: exponential from 100 ms, capped at 5 s, with full jitter (AWS retries "with an
 * exponential back off and jitter"; the local base is short so tests and the local run stay quick).
 *
 * @example defaultRetryDelayMs(3) // somewhere in [200, 400]
 */
export function defaultRetryDelayMs(attempt: number): number {
  const ceiling = Math.min(5000, 100 * 2 ** (attempt - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** Errors EventBridge does not retry (the target does not exist): the event goes straight to the DLQ. */
function isRetriable(error: unknown): boolean {
  return !(
    error instanceof AwsServiceError &&
    ['QueueDoesNotExist', 'ResourceNotFoundException', 'UnsupportedTarget'].includes(error.code)
  );
}

/**
 * Delivers one event to one target with EventBridge's retry policy, then its DLQ.
 * Hand-written emulation of EventBridge's target invocation (no maintained library does this without Docker).
 * The first attempt runs synchronously for SQS targets, so events keep their PutEvents order into a queue.
 * `traceHeader` is the PutEvents entry's `TraceHeader`: an SQS target (and the DLQ) gets it as the message's
 * `AWSTraceHeader` system attribute, never in the event itself (EventBridge's "integration with X-Ray" page).
 * A delivery resumed after a restart has none (the journal keeps the event, as an archive does, without it).
 */
export function deliver(
  deps: DeliveryDeps,
  route: DeliveryRoute,
  event: EventBridgeEvent,
  resume?: { readonly retries: number; readonly startedAt: number },
  traceHeader?: string,
): Promise<void> {
  const policy = { ...DEFAULT_RETRY_POLICY, ...route.target.RetryPolicy };
  const startedAt = resume?.startedAt ?? Date.now();
  const ids = logIds(route, event);
  // an SQS target's first attempt completes before PutEvents answers; any other is recorded before it starts
  let journaled = resume !== undefined;
  if (!journaled && deps.journal && route.target.Arn.split(':')[2] !== 'sqs') {
    deps.journal.pending(route, event, 0, startedAt);
    journaled = true;
  }
  const settled = (): void => {
    if (journaled) deps.journal?.settled(route, event);
  };
  const attempt = async (retries: number): Promise<void> => {
    try {
      await invoke(deps, route, event, traceHeader);
      settled();
      deps.log.emit(
        'events',
        'events.delivered',
        `event ${event.id} delivered to ${route.target.Arn}${retries ? ` after ${retries} retries` : ''}`,
        { ...ids, retries },
      );
    } catch (error) {
      const reason = describe(error);
      const ageExhausted = Date.now() - startedAt >= policy.MaximumEventAgeInSeconds * 1000;
      const retriesExhausted = retries >= policy.MaximumRetryAttempts;
      if (isRetriable(error) && !ageExhausted && !retriesExhausted) {
        const delay = deps.retryDelayMs(retries + 1);
        deps.log.emit(
          'events',
          'events.retry',
          `delivery of event ${event.id} to ${route.target.Arn} failed (${reason}); retry ${retries + 1} in ${Math.round(delay)} ms`,
          { ...ids, reason, retries },
        );
        if (deps.journal) {
          deps.journal.pending(route, event, retries + 1, startedAt);
          journaled = true;
        }
        if (!(await deps.sleep(delay))) return;
        return attempt(retries + 1);
      }
      const condition = !isRetriable(error)
        ? undefined
        : ageExhausted
          ? 'MaximumEventAgeExhausted'
          : 'MaximumRetryAttemptsExhausted';
      deadLetter(deps, route, event, error, retries, condition, traceHeader);
      settled();
    }
  };
  return attempt(resume?.retries ?? 0);
}

function logIds(route: DeliveryRoute, event: EventBridgeEvent): Record<string, string | undefined> {
  const metadata = (event.detail as { metadata?: { id?: unknown } } | null)?.metadata;
  return {
    eventId: event.id,
    detailId: typeof metadata?.id === 'string' ? metadata.id : undefined,
    rule: route.ruleName,
    targetId: route.target.Id,
    targetArn: route.target.Arn,
  };
}

function describe(error: unknown): string {
  if (error instanceof AwsServiceError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

async function invoke(
  deps: DeliveryDeps,
  route: DeliveryRoute,
  event: EventBridgeEvent,
  traceHeader: string | undefined,
): Promise<void> {
  const arn = route.target.Arn;
  const input = transformInput(route, event);
  const service = arn.split(':')[2];
  if (service === 'sqs') {
    const groupId = (route.target.SqsParameters as { MessageGroupId?: string } | undefined)?.MessageGroupId;
    deps.sqs.sendToArn(
      arn,
      typeof input === 'string' ? input : JSON.stringify(input),
      undefined,
      { ...(groupId !== undefined ? { messageGroupId: groupId } : {}), deduplicationId: event.id },
      traceHeader,
    );
  } else if (service === 'lambda') {
    if (!deps.invokeLambda)
      throw new Error(`no invokeLambda was given to startEdge, so Lambda target ${arn} cannot be called`);
    await deps.invokeLambda(arn, typeof input === 'string' ? parseOrKeep(input) : input);
  } else if (service === 'events' && arn.includes(':event-bus/')) {
    deps.putOnBus(arn, input as EventBridgeEvent);
  } else {
    throw new AwsServiceError(
      'UnsupportedTarget',
      `The local EventBridge does not deliver to ${service} targets (${arn}).`,
    );
  }
}

/** Applies the target's `Input`, `InputPath` or `InputTransformer` to the event (EventBridge's "Transforming target input"). */
export function transformInput(route: DeliveryRoute, event: EventBridgeEvent): unknown {
  const { target } = route;
  if (target.Input !== undefined) return target.Input;
  if (target.InputPath !== undefined) return jsonPath(event, target.InputPath);
  if (target.InputTransformer) {
    const values: Record<string, unknown> = {
      'aws.events.rule-arn': route.ruleArn,
      'aws.events.rule-name': route.ruleName,
      'aws.events.event.ingestion-time': event.time,
      'aws.events.event': event,
      'aws.events.event.json': event,
    };
    for (const [name, path] of Object.entries(target.InputTransformer.InputPathsMap ?? {})) {
      values[name] = jsonPath(event, path);
    }
    const template = target.InputTransformer.InputTemplate;
    const json = looksJson(template);
    return template.replace(/<([^<>\s]+)>/g, (whole: string, name: string, offset: number) => {
      if (!(name in values)) return whole;
      const value = values[name];
      const quoted = json && insideJsonString(template, offset);
      if (json && !quoted) return JSON.stringify(value ?? null);
      const text = typeof value === 'string' ? value : JSON.stringify(value ?? null);
      return quoted ? JSON.stringify(text).slice(1, -1) : text;
    });
  }
  return event;
}

function parseOrKeep(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** True when `offset` of a JSON template lies inside a string literal (an odd number of unescaped quotes before it). */
function insideJsonString(template: string, offset: number): boolean {
  let inside = false;
  for (let i = 0; i < offset; i++) {
    if (template[i] === '\\') i++;
    else if (template[i] === '"') inside = !inside;
  }
  return inside;
}

function looksJson(template: string): boolean {
  const trimmed = template.trim();
  return trimmed.startsWith('{') || trimmed.startsWith('[');
}

/** A JSONPath subset (`$`, `$.a.b`, `$.a[0]`, `$['a-b']`) as targets use it. */
export function jsonPath(root: unknown, path: string): unknown {
  if (!path.startsWith('$')) return undefined;
  const tokens = [...path.slice(1).matchAll(/\.([^.[\]]+)|\[(\d+)\]|\['([^']+)'\]/g)].map(
    (m) => m[1] ?? m[3] ?? Number(m[2]),
  );
  let value: unknown = root;
  for (const token of tokens) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[token];
  }
  return value;
}

/**
 * The DLQ's `ERROR_CODE`, in the vocabulary of EventBridge's "Using dead-letter queues" page: a target that does not
 * exist is `NO_RESOURCE`, an unsupported target `INVALID_PARAMETER`, a target call that failed `ERROR_FROM_TARGET`.
 */
function dlqErrorCode(error: unknown): string {
  if (!(error instanceof AwsServiceError)) return 'ERROR_FROM_TARGET';
  if (error.code === 'QueueDoesNotExist' || error.code === 'ResourceNotFoundException') return 'NO_RESOURCE';
  if (error.code === 'UnsupportedTarget') return 'INVALID_PARAMETER';
  return 'ERROR_FROM_TARGET';
}

function deadLetter(
  deps: DeliveryDeps,
  route: DeliveryRoute,
  event: EventBridgeEvent,
  error: unknown,
  retries: number,
  condition: string | undefined,
  traceHeader: string | undefined,
): void {
  const ids = logIds(route, event);
  const reason = describe(error);
  const dlqArn = route.target.DeadLetterConfig?.Arn;
  if (!dlqArn) {
    deps.log.emit(
      'events',
      'events.dropped',
      `event ${event.id} dropped for target ${route.target.Arn} after ${retries} retries (no DLQ): ${reason}`,
      { ...ids, reason, retries },
    );
    return;
  }
  const code = dlqErrorCode(error);
  const attributes = {
    RULE_ARN: { DataType: 'String', StringValue: route.ruleArn },
    TARGET_ARN: { DataType: 'String', StringValue: route.target.Arn },
    ERROR_CODE: { DataType: 'String', StringValue: code },
    ERROR_MESSAGE: { DataType: 'String', StringValue: reason.slice(0, 1024) },
    RETRY_ATTEMPTS: { DataType: 'String', StringValue: String(retries) },
    ...(condition ? { EXHAUSTED_RETRY_CONDITION: { DataType: 'String', StringValue: condition } } : {}),
  };
  try {
    deps.sqs.sendToArn(dlqArn, JSON.stringify(event), attributes, undefined, traceHeader);
    deps.log.emit(
      'events',
      'events.dlq',
      `event ${event.id} for target ${route.target.Arn} sent to DLQ ${dlqArn.split(':').pop() ?? dlqArn} after ${retries} retries: ${reason}`,
      { ...ids, reason, retries, deadLetterQueue: dlqArn },
    );
  } catch (dlqError) {
    deps.log.emit(
      'events',
      'events.dropped',
      `event ${event.id} dropped: DLQ ${dlqArn} failed (${describe(dlqError)}) after target failure (${reason})`,
      { ...ids, reason, retries },
    );
  }
}
