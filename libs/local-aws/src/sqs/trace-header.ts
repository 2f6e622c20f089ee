import { randomBytes } from 'node:crypto';

/**
 * The parts of an X-Ray trace header (`Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1`)
 * that the local services act on. X-Ray's "Tracing header" section of its concepts page documents the format.
 *
 * @example parseTraceHeader('Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1') // { root: '1-5759e988-…', sampled: '1' }
 */
export interface TraceHeader {
  /** The trace id: `1-` + 8 hex digits (epoch seconds) + `-` + 24 hex digits. */
  readonly root: string;
  /** The segment this hop continues from: 16 hex digits. */
  readonly parent?: string;
  /** The sampling decision: `1`, `0`, or `?` (not decided yet). */
  readonly sampled?: '0' | '1' | '?';
}

const ROOT = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;
const PARENT = /^[0-9a-f]{16}$/;
const SAMPLED = /^[01?]$/;
/** The longest header kept: SQS's AWSTraceHeader and EventBridge's TraceHeader are short strings. */
const MAX_LENGTH = 1024;

/**
 * Parses an X-Ray trace header; undefined when it is not valid (no `Root`, or a `Root`, `Parent` or `Sampled` that
 * does not have X-Ray's shape), as X-Ray drops an invalid header and the request goes on without it. Keys are
 * case-insensitive and unknown keys (`Lineage`, `Self`) are ignored.
 *
 * @example parseTraceHeader('Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1')?.root
 */
export function parseTraceHeader(header: string | undefined | null): TraceHeader | undefined {
  if (typeof header !== 'string' || header.length === 0 || header.length > MAX_LENGTH) return undefined;
  const fields = new Map<string, string>();
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at <= 0) continue;
    fields.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim());
  }
  const root = fields.get('root');
  const parent = fields.get('parent');
  const sampled = fields.get('sampled');
  if (root === undefined || !ROOT.test(root)) return undefined;
  if (parent !== undefined && !PARENT.test(parent)) return undefined;
  if (sampled !== undefined && !SAMPLED.test(sampled)) return undefined;
  return {
    root,
    ...(parent === undefined ? {} : { parent }),
    ...(sampled === undefined ? {} : { sampled: sampled as '0' | '1' | '?' }),
  };
}

/**
 * Formats a trace header as X-Ray writes it: `Root=…;Parent=…;Sampled=…` (the parts given).
 *
 * @example formatTraceHeader({ root: newTraceId(), sampled: '1' }) // 'Root=1-…;Sampled=1'
 */
export function formatTraceHeader(header: TraceHeader): string {
  return [
    `Root=${header.root}`,
    ...(header.parent === undefined ? [] : [`Parent=${header.parent}`]),
    ...(header.sampled === undefined ? [] : [`Sampled=${header.sampled}`]),
  ].join(';');
}

/**
 * A new X-Ray trace id: version 1, the time in epoch seconds (8 hex digits), 96 random bits (24 hex digits).
 *
 * @example newTraceId() // '1-6750a3c1-0123456789abcdef01234567'
 */
export function newTraceId(now: Date = new Date()): string {
  const seconds = Math.floor(now.getTime() / 1000)
    .toString(16)
    .padStart(8, '0');
  return `1-${seconds}-${randomBytes(12).toString('hex')}`;
}

/**
 * A new segment id (the `Parent` a hop hands on): 64 random bits as 16 hex digits.
 *
 * @example formatTraceHeader({ root, parent: newSegmentId(), sampled: '1' })
 */
export function newSegmentId(): string {
  return randomBytes(8).toString('hex');
}
