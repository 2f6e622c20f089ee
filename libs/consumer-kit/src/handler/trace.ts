import type { SQSRecord } from 'aws-lambda';

/** An X-Ray trace id: version 1, 8 hex digits of epoch seconds, 24 random hex digits. */
const TRACE_ID = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;

/**
 * The X-Ray trace id of the request that produced a record's event: the `Root` of the record's `AWSTraceHeader`
 * system attribute, which EventBridge sets on an SQS target's message from the PutEvents entry's `TraceHeader`
 * (the outbox relay passes the writing request's trace there). Undefined when the record has none, or one that is
 * not a valid X-Ray header (X-Ray drops those too).
 *
 * @example producerTraceIdOf(record) // '1-6750a3c1-0123456789abcdef01234567'
 */
export function producerTraceIdOf(record: Pick<SQSRecord, 'attributes'>): string | undefined {
  const header = record.attributes?.AWSTraceHeader;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim().toLowerCase() === 'root') {
      const root = part.slice(at + 1).trim();
      return TRACE_ID.test(root) ? root : undefined;
    }
  }
  return undefined;
}
