import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { AwsServiceError, EdgeStartError } from './errors';
import { EdgeLog, type EdgeLogListener, type EdgeService } from './log';
import { EventsService } from './events/events-service';
import { EventsPersistence, type EventsJournalRecord } from './events/events-journal';
import { FaultInjector, type EdgeFaultPlan } from './faults/fault-injector';
import { Journal } from './persistence/journal';
import type { ServiceContext } from './service-context';
import { SqsService } from './sqs/sqs-service';
import { SsmService } from './ssm/ssm-service';
import { Mailbox, type MailboxMessage } from './ses/mailbox';
import { SesService } from './ses/ses-service';
import { SchemasService, schemaOperation } from './schemas/schemas-service';

/**
 * One call the edge answered, handed to `onRequest` just before the answer is sent: what was asked (the parsed JSON
 * body as `input`) and what was answered (`status` and the JSON body as `output`, AWS's error shape included).
 *
 * @example
 * const requests: EdgeRequest[] = [];
 * const edge = await startEdge({ onRequest: (r) => requests.push(r) });
 * const putEvents = requests.filter((r) => r.action === 'PutEvents').map((r) => r.input.Entries);
 */
export interface EdgeRequest {
  /** The service that answered (`edge` for the `/_local/*` routes and unknown routes). */
  readonly service: EdgeService;
  /** The operation: `X-Amz-Target`'s action (`PutEvents`, `SendMessage` …) or the Schema Registry's (`ListSchemas` …). */
  readonly action?: string;
  readonly method: string;
  /** The URL path, decoded. */
  readonly path: string;
  /** The query string's parameters. */
  readonly query: Readonly<Record<string, string>>;
  /** The request body, parsed (`{}` when empty or not JSON). */
  readonly input: Readonly<Record<string, unknown>>;
  /** The HTTP status answered. */
  readonly status: number;
  /** The JSON body answered (`{}` for 204). */
  readonly output: unknown;
}

/**
 * Options of {@link startEdge}.
 *
 * @example const edge = await startEdge({ port: 4566, onEvent: (e) => console.log(e.message) });
 */
export interface StartEdgeOptions {
  /** TCP port. @default 0 (a free port chosen by the OS; read it from `edge.port`) */
  readonly port?: number;
  /** Interface to listen on. @default '127.0.0.1' */
  readonly host?: string;
  /**
   * Where SES keeps the mailbox (`<dataDir>/mailbox/<messageId>.json`) and, unless `durable` is false, where SQS
   * (queues, messages, receive counts, visibility) and EventBridge (pending target retries, archives) journal their
   * state (`<dataDir>/edge/*.jsonl`) before answering the call that changed it. @default in memory only
   */
  readonly dataDir?: string;
  /** With a `dataDir`: keep SQS and EventBridge state across restarts and crashes. @default true */
  readonly durable?: boolean;
  /** Also fsync each journal write (survives a crash of the machine, not only of the process). @default false */
  readonly fsync?: boolean;
  /** Faults to inject from the start (see {@link EdgeFaultPlan}); `edge.faults.set(plan)` changes them later. @default none */
  readonly faults?: EdgeFaultPlan;
  /**
   * Kills the worker process that made a call, for crash faults. `caller` is the `app/<id>` of the call's
   * User-Agent (the SDK sets it from `AWS_SDK_UA_APP_ID`). @default crash faults only drop the connection
   */
  readonly onCrash?: (caller: string | undefined, action: string) => void;
  /** Region used in ARNs. @default process.env.AWS_REGION, else 'us-east-1' */
  readonly region?: string;
  /** Account id used in ARNs and queue URLs. @default '000000000000' */
  readonly accountId?: string;
  /** Calls a Lambda function for EventBridge Lambda targets (asynchronous invocation semantics: resolve = accepted). */
  readonly invokeLambda?: (functionArn: string, payload: unknown) => Promise<unknown>;
  /** Receives the live log: events put, rule matches, deliveries, retries, DLQ moves with reasons, emails sent. */
  readonly onEvent?: EdgeLogListener;
  /** Delay before EventBridge target retry `attempt` (1-based). @default exponential from 100 ms, capped at 5 s, with jitter */
  readonly targetRetryDelayMs?: (attempt: number) => number;
  /**
   * Items per page of the Schema Registry's ListRegistries, ListSchemas and ListSchemaVersions when a call gives no
   * `Limit` (a small page makes a client's paging visible in tests). @default 100
   */
  readonly schemaPageSize?: number;
  /**
   * Observes every call the edge answers, in arrival-of-answer order (see {@link EdgeRequest}): a request journal
   * for tests that assert what a client sent. Crash faults, which answer nothing, are not observed. A throwing
   * observer never breaks the call. @default none (nothing is kept)
   */
  readonly onRequest?: (request: EdgeRequest) => void;
}

/**
 * A running edge: one HTTP endpoint serving EventBridge, SQS, SES v2, the Schema Registry and SSM.
 *
 * @example
 * const edge = await startEdge();
 * const sqs = new SQSClient({ endpoint: edge.endpoint, region: edge.region, credentials: edge.credentials });
 * await edge.stop();
 */
export interface Edge {
  /** Base URL, e.g. `http://127.0.0.1:4566`: give it to SDK clients as `endpoint` and to the CLI as `--endpoint-url`. */
  readonly endpoint: string;
  readonly port: number;
  readonly region: string;
  readonly accountId: string;
  /** Dummy credentials the SDK needs to sign requests (the edge does not check signatures). */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** The SES mailbox: every email accepted by SendEmail. */
  readonly mailbox: Mailbox;
  /** The injected faults: `faults.set(plan)` replaces the plan, `faults.counts` says what was injected. */
  readonly faults: FaultInjector;
  /** Resolves when every EventBridge delivery started so far (retries included) has finished. */
  settle(): Promise<void>;
  /** Closes the endpoint and ends pending long polls. */
  stop(): Promise<void>;
}

const JSON_SERVICES: Readonly<
  Record<string, { readonly service: 'events' | 'sqs' | 'ssm'; readonly contentType: string }>
> = {
  AWSEvents: { service: 'events', contentType: 'application/x-amz-json-1.1' },
  AmazonSQS: { service: 'sqs', contentType: 'application/x-amz-json-1.0' },
  AmazonSSM: { service: 'ssm', contentType: 'application/x-amz-json-1.1' },
};

/**
 * Starts the local edge: EventBridge, SQS, SES v2, the Schema Registry and SSM emulated in memory behind their real
 * wire protocols (JSON 1.0/1.1 routed by `X-Amz-Target`, REST-JSON routed by path), on one HTTP port.
 * Hand-written: no maintained library emulates these services without Docker. `GET /_local/mailbox` lists the
 * mailbox as JSON.
 *
 * @example
 * const edge = await startEdge({ onEvent: (e) => console.log(e.message) });
 * const events = new EventBridgeClient({ endpoint: edge.endpoint, region: edge.region, credentials: edge.credentials });
 */
export async function startEdge(options: StartEdgeOptions = {}): Promise<Edge> {
  const host = options.host ?? '127.0.0.1';
  const endpointRef = { url: '' };
  const parts = createEdgeParts(options, endpointRef);
  const server = createServer((req, res) => {
    if (options.onRequest) watchCall(req, res, options.onRequest);
    void handleRequest(parts, req, res).catch((error: unknown) => sendError(res, error, 'rest'));
  });
  const port = await listen(server, host, options.port ?? 0);
  endpointRef.url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const endpoint = endpointRef.url;
  parts.context.log.emit('edge', 'edge.started', `local AWS edge listening on ${endpoint}`, { endpoint });
  return {
    endpoint,
    port,
    region: parts.context.region,
    accountId: parts.context.accountId,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    mailbox: parts.mailbox,
    faults: parts.faults,
    settle: () => parts.events.settle(),
    stop: () =>
      new Promise<void>((resolve) => {
        parts.sqs.stop();
        parts.events.stop();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A JSON-protocol service: one `handle` per `X-Amz-Target` action. */
interface JsonService {
  handle(action: string, input: Record<string, unknown>, signal?: AbortSignal): Promise<unknown>;
}

/** The services of one edge, built once by {@link createEdgeParts} and handed to each request step. */
interface EdgeParts {
  readonly context: ServiceContext;
  readonly faults: FaultInjector;
  readonly sqs: SqsService;
  readonly events: EventsService;
  readonly jsonServices: Readonly<Record<'events' | 'sqs' | 'ssm', JsonService>>;
  readonly mailbox: Mailbox;
  readonly ses: SesService;
  readonly schemas: SchemasService;
  readonly onCrash: StartEdgeOptions['onCrash'];
}

function createEdgeParts(options: StartEdgeOptions, endpointRef: { readonly url: string }): EdgeParts {
  const context: ServiceContext = {
    region: options.region ?? process.env.AWS_REGION ?? 'us-east-1',
    accountId: options.accountId ?? '000000000000',
    endpoint: () => endpointRef.url,
    log: new EdgeLog(options.onEvent),
  };
  const journalDir = options.dataDir !== undefined && options.durable !== false ? options.dataDir : undefined;
  const journal = <R>(name: string): Journal<R> | undefined =>
    journalDir === undefined
      ? undefined
      : new Journal<R>(join(journalDir, 'edge', name), { fsync: options.fsync ?? false });
  const faults = new FaultInjector(options.faults);
  const sqs = new SqsService(context, journal('sqs.jsonl'));
  const eventsJournal = journal<EventsJournalRecord>('events.jsonl');
  const events = new EventsService(context, sqs, {
    ...(options.invokeLambda ? { invokeLambda: options.invokeLambda } : {}),
    ...(options.targetRetryDelayMs ? { retryDelayMs: options.targetRetryDelayMs } : {}),
    ...(eventsJournal ? { persistence: new EventsPersistence(eventsJournal) } : {}),
    entryFault: (entry) => faults.entryFault(entry),
  });
  const mailbox = new Mailbox(options.dataDir);
  return {
    context,
    faults,
    sqs,
    events,
    jsonServices: { events, sqs, ssm: new SsmService(context) },
    mailbox,
    ses: new SesService(context, mailbox),
    schemas: new SchemasService(context, {
      ...(options.schemaPageSize !== undefined ? { pageSize: options.schemaPageSize } : {}),
      fault: (operation, resource) => faults.schemaFault(operation, resource, context.accountId),
      content: (schemaName, version, content) => faults.schemaContent(schemaName, version, content),
    }),
    onCrash: options.onCrash,
  };
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new EdgeStartError(
          error.code === 'EADDRINUSE'
            ? `port ${port} on ${host} is taken: pass another \`port\`, or 0 for a free one.`
            : `the edge could not listen on ${host}:${port}: ${error.message}`,
          { cause: error },
        ),
      ),
    );
    server.listen(port, host, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

/** Crash faults: kills the calling worker before or after `apply`, and answers nothing. */
async function withCrashFault<T>(
  parts: EdgeParts,
  req: IncomingMessage,
  action: string,
  apply: () => Promise<T>,
): Promise<{ crashed: true } | { crashed: false; result: T }> {
  const when = parts.faults.crashAt(action);
  if (!when) return { crashed: false, result: await apply() };
  const userAgent = `${header(req, 'x-amz-user-agent') ?? ''} ${header(req, 'user-agent') ?? ''}`;
  const caller = /\bapp\/(\S+)/.exec(userAgent)?.[1];
  if (when === 'after') await apply();
  parts.context.log.emit(
    'edge',
    'fault.crash',
    `crash fault: caller ${caller ?? 'unknown'} killed ${when} ${action}`,
    { caller, action, when },
  );
  parts.onCrash?.(caller, action);
  req.socket.destroy();
  return { crashed: true };
}

/** What an `onRequest` observer will be told about a call, filled in as the call is routed. */
type CallDraft = { -readonly [K in keyof Omit<EdgeRequest, 'status' | 'output'>]: EdgeRequest[K] };

/** The calls being answered while an `onRequest` observer listens, by their response. */
const watchedCalls = new WeakMap<ServerResponse, { draft: CallDraft; onRequest: (r: EdgeRequest) => void }>();

function watchCall(req: IncomingMessage, res: ServerResponse, onRequest: (r: EdgeRequest) => void): void {
  const url = new URL(req.url ?? '/', 'http://edge.local');
  let path = url.pathname;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    // keep the path as received
  }
  const query = Object.fromEntries(url.searchParams);
  watchedCalls.set(res, {
    onRequest,
    draft: { service: 'edge', method: req.method ?? 'GET', path, query, input: {} },
  });
}

function describeCall(res: ServerResponse, facts: Partial<CallDraft>): void {
  const watched = watchedCalls.get(res);
  if (watched) Object.assign(watched.draft, facts);
}

function observeAnswer(res: ServerResponse, status: number, output: unknown): void {
  const watched = watchedCalls.get(res);
  if (!watched) return;
  watchedCalls.delete(res);
  try {
    watched.onRequest({ ...watched.draft, status, output });
  } catch {
    // a faulty observer must not break the call
  }
}

async function handleRequest(parts: EdgeParts, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  if (watchedCalls.has(res)) describeCall(res, { input: parseJsonOrEmpty(body) });
  const target = header(req, 'x-amz-target');
  if (target) return handleJsonRequest(parts, req, res, target, body);
  return handleRestRequest(parts, req, res, body);
}

/** JSON 1.0/1.1 protocols (EventBridge, SQS, SSM): routed by `X-Amz-Target: <prefix>.<action>`. */
async function handleJsonRequest(
  parts: EdgeParts,
  req: IncomingMessage,
  res: ServerResponse,
  target: string,
  body: string,
): Promise<void> {
  const [prefix = '', action = ''] = target.split('.');
  const entry = JSON_SERVICES[prefix];
  describeCall(res, { service: entry?.service ?? 'edge', action });
  if (!entry)
    throw new AwsServiceError('UnknownOperationException', `The local edge does not serve ${prefix}.`);
  const clientGone = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) clientGone.abort();
  });
  try {
    const input = parseJson(body);
    if (entry.service !== 'ssm') {
      const fault = parts.faults.requestFault(entry.service, action);
      if (fault) throw fault;
    }
    const outcome = await withCrashFault(parts, req, `${entry.service}:${action}`, () =>
      parts.jsonServices[entry.service].handle(action, input, clientGone.signal),
    );
    if (!outcome.crashed) sendJson(res, 200, outcome.result, entry.contentType);
  } catch (error) {
    sendError(res, error, entry.service === 'sqs' ? 'sqs' : 'json', entry.contentType);
  }
}

/** REST-JSON protocols (SES v2, the Schema Registry) and the edge's own `/_local/*` routes: routed by path. */
async function handleRestRequest(
  parts: EdgeParts,
  req: IncomingMessage,
  res: ServerResponse,
  body: string,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://edge.local');
  const method = req.method ?? 'GET';
  if (url.pathname === '/_local/faults') {
    if (method === 'PUT') parts.faults.set(parseJson(body) as EdgeFaultPlan);
    sendJson(res, 200, { plan: parts.faults.plan, counts: parts.faults.counts }, 'application/json');
    return;
  }
  if (url.pathname === '/_local/mailbox' && method === 'GET') {
    sendJson(res, 200, { messages: await parts.mailbox.list() }, 'application/json');
    return;
  }
  if (url.pathname.startsWith('/v2/email/')) {
    const sending = method === 'POST' && url.pathname === '/v2/email/outbound-emails';
    describeCall(res, { service: 'ses', ...(sending ? { action: 'SendEmail' } : {}) });
    if (sending) {
      const fault = parts.faults.requestFault('ses', 'SendEmail');
      if (fault) throw fault;
    }
    const outcome = await withCrashFault(parts, req, sending ? 'ses:SendEmail' : 'ses:other', () =>
      parts.ses.route(method, url.pathname, parseJson(body)),
    );
    if (!outcome.crashed) sendJson(res, 200, outcome.result, 'application/json');
    return;
  }
  if (url.pathname.startsWith('/v1/')) {
    describeCall(res, { service: 'schemas', action: schemaOperation(method, url.pathname) });
    const result = await parts.schemas.route(method, url.pathname, url.searchParams, parseJson(body));
    sendJson(res, result.status, result.body, 'application/json');
    return;
  }
  throw new AwsServiceError(
    'UnknownOperationException',
    `The local edge has no route for ${method} ${url.pathname}.`,
    404,
  );
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(body: string): Record<string, unknown> {
  if (body.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    throw new AwsServiceError('SerializationException', 'The request body is not valid JSON.');
  }
}

function parseJsonOrEmpty(body: string): Record<string, unknown> {
  try {
    return parseJson(body);
  } catch {
    return {};
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, contentType: string): void {
  observeAnswer(res, status, status === 204 ? {} : (body ?? {}));
  if (status === 204) {
    res.writeHead(204, { 'x-amzn-requestid': randomUUID() });
    res.end();
    return;
  }
  const text = JSON.stringify(body ?? {});
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(text);
}

/** Renders an error in AWS's wire shape: `{"__type", "message"}` plus `x-amzn-ErrorType` (and SQS's query code header). */
function sendError(
  res: ServerResponse,
  error: unknown,
  protocol: 'json' | 'sqs' | 'rest',
  contentType = 'application/json',
): void {
  const aws =
    error instanceof AwsServiceError
      ? error
      : new AwsServiceError(
          protocol === 'sqs' ? 'InternalError' : 'InternalFailure',
          `Internal error in the local edge: ${(error as Error)?.message ?? String(error)}`,
          500,
        );
  if (res.headersSent) {
    res.end();
    return;
  }
  const type = protocol === 'sqs' ? `com.amazonaws.sqs#${aws.code}` : aws.code;
  const output = {
    __type: type,
    message: aws.message,
    ...(protocol === 'rest' ? { Message: aws.message } : {}),
  };
  observeAnswer(res, aws.statusCode, output);
  const text = JSON.stringify(output);
  res.writeHead(aws.statusCode, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    'x-amzn-errortype': aws.code,
    ...(protocol === 'sqs'
      ? {
          'x-amzn-query-error': `${aws.queryErrorCode ?? aws.code};${aws.statusCode >= 500 ? 'Receiver' : 'Sender'}`,
        }
      : {}),
  });
  res.end(text);
}

export type { MailboxMessage };
