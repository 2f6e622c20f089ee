import type { RuntimeLogEvent } from './esm/types';

const NOISY = new Set([
  'timestamp',
  'time',
  'level',
  'message',
  'msg',
  'service',
  'sampling_rate',
  'xray_trace_id',
  'function_arn',
  'function_memory_size',
  'function_name',
  'function_request_id',
  'cold_start',
  'requestId',
  'type',
  '_aws',
]);

/** Keys never printed, whatever a handler logs: the live log carries ids and reasons, not personal data. */
const PERSONAL = /email|name|address|phone|body|payload|detail|event$/i;

const clock = (date = new Date()) => date.toISOString().slice(11, 23);

/**
 * One readable live-log line for a runtime or edge event: `12:00:01.123 events  PutEvents: 1 entry accepted`.
 *
 * @example console.log(formatLogEvent({ kind: 'http.request', message: 'POST /users → 201 (40 ms)' }));
 */
export function formatLogEvent(event: RuntimeLogEvent, now = new Date()): string {
  const source = event.kind.split('.')[0] ?? 'runtime';
  return `${clock(now)} ${source.padEnd(7)} ${event.message}`;
}

/**
 * One readable line for what a function printed: Powertools/Lambda JSON logs become `LEVEL message key=value`
 * (ids, counts, reasons; keys that could hold personal data are left out), other lines are printed as they are.
 *
 * @example formatFunctionLine('Relay', '{"level":"INFO","message":"published","eventId":"01H…"}')
 */
export function formatFunctionLine(displayName: string, line: string, now = new Date()): string {
  let text = line;
  if (line.startsWith('{')) {
    try {
      const entry = JSON.parse(line) as Record<string, unknown>;
      const level = '_aws' in entry ? 'METRICS' : String(entry.level ?? entry.type ?? 'INFO').toUpperCase();
      const message = String(entry.message ?? entry.msg ?? '');
      const extras = Object.entries(entry)
        .filter(([k, v]) => !NOISY.has(k) && !PERSONAL.test(k) && (typeof v !== 'object' || v === null))
        .map(([k, v]) => `${k}=${String(v)}`);
      const error = entry.error as { name?: string; message?: string } | undefined;
      text = [
        level,
        message,
        ...extras,
        ...(error?.name ? [`error=${error.name}: ${error.message ?? ''}`] : []),
      ].join(' ');
    } catch {
      // not JSON after all: print as is
    }
  }
  return `${clock(now)} λ ${displayName.padEnd(18)} ${text}`;
}
