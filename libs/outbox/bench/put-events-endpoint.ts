// The benchmark's EventBridge: a separate process (so its CPU does not share the relay's event loop) that
// answers PutEvents (JSON 1.1, `X-Amz-Target: AWSEvents.PutEvents`) after a fixed latency, accepting every
// entry. Hand-written emulation, benchmark only. `GET /stats` returns `{ putEventsRequests }`.
// Usage: node --import tsx put-events-endpoint.ts <latencyMs>; prints the port on its first line.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const latencyMs = Number(process.argv[2] ?? '25');
let putEventsRequests = 0;

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    if (request.method === 'GET') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ putEventsRequests }));
      return;
    }
    putEventsRequests += 1;
    const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Entries?: unknown[] };
    const body = JSON.stringify({
      FailedEntryCount: 0,
      Entries: (input.Entries ?? []).map(() => ({ EventId: randomUUID() })),
    });
    setTimeout(() => {
      response.writeHead(200, {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-requestid': randomUUID(),
      });
      response.end(body);
    }, latencyMs);
  });
});
server.listen(0, '127.0.0.1', () => {
  console.log(String((server.address() as AddressInfo).port));
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
