// The benchmarks' EventBridge as a separate process (so its CPU does not share the relay's event loop): the
// PutEvents model of put-events-model.ts (latency, the account's request quota, per-entry throttling).
// `GET /stats` returns `{ putEventsRequests, requests, throttledRequests, throttledEntries, acceptedEntries }`;
// `GET /accepted` what the bus accepted, in order (`AcceptedEvent[]`).
// Usage: node --import tsx put-events-endpoint.ts <latencyMs> [requestsPerSecond] [entryThrottleRate]; prints
// the port on its first line.
import { startPutEventsModel } from './put-events-model.ts';

const [latency = '25', quota, entryThrottle] = process.argv.slice(2);
const model = await startPutEventsModel({
  latencyMs: Number(latency),
  ...(quota ? { requestsPerSecond: Number(quota) } : {}),
  ...(entryThrottle ? { entryThrottleRate: Number(entryThrottle) } : {}),
});
console.log(new URL(model.endpoint).port);
process.on('SIGTERM', () => void model.close().then(() => process.exit(0)));
