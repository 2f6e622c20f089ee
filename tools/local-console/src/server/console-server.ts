import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SchemasClient } from '@aws-sdk/client-schemas';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { LocalRuntime } from '@outboxed/local-runtime';
import { LocalConsoleError, NotFoundError } from '../errors';
import type { FlowEdge, FlowNode } from '../model';
import { bundleUi } from './bundle';
import { deadLetterBody, listDeadLetters, redriveDeadLetters } from './dead-letters';
import type { DeadLetterDeps } from './dead-letters';
import { byTimeThenStep } from './journal';
import type { ConsoleJournal } from './journal';
import { diffJson, listSchemas, schemaContent } from './schemas';
import type { SchemaReader } from './schemas';
import { MailboxIndex, effectsOf, eventIdOfEmail, outboxItemOf } from './system-reads';
import { readTopology } from './topology';
import type { Topology } from './topology';

/**
 * What the console reads of the running system: the parts of `LocalRuntime` it uses.
 *
 * @example const runtime: ConsoleRuntime = await startLocalRuntime();
 */
export type ConsoleRuntime = Pick<LocalRuntime, 'endpoints' | 'stacks' | 'apis' | 'edge'> & {
  readonly functions: Pick<LocalRuntime['functions'], 'invoke'>;
  /** The alarm states the runtime evaluates, where it can (feature-detected). */
  readonly alarms?: () => readonly unknown[];
};

/**
 * Options of {@link startConsole}.
 *
 * @example await startConsole({ runtime, journal, port: 4000 });
 */
export interface StartConsoleOptions {
  readonly runtime: ConsoleRuntime;
  /** The journal the runtime's `log` and `functionLog` feed (create it before the runtime starts). */
  readonly journal: ConsoleJournal;
  /** @default 4000; 0 = a free port */
  readonly port?: number;
  /** @default '127.0.0.1' (the console can reveal personal data: it stays on this machine) */
  readonly host?: string;
  /** Who reads which event version, as declared (e.g. from the apps' contract expectations). @default none */
  readonly declaredReaders?: () => Promise<readonly SchemaReader[]>;
}

/**
 * The running console.
 *
 * @example const console = await startConsole({ runtime, journal }); console.url; await console.stop();
 */
export interface RunningConsole {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

const HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>outboxed — local console</title><link rel="icon" href="data:,"></head>
<body><div id="app"></div><script src="/app.js"></script></body></html>`;

/** A JSON route of the console's API: its answer, or an error (404 for NotFoundError, 400 for LocalConsoleError). */
type Route = (url: URL, req: IncomingMessage) => Promise<unknown>;

/** Everything the routes read, connected once at start. */
interface ConsoleReads {
  readonly runtime: ConsoleRuntime;
  readonly journal: ConsoleJournal;
  readonly topology: Topology;
  readonly sqs: SQSClient;
  readonly schemas: SchemasClient;
  readonly dynamodb: DynamoDBClient;
  readonly mailbox: MailboxIndex;
  readonly deadLetters: DeadLetterDeps;
  readonly declaredReaders: () => Promise<readonly SchemaReader[]>;
  /** Listing dead letters receives and releases messages: one listing at a time, or two hide messages from each other. */
  readonly serially: SerialQueue;
}

/**
 * Serves the local console beside a running runtime: the Trace, Flow, Dead letters, Schemas, Mailbox and Alarms
 * views, built from the runtime's own events (the journal) and its endpoints, with live updates over server-sent
 * events. Everything it serves is bundled at start: no CDN, no network.
 *
 * @example
 * const journal = new ConsoleJournal();
 * const runtime = await startLocalRuntime({ log: (e) => journal.runtimeLog(e), functionLog: (n, l) => journal.functionLine(n, l) });
 * const console = await startConsole({ runtime, journal });
 */
export async function startConsole(options: StartConsoleOptions): Promise<RunningConsole> {
  const script = await bundleUi();
  const reads = connectReads(options);
  const routes: Record<string, Route> = {
    ...overviewRoutes(reads),
    ...traceRoutes(reads),
    ...deadLetterRoutes(reads),
    ...schemaRoutes(reads),
    ...mailboxRoutes(reads),
    ...alarmRoutes(reads),
  };
  const live = new LiveUpdates(options.journal);
  const server = createServer((req, res) => handleRequest(req, res, { script, routes, live }));
  const host = options.host ?? '127.0.0.1';
  await listen(server, host, options.port ?? 4000);
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}/`,
    port,
    stop: async () => {
      live.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const client of [reads.sqs, reads.schemas, reads.dynamodb]) client.destroy();
    },
  };
}

function connectReads(options: StartConsoleOptions): ConsoleReads {
  const { runtime, journal } = options;
  const topology = readTopology(runtime.stacks);
  journal.setFunctionQueues(topology.functionQueues);
  const clientConfig = { region: runtime.edge.region, credentials: runtime.edge.credentials };
  const sqs = new SQSClient({ ...clientConfig, endpoint: runtime.endpoints.edge });
  return {
    runtime,
    journal,
    topology,
    sqs,
    schemas: new SchemasClient({ ...clientConfig, endpoint: runtime.endpoints.edge }),
    dynamodb: new DynamoDBClient({ ...clientConfig, endpoint: runtime.endpoints.dynamodb }),
    mailbox: new MailboxIndex(
      () => runtime.edge.mailbox.list(),
      () => journal.emailsAccepted,
    ),
    deadLetters: {
      sqs,
      invoke: (name, payload) => runtime.functions.invoke(name, payload),
      movedReason: (id) => journal.deadLetterReason(id),
    },
    declaredReaders: options.declaredReaders ?? (() => Promise.resolve([])),
    serially: new SerialQueue(),
  };
}

function overviewRoutes({ runtime, journal }: ConsoleReads): Record<string, Route> {
  return {
    'GET /api/overview': async () => ({
      apis: runtime.apis.map((a) => ({ app: a.app, url: a.url })),
      endpoints: runtime.endpoints,
      traces: journal.traceCount,
      alarmsSupported: typeof runtime.alarms === 'function',
    }),
  };
}

function traceRoutes(reads: ConsoleReads): Record<string, Route> {
  const { journal, mailbox, dynamodb, topology } = reads;
  return {
    'GET /api/traces': async (url) =>
      journal.traces({
        query: url.searchParams.get('q') ?? '',
        page: Number(url.searchParams.get('page') ?? 0),
        pageSize: Number(url.searchParams.get('pageSize') ?? 50),
      }),
    'GET /api/trace': async (url) => {
      const eventId = required(url, 'eventId');
      const trace = journal.trace(eventId);
      if (!trace) throw new NotFoundError('trace of event', eventId);
      const effects = await effectsOf(eventId, trace.summary.userId, { mailbox, dynamodb, topology });
      const entries = [...trace.entries, ...effects].sort(byTimeThenStep);
      return { summary: trace.summary, entries };
    },
    'GET /api/trace/payload': async (url) => {
      const eventId = required(url, 'eventId');
      const item = await outboxItemOf(eventId, { dynamodb, topology });
      if (!item) throw new NotFoundError('outbox item (it may have expired) for event', eventId);
      return item;
    },
    'GET /api/flow': async () => flow(reads),
  };
}

function deadLetterRoutes({ topology, deadLetters, sqs, serially }: ConsoleReads): Record<string, Route> {
  return {
    'GET /api/dead-letters': async () => serially.run(() => listDeadLetters(topology, deadLetters)),
    'GET /api/dead-letters/message': async (url) =>
      serially.run(() => deadLetterBody(sqs, required(url, 'queueUrl'), required(url, 'messageId'))),
    'POST /api/dead-letters/redrive': async (_url, req) => {
      const body = (await readJson(req)) as { queueUrl?: string; eventId?: string };
      if (!body.queueUrl) throw new LocalConsoleError('The redrive request needs "queueUrl" (a DLQ URL).');
      return redriveDeadLetters(topology, deadLetters, body.queueUrl, body.eventId);
    },
  };
}

function schemaRoutes({ schemas, journal, declaredReaders }: ConsoleReads): Record<string, Route> {
  return {
    'GET /api/schemas': async () => ({
      schemas: await listSchemas(schemas),
      readers: [...(await declaredReaders()), ...journal.readers()],
    }),
    'GET /api/schemas/diff': async (url) => {
      // each side is `<registry>|<schema>|<version>`: two versions of a schema, or two schemas (`X.v1`, `X.v2`)
      const side = (name: string) => {
        const [registry = '', schema = '', version = ''] = required(url, name).split('|');
        return schemaContent(schemas, registry, schema, version);
      };
      const [from, to] = await Promise.all([side('from'), side('to')]);
      return { changes: diffJson(from, to) };
    },
  };
}

function mailboxRoutes({ mailbox }: ConsoleReads): Record<string, Route> {
  return {
    'GET /api/mailbox': async () =>
      (await mailbox.all()).slice(0, 500).map((m) => ({
        messageId: m.messageId,
        receivedAt: m.receivedAt,
        eventId: eventIdOfEmail(m),
        template: m.template?.name,
        recipients: m.to.length,
      })),
    'GET /api/mailbox/message': async (url) => {
      const id = required(url, 'messageId');
      const message = (await mailbox.all()).find((m) => m.messageId === id);
      if (!message) throw new NotFoundError('email', id);
      return message;
    },
  };
}

function alarmRoutes({ runtime, journal }: ConsoleReads): Record<string, Route> {
  return {
    'GET /api/alarms': async () => ({
      supported: typeof runtime.alarms === 'function',
      alarms: typeof runtime.alarms === 'function' ? runtime.alarms() : [...journal.alarms().values()],
    }),
  };
}

/** The Flow view: the topology's nodes with each queue's depth, its edges with their counters and oldest age. */
async function flow({
  journal,
  topology,
  sqs,
}: ConsoleReads): Promise<{ nodes: FlowNode[]; edges: FlowEdge[] }> {
  const { counters, queues } = journal.flowCounters();
  const now = Date.now();
  const nodes = await Promise.all(
    topology.nodes.map(async ({ ref, arn: _arn, ...node }): Promise<FlowNode> => {
      if (node.kind !== 'queue' && node.kind !== 'dlq') return node;
      const out = await sqs
        .send(
          new GetQueueAttributesCommand({
            QueueUrl: ref,
            AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
          }),
        )
        .catch(() => undefined);
      const a = out?.Attributes ?? {};
      return {
        ...node,
        depth:
          Number(a.ApproximateNumberOfMessages ?? 0) + Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
      };
    }),
  );
  const edges = topology.edges.map((e): FlowEdge => {
    const queue = e.queueArn ? queues.get(e.queueArn) : undefined;
    return {
      from: e.from,
      to: e.to,
      label: e.label,
      ...(e.counters.length > 0
        ? { count: e.counters.reduce((sum, key) => sum + (counters.get(key) ?? 0), 0) }
        : {}),
      ...(queue?.oldest !== undefined ? { oldestAgeMs: now - queue.oldest } : {}),
    };
  });
  return { nodes, edges };
}

/** Runs work one at a time, in the order given; a failure does not stop the next. */
class SerialQueue {
  private last: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const run = this.last.then(work, work);
    this.last = run.catch(() => undefined);
    return run;
  }
}

/** The `/api/live` server-sent events: a `change` to every open page whenever the journal moved (checked every 300 ms). */
class LiveUpdates {
  private readonly clients = new Set<ServerResponse>();
  private lastSent = -1;
  private readonly tick: NodeJS.Timeout;

  constructor(private readonly journal: ConsoleJournal) {
    this.tick = setInterval(() => this.notify(), 300);
    this.tick.unref();
  }

  /** Opens the event stream of one page, with the journal's position now. */
  attach(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    res.write(`event: change\ndata: ${JSON.stringify({ seq: this.journal.seq })}\n\n`);
    this.clients.add(res);
    req.on('close', () => this.clients.delete(res));
  }

  stop(): void {
    clearInterval(this.tick);
    for (const client of this.clients) client.end();
    this.clients.clear();
  }

  private notify(): void {
    if (this.journal.seq === this.lastSent || this.clients.size === 0) return;
    this.lastSent = this.journal.seq;
    for (const client of this.clients)
      client.write(`event: change\ndata: ${JSON.stringify({ seq: this.lastSent })}\n\n`);
  }
}

function handleRequest(
  req: IncomingMessage,
  res: ServerResponse,
  served: { readonly script: string; readonly routes: Record<string, Route>; readonly live: LiveUpdates },
): void {
  const url = new URL(req.url ?? '/', 'http://console');
  const key = `${req.method ?? 'GET'} ${url.pathname}`;
  if (key === 'GET /' || key === 'GET /index.html') return send(res, 200, 'text/html; charset=utf-8', HTML);
  if (key === 'GET /app.js') return send(res, 200, 'text/javascript; charset=utf-8', served.script);
  if (key === 'GET /api/live') return served.live.attach(req, res);
  const route = served.routes[key];
  if (!route) return sendJson(res, 404, { error: `No console route ${key}.` });
  route(url, req).then(
    (body) => sendJson(res, 200, body),
    (error: unknown) =>
      sendJson(res, error instanceof NotFoundError ? 404 : error instanceof LocalConsoleError ? 400 : 500, {
        error: (error as Error).message,
      }),
  );
}

async function listen(server: Server, host: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new LocalConsoleError(
          error.code === 'EADDRINUSE'
            ? `The console's port ${port} is in use: stop what uses it, or give --console-port <port> (0 = a free port).`
            : `The console could not listen: ${error.message}`,
          { cause: error },
        ),
      ),
    );
    server.listen(port, host, resolve);
  });
}

function required(url: URL, name: string): string {
  const value = url.searchParams.get(name);
  if (!value) throw new LocalConsoleError(`The request needs the query parameter "${name}".`);
  return value;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as unknown;
  } catch {
    throw new LocalConsoleError('The request body is not JSON.');
  }
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
}
