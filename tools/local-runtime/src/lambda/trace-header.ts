import { formatTraceHeader, newSegmentId, newTraceId, parseTraceHeader } from '@outboxed/local-aws';

/**
 * The trace header a traced hop hands on (API Gateway to its integration, Lambda to its function as
 * `_X_AMZN_TRACE_ID`): the upstream trace continued when its header is a valid X-Ray header (same `Root`, the
 * upstream's sampling decision), else a new trace; the `Parent` is always this hop's new segment.
 *
 * @example continueTrace('Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1') // 'Root=1-5759e988-…;Parent=<new>;Sampled=1'
 */
export function continueTrace(upstream?: string): string {
  const parsed = parseTraceHeader(upstream);
  return formatTraceHeader({
    root: parsed?.root ?? newTraceId(),
    parent: newSegmentId(),
    sampled: parsed?.sampled === '0' ? '0' : '1',
  });
}

/**
 * The upstream trace header of an invocation, as Lambda receives it from the service invoking it: API Gateway's
 * (`x-amzn-trace-id`, which the local HTTP API sets on each request's event). Undefined for any other event: an
 * SQS or stream batch starts a new trace (X-Ray links it to each record's `AWSTraceHeader`).
 *
 * @example upstreamTraceHeader({ version: '2.0', headers: { 'x-amzn-trace-id': 'Root=1-…' }, requestContext: {} })
 */
export function upstreamTraceHeader(event: unknown): string | undefined {
  if (event === null || typeof event !== 'object') return undefined;
  const { headers, requestContext } = event as { headers?: unknown; requestContext?: unknown };
  if (requestContext === undefined || headers === null || typeof headers !== 'object') return undefined;
  const header = (headers as Record<string, unknown>)['x-amzn-trace-id'];
  return typeof header === 'string' ? header : undefined;
}
