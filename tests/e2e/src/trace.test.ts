import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { newTraceId, parseTraceHeader } from '@outboxed/local-aws';
import type { LocalRuntime } from '@outboxed/local-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem } from './start-system';
import type { RunningSystem } from './start-system';

let system: RunningSystem;
let runtime: LocalRuntime;
let ddb: DynamoDBClient;
/** Every JSON line a function printed (Powertools Logger's), with the function's name. */
const lines: { fn: string; log: Record<string, unknown> }[] = [];

beforeAll(async () => {
  system = await startSystem('local-runtime-trace', {
    log: () => undefined,
    functionLog: (fn, line) => {
      try {
        lines.push({ fn, log: JSON.parse(line) as Record<string, unknown> });
      } catch {
        // not a JSON log line
      }
    },
  });
  runtime = system.runtime;
  ddb = new DynamoDBClient({
    endpoint: runtime.endpoints.dynamodb,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}, 300_000);

afterAll(async () => {
  ddb?.destroy();
  await system?.stop();
});

describe('one X-Ray trace from the API request to each consumer’s effect (local runtime, real assemblies)', () => {
  it('follows the request’s trace id through the outbox item, PutEvents, SQS AWSTraceHeader and both consumers’ records, beside the correlation id', async () => {
    const traceId = newTraceId();

    const response = await fetch(`${runtime.apis[0]?.url}users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-amzn-trace-id': `Root=${traceId};Sampled=1` },
      body: JSON.stringify({ email: 'trace-one@example.com', name: 'Trace One' }),
    });

    expect(response.status).toBe(201);
    const correlationId = response.headers.get('x-correlation-id');
    const user = (await response.json()) as { id: string };
    // the API invocation ran in the request's trace (Powertools Logger's xray_trace_id) …
    const created = lines.find((l) => l.log['message'] === 'user created' && l.log['userId'] === user.id);
    expect(created?.log['xray_trace_id']).toBe(traceId);
    // … and the outbox writer stored its trace header on the outbox item
    const items = (await ddb.send(new ScanCommand({ TableName: usersTable() }))).Items ?? [];
    const outbox = items.find((i) => i['itemType']?.S === 'OUTBOX' && i['aggregateId']?.S === user.id);
    expect(parseTraceHeader(outbox?.['traceHeader']?.S)?.root).toBe(traceId);
    const eventId = outbox?.['eventId']?.S;
    // each consumer's record carried it (AWSTraceHeader, from the relay's TraceHeader): logged beside the ids
    const processed = () =>
      lines
        .filter((l) => l.log['message'] === 'Event processed' && l.log['eventId'] === eventId)
        .map((l) => ({
          consumer: l.log['service'],
          producerTraceId: l.log['producerTraceId'],
          correlationId: l.log['correlationId'],
        }))
        .sort((a, b) => String(a.consumer).localeCompare(String(b.consumer)));
    await expect.poll(processed, { timeout: 60_000, interval: 250 }).toEqual([
      { consumer: 'audit-consumer', producerTraceId: traceId, correlationId },
      { consumer: 'email-consumer', producerTraceId: traceId, correlationId },
    ]);
    // the consumers' own invocations are traces of their own (a batch starts one; X-Ray links it to the producer's)
    const consumerTraces = lines
      .filter((l) => l.log['message'] === 'Event processed' && l.log['eventId'] === eventId)
      .map((l) => l.log['xray_trace_id']);
    expect(consumerTraces.every((t) => typeof t === 'string' && t !== traceId)).toBe(true);
  });
});

function usersTable(): string {
  const table = runtime.stacks
    .filter((s) => s.plan.input.app === 'users-service')
    .flatMap((s) => [...s.resources.values()])
    .find((r) => r.type === 'AWS::DynamoDB::Table');
  if (!table) throw new Error('users-service deployed no DynamoDB table');
  return table.identity.ref;
}
