// A PutEvents endpoint for benchmarks and the relay's throttling test: answers EventBridge's JSON 1.1 protocol
// (`X-Amz-Target: AWSEvents.PutEvents`) over HTTP after a latency, and models what EventBridge does under load,
// per its documentation:
// - the account's PutEvents quota ("PutEvents throttle limit in transactions per second", 10,000/s in us-east-1
//   by default, shared by every bus of the account and Region) as a token bucket of requests: a request beyond it
//   fails whole with HTTP 400 and `__type: ThrottlingException` ("Rate exceeded"), and none of its entries is put;
// - entries of an accepted request that fail on their own with `ErrorCode: ThrottlingException` (a documented
//   retryable per-entry code), at a given rate, while the others of the request are put (PutEvents processes
//   each entry on its own and answers one result per entry, in order).
// It records what the bus accepted, in acceptance order, to check per-aggregate order and loss. Hand-written
// emulation, benchmark and test only.
import { seededRandom } from '@outboxed/cdk-common/testing';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the modelled EventBridge behaves. */
export interface PutEventsModelOptions {
  /** Delay before each answer. @default 25 */
  readonly latencyMs?: number;
  /** PutEvents requests per second the account may make (token bucket refill). @default no quota */
  readonly requestsPerSecond?: number;
  /** Requests the bucket holds (a burst). @default `requestsPerSecond` (one second's worth) */
  readonly burst?: number;
  /** Share of the entries of an accepted request that fail with per-entry `ThrottlingException`. @default 0 */
  readonly entryThrottleRate?: number;
  /** Seed of the entry throttling's pseudo-random draw (repeatable runs). @default 1 */
  readonly seed?: number;
}

/** What the modelled bus saw. */
export interface PutEventsStats {
  readonly requests: number;
  /** Requests refused whole (quota exhausted). */
  readonly throttledRequests: number;
  /** Entries refused one by one with `ErrorCode: ThrottlingException`. */
  readonly throttledEntries: number;
  /** Entries put, duplicates included. */
  readonly acceptedEntries: number;
}

/** One entry the bus accepted: the outbox event's id, aggregate and sequence (from `Detail.metadata`). */
export interface AcceptedEvent {
  readonly eventId: string;
  readonly aggregateId: string;
  readonly sequence: number;
}

/** A running model: its URL, its counters and what it accepted, in order. */
export interface PutEventsModel {
  readonly endpoint: string;
  stats(): PutEventsStats;
  accepted(): readonly AcceptedEvent[];
  close(): Promise<void>;
}

interface Entry {
  readonly Detail?: string;
}

function acceptedEvent(entry: Entry): AcceptedEvent {
  const detail = JSON.parse(entry.Detail ?? '{}') as {
    metadata?: { id?: string; aggregateId?: string; sequence?: number };
  };
  return {
    eventId: String(detail.metadata?.id),
    aggregateId: String(detail.metadata?.aggregateId),
    sequence: Number(detail.metadata?.sequence),
  };
}

/**
 * Starts the modelled endpoint on a free local port.
 *
 * @example
 * const bus = await startPutEventsModel({ latencyMs: 5, requestsPerSecond: 50, entryThrottleRate: 0.1 });
 * const eventBridge = new EventBridgeClient({ endpoint: bus.endpoint, region: 'us-east-1', credentials });
 */
export async function startPutEventsModel(options: PutEventsModelOptions = {}): Promise<PutEventsModel> {
  const latencyMs = options.latencyMs ?? 25;
  const rate = options.requestsPerSecond ?? Number.POSITIVE_INFINITY;
  const burst = options.burst ?? rate;
  const entryThrottleRate = options.entryThrottleRate ?? 0;
  const random = seededRandom(options.seed ?? 1);
  let tokens = burst;
  let refilledAt = performance.now();
  const counters = { requests: 0, throttledRequests: 0, throttledEntries: 0, acceptedEntries: 0 };
  const accepted: AcceptedEvent[] = [];

  const takeToken = (): boolean => {
    const now = performance.now();
    tokens = Math.min(burst, tokens + ((now - refilledAt) / 1000) * rate);
    refilledAt = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method === 'GET') {
        response.writeHead(200, { 'content-type': 'application/json' });
        const wantsAccepted = request.url === '/accepted';
        response.end(
          JSON.stringify(wantsAccepted ? accepted : { ...counters, putEventsRequests: counters.requests }),
        );
        return;
      }
      counters.requests += 1;
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Entries?: Entry[] };
      const entries = input.Entries ?? [];
      // The quota is checked when the request arrives; the answer still takes the latency.
      const allowed = takeToken();
      let status = 200;
      let body: string;
      if (!allowed) {
        counters.throttledRequests += 1;
        status = 400;
        body = JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' });
      } else {
        const results = entries.map((entry) => {
          if (entryThrottleRate > 0 && random() < entryThrottleRate) {
            counters.throttledEntries += 1;
            return { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' };
          }
          counters.acceptedEntries += 1;
          accepted.push(acceptedEvent(entry));
          return { EventId: randomUUID() };
        });
        const failed = results.filter((r) => 'ErrorCode' in r).length;
        body = JSON.stringify({ FailedEntryCount: failed, Entries: results });
      }
      setTimeout(() => {
        response.writeHead(status, {
          'content-type': 'application/x-amz-json-1.1',
          'x-amzn-requestid': randomUUID(),
        });
        response.end(body);
      }, latencyMs);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats: () => ({ ...counters }),
    accepted: () => accepted,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Checks what the bus accepted against what was committed: every event present, and for each aggregate the first
 * acceptance of each event in commit order (sequence 1, 2, 3 … with no gap). Later copies of an already accepted
 * event are at-least-once redeliveries (consumers deduplicate on `metadata.id`) and are counted, not errors.
 *
 * @example const { missing, outOfOrder, duplicates } = checkDelivery(bus.accepted(), committed);
 */
export function checkDelivery(
  accepted: readonly AcceptedEvent[],
  committed: readonly AcceptedEvent[],
): { missing: number; outOfOrder: number; duplicates: number } {
  const seen = new Set<string>();
  const next = new Map<string, number>();
  let outOfOrder = 0;
  let duplicates = 0;
  for (const event of accepted) {
    if (seen.has(event.eventId)) {
      duplicates += 1;
      continue;
    }
    seen.add(event.eventId);
    const expected = next.get(event.aggregateId) ?? 1;
    if (event.sequence !== expected) outOfOrder += 1;
    next.set(event.aggregateId, Math.max(expected, event.sequence + 1));
  }
  const missing = committed.filter((event) => !seen.has(event.eventId)).length;
  return { missing, outOfOrder, duplicates };
}
