// `npm run bench console`: the console with 10,000 events in the runtime. Ingests the live-log events and function
// lines of 10,000 created users (≈ 12 lines each, the shapes a real run emits) into the journal, then times, through
// the console's HTTP server, a search by user id, a page of the trace list and one trace's timeline, each as a ratio
// to the same request with 100 events ingested (1.0 = the size of the run costs nothing), and the search against a
// baseline measured in the same run: scanning the raw lines for the id, as a developer's grep does.
import { performance } from 'node:perf_hooks';
import { ConsoleJournal } from '../src/server/journal.ts';
import { startConsole } from '../src/server/console-server.ts';
import type { ConsoleRuntime } from '../src/server/console-server.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000);
const SMALL = 100;
const REPEAT = Number(process.env.BENCH_REPEAT ?? 200);

type Line =
  | { kind: 'runtime'; event: Parameters<ConsoleJournal['runtimeLog']>[0] }
  | { kind: 'fn'; name: string; line: string };

const API = 'UsersService-ApiFunction6BF808ED-SND1WHYU3LBV';
const CONSUMERS = [
  'EmailConsumer-WelcomeEmailConsumerFunctionD1A638BA-X7F75IIXCPWC',
  'AuditConsumer-AuditTrailConsumerFunction27BCCF0A-9AOPC8X3W5RV',
];
const QUEUE = (c: string) => `arn:aws:sqs:us-east-1:000000000000:${c.replace('Function', 'Queue')}`;
const log = (message: string, fields: Record<string, unknown>) =>
  JSON.stringify({
    level: 'INFO',
    message,
    timestamp: new Date().toISOString(),
    service: 'bench',
    sampling_rate: 0,
    ...fields,
  });

function linesOfUser(i: number): Line[] {
  const id = i.toString(36).padStart(8, '0');
  const [eventId, userId, correlationId, busEventId, requestId] = ['E', 'U', 'C', 'B', 'R'].map(
    (p) => `${p}${id}`,
  ) as [string, string, string, string, string];
  const lines: Line[] = [
    {
      kind: 'fn',
      name: API,
      line: log('user created', {
        function_request_id: requestId,
        correlationId,
        userId,
        eventId,
        idempotent: false,
      }),
    },
    {
      kind: 'fn',
      name: API,
      line: log('request completed', {
        function_request_id: requestId,
        correlationId,
        route: 'POST /users',
        statusCode: 201,
      }),
    },
    {
      kind: 'fn',
      name: API,
      line: JSON.stringify({ _aws: { Timestamp: Date.now(), CloudWatchMetrics: [] }, UsersCreated: 1 }),
    },
    {
      kind: 'runtime',
      event: { kind: 'http.request', message: 'POST /users → 201', details: { status: 201, requestId } },
    },
    {
      kind: 'runtime',
      event: {
        kind: 'stream.delivered',
        message: 'stream',
        details: { function: 'arn:fn:relay', records: 1, keys: `USER#${userId}|OUTBOX#${eventId}` },
      },
    },
    {
      kind: 'runtime',
      event: {
        kind: 'events.put',
        message: 'put',
        details: {
          eventId: busEventId,
          detailId: eventId,
          source: 'outboxed.users',
          detailType: 'UserCreated',
          bus: 'Bus',
        },
      },
    },
  ];
  for (const consumer of CONSUMERS) {
    const details = {
      eventId: busEventId,
      detailId: eventId,
      rule: `${consumer}-Rule`,
      targetId: 'Target0',
      targetArn: QUEUE(consumer),
    };
    lines.push(
      { kind: 'runtime', event: { kind: 'events.matched', message: 'matched', details } },
      {
        kind: 'runtime',
        event: { kind: 'events.delivered', message: 'delivered', details: { ...details, retries: 0 } },
      },
      {
        kind: 'fn',
        name: consumer,
        line: log('Event processed', {
          messageId: `M${consumer.length}${id}`,
          eventId,
          correlationId,
          detailType: 'UserCreated',
          writtenVersion: 2,
          readAs: 1,
        }),
      },
    );
  }
  return lines;
}

function ingest(journal: ConsoleJournal, lines: readonly Line[]): void {
  for (const l of lines)
    if (l.kind === 'fn') journal.functionLine(l.name, l.line);
    else journal.runtimeLog(l.event);
}

const fakeRuntime: ConsoleRuntime = {
  endpoints: { edge: 'http://127.0.0.1:9', dynamodb: 'http://127.0.0.1:9' },
  stacks: [],
  apis: [],
  edge: {
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    mailbox: { list: async () => [] },
  } as unknown as ConsoleRuntime['edge'],
  functions: { invoke: async () => undefined },
};

async function median(times: number, work: () => Promise<unknown> | unknown): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await work();
    samples.push(performance.now() - started);
  }
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)] ?? NaN;
}

async function measure(events: number) {
  const lines = Array.from({ length: events }, (_, i) => linesOfUser(i)).flat();
  const journal = new ConsoleJournal();
  const started = performance.now();
  ingest(journal, lines);
  const ingestMs = performance.now() - started;
  const server = await startConsole({ runtime: fakeRuntime, journal, port: 0 });
  const target = Math.floor(events / 2)
    .toString(36)
    .padStart(8, '0');
  const get = async (path: string) => {
    const res = await fetch(`${server.url}${path}`);
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  const searchMs = await median(REPEAT, () => get(`api/traces?q=U${target}`));
  const pageMs = await median(REPEAT, () => get('api/traces?page=1&pageSize=50'));
  const traceMs = await median(REPEAT, () => get(`api/trace?eventId=E${target}`));
  const rawLines = lines.map((l) => (l.kind === 'fn' ? l.line : JSON.stringify(l.event)));
  const grepMs = await median(Math.max(5, REPEAT / 20), () =>
    rawLines.filter((l) => l.includes(`U${target}`)),
  );
  await server.stop();
  return {
    lines: lines.length,
    ingestMs,
    searchMs,
    pageMs,
    traceMs,
    grepMs,
    heapMb: process.memoryUsage().heapUsed / 2 ** 20,
  };
}

const small = await measure(SMALL);
const large = await measure(EVENTS);
const f = (n: number) => n.toFixed(2);
console.log(
  `console journal and server: ${EVENTS} events (${large.lines} lines) vs ${SMALL} events, medians of ${REPEAT} requests`,
);
console.log(
  `  ingest            ${f(large.ingestMs)} ms for ${large.lines} lines (${f((large.ingestMs * 1000) / large.lines)} µs a line)`,
);
console.log(
  `  search by user    ${f(large.searchMs)} ms   ratio to ${SMALL} events: ${f(large.searchMs / small.searchMs)}   ratio to grep of the raw lines: ${f(large.searchMs / large.grepMs)} (grep ${f(large.grepMs)} ms, no HTTP)`,
);
console.log(
  `  trace list page   ${f(large.pageMs)} ms   ratio to ${SMALL} events: ${f(large.pageMs / small.pageMs)}`,
);
console.log(
  `  one timeline      ${f(large.traceMs)} ms   ratio to ${SMALL} events: ${f(large.traceMs / small.traceMs)}`,
);
console.log(`  heap after        ${f(large.heapMb)} MiB`);
