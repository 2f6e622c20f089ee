import type { TraceIds, TraceOutcome, TraceStep } from '../model';

/** What the journal keeps of one function log line. */
export interface ParsedFunctionLine {
  readonly step: TraceStep;
  readonly title: string;
  readonly actor: string;
  readonly outcome?: TraceOutcome;
  readonly ids: TraceIds;
  /** The Lambda request id (`function_request_id`): links a request's lines. */
  readonly requestId?: string;
  /** The hash part of a Powertools idempotency key (`<prefix>#<md5>`), on a duplicate. */
  readonly idempotencyHash?: string;
  readonly time?: number;
  readonly details: Record<string, string | number | boolean | undefined>;
}

/** Messages of the consumer kit, the outbox relay and the API, and the step and outcome each one is. */
const KNOWN: readonly { readonly test: RegExp; readonly step: TraceStep; readonly outcome?: TraceOutcome }[] =
  [
    { test: /^Event processed$/, step: 'consumer', outcome: 'applied' },
    { test: /^Event already applied/, step: 'consumer', outcome: 'duplicate' },
    { test: /^Possible duplicate effect/, step: 'consumer', outcome: 'duplicate' },
    { test: /^Rejected an invalid event/, step: 'consumer', outcome: 'rejected' },
    { test: /^Event failed/, step: 'consumer', outcome: 'failed' },
    { test: /^event not published/, step: 'relay', outcome: 'failed' },
    { test: /^EventBridge refused an entry/, step: 'relay', outcome: 'failed' },
    { test: /^poison record sent/, step: 'dead-letter', outcome: 'dead-lettered' },
    { test: /^user created$/, step: 'transaction', outcome: 'ok' },
  ];

/** Fields of a Powertools log line the journal keeps as details: ids, counts, codes, never payloads. */
const DETAIL_FIELDS = [
  'route',
  'statusCode',
  'reason',
  'errorCode',
  'error',
  'attempts',
  'writtenVersion',
  'readAs',
  'detailType',
  'idempotent',
  'level',
] as const;

/**
 * Parses a function's output line: a Powertools JSON log line becomes a journal entry when it names an event, a
 * user, a correlation id or an HTTP route; EMF metric lines and plain text are skipped.
 *
 * @example parseFunctionLine('Users-Api', '{"level":"INFO","message":"user created","userId":"01…","eventId":"01…"}')?.step; // 'transaction'
 */
export function parseFunctionLine(functionName: string, line: string): ParsedFunctionLine | undefined {
  if (!line.startsWith('{')) return undefined;
  let log: Record<string, unknown>;
  try {
    log = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof log !== 'object' || log === null || '_aws' in log || typeof log.message !== 'string')
    return undefined;
  const str = (key: string) =>
    typeof log[key] === 'string' && log[key] !== '' ? (log[key] as string) : undefined;
  const ids: TraceIds = {
    eventId: str('eventId'),
    userId: str('userId'),
    correlationId: str('correlationId'),
    messageId: str('messageId'),
  };
  const isHttp = str('route') !== undefined && log.statusCode !== undefined;
  const idempotencyKey = str('idempotencyKey');
  const known = KNOWN.find((k) => k.test.test(log.message as string));
  if (!isHttp && !known && !ids.eventId && !ids.userId && !ids.correlationId) return undefined;
  const details: ParsedFunctionLine['details'] = {};
  for (const field of DETAIL_FIELDS) {
    const value = log[field];
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      details[field] = value;
    else if (Array.isArray(value)) details[field] = value.map(String).join(', ');
  }
  if (Array.isArray(log.violations)) details.violations = log.violations.map(String).join(', ');
  const time = typeof log.timestamp === 'string' ? Date.parse(log.timestamp) : NaN;
  const actor = displayName(functionName);
  return {
    step: isHttp ? 'http' : (known?.step ?? 'log'),
    title: isHttp ? `${String(log.route)} → ${String(log.statusCode)}` : (log.message as string),
    actor,
    ...(isHttp
      ? { outcome: Number(log.statusCode) < 400 ? 'ok' : 'failed' }
      : known?.outcome
        ? { outcome: known.outcome }
        : {}),
    ids,
    ...(str('function_request_id') ? { requestId: str('function_request_id') } : {}),
    ...(idempotencyKey?.includes('#') ? { idempotencyHash: idempotencyKey.split('#').pop() } : {}),
    ...(Number.isNaN(time) ? {} : { time }),
    details,
  };
}

/** `EmailConsumer-WelcomeEmailConsumerFunctionD1A638BA-X7F75IIXCPWC` → `WelcomeEmailConsumerFunction`. */
export function displayName(functionName: string): string {
  const parts = functionName.split('-');
  const logical = parts.length >= 3 ? (parts[parts.length - 2] as string) : functionName;
  return logical.replace(/[0-9A-F]{8}$/, '');
}
