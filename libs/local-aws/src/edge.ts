import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { AwsServiceError, EdgeStartError } from './errors';
import { EdgeLog, type EdgeLogListener } from './log';
import { EventsService } from './events/events-service';
import { EventsPersistence } from './events/events-journal';
import { FaultInjector, type EdgeFaultPlan } from './faults/fault-injector';
import { Journal } from './persistence/journal';
import type { ServiceContext } from './service-context';
import { SqsService } from './sqs/sqs-service';
import { SsmService } from './ssm/ssm-service';
import { Mailbox, type MailboxMessage } from './ses/mailbox';
import { SesService } from './ses/ses-service';
import { SchemasService } from './schemas/schemas-service';

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
  let endpoint = '';
  const context: ServiceContext = {
    region: options.region ?? process.env.AWS_REGION ?? 'us-east-1',
    accountId: options.accountId ?? '000000000000',
    endpoint: () => endpoint,
    log: new EdgeLog(options.onEvent),
  };
  const durable = options.dataDir !== undefined && options.durable !== false;
  const journalOptions = { fsync: options.fsync ?? false };
  const faults = new FaultInjector(options.faults);
  const sqs = new SqsService(
    context,
    durable ? new Journal(join(options.dataDir as string, 'edge', 'sqs.jsonl'), journalOptions) : undefined,
  );
  const events = new EventsService(context, sqs, {
    ...(options.invokeLambda ? { invokeLambda: options.invokeLambda } : {}),
    ...(options.targetRetryDelayMs ? { retryDelayMs: options.targetRetryDelayMs } : {}),
    ...(durable
      ? {
          persistence: new EventsPersistence(
            new Journal(join(options.dataDir as string, 'edge', 'events.jsonl'), journalOptions),
          ),
        }
      : {}),
    entryFault: () => faults.entryFault(),
  });
  const ssm = new SsmService(context);
  const mailbox = new Mailbox(options.dataDir);
  const ses = new SesService(context, mailbox);
  const schemas = new SchemasService(context);
  const jsonHandlers: Record<
    'events' | 'sqs' | 'ssm',
    { handle(action: string, input: Record<string, unknown>, signal?: AbortSignal): Promise<unknown> }
  > = { events, sqs, ssm };

  const server = createServer((req, res) => {
    void handleRequest(req, res).catch((error: unknown) => sendError(res, error, 'rest'));
  });

  /** Crash faults: kills the calling worker before or after `apply`, and answers nothing. */
  async function withCrashFault<T>(
    req: IncomingMessage,
    action: string,
    apply: () => Promise<T>,
  ): Promise<{ crashed: true } | { crashed: false; result: T }> {
    const when = faults.crashAt(action);
    if (!when) return { crashed: false, result: await apply() };
    const userAgent = `${header(req, 'x-amz-user-agent') ?? ''} ${header(req, 'user-agent') ?? ''}`;
    const caller = /\bapp\/(\S+)/.exec(userAgent)?.[1];
    if (when === 'after') await apply();
    context.log.emit(
      'edge',
      'fault.crash',
      `crash fault: caller ${caller ?? 'unknown'} killed ${when} ${action}`,
      {
        caller,
        action,
        when,
      },
    );
    options.onCrash?.(caller, action);
    req.socket.destroy();
    return { crashed: true };
  }

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://edge.local');
    const target = header(req, 'x-amz-target');
    if (target) {
      const [prefix = '', action = ''] = target.split('.');
      const entry = JSON_SERVICES[prefix];
      if (!entry)
        throw new AwsServiceError('UnknownOperationException', `The local edge does not serve ${prefix}.`);
      const clientGone = new AbortController();
      res.on('close', () => {
        if (!res.writableFinished) clientGone.abort();
      });
      try {
        const input = parseJson(body);
        if (entry.service !== 'ssm') {
          const fault = faults.requestFault(entry.service, action);
          if (fault) throw fault;
        }
        const outcome = await withCrashFault(req, `${entry.service}:${action}`, () =>
          jsonHandlers[entry.service].handle(action, input, clientGone.signal),
        );
        if (!outcome.crashed) sendJson(res, 200, outcome.result, entry.contentType);
      } catch (error) {
        sendError(res, error, entry.service === 'sqs' ? 'sqs' : 'json', entry.contentType);
      }
      return;
    }
    if (url.pathname === '/_local/faults') {
      if (req.method === 'PUT') faults.set(parseJson(body) as EdgeFaultPlan);
      sendJson(res, 200, { plan: faults.plan, counts: faults.counts }, 'application/json');
      return;
    }
    if (url.pathname === '/_local/mailbox' && req.method === 'GET') {
      sendJson(res, 200, { messages: await mailbox.list() }, 'application/json');
      return;
    }
    if (url.pathname.startsWith('/v2/email/')) {
      const sending = req.method === 'POST' && url.pathname === '/v2/email/outbound-emails';
      if (sending) {
        const fault = faults.requestFault('ses', 'SendEmail');
        if (fault) throw fault;
      }
      const outcome = await withCrashFault(req, sending ? 'ses:SendEmail' : 'ses:other', () =>
        ses.route(req.method ?? 'GET', url.pathname, parseJson(body)),
      );
      if (!outcome.crashed) sendJson(res, 200, outcome.result, 'application/json');
      return;
    }
    if (url.pathname.startsWith('/v1/')) {
      const result = await schemas.route(
        req.method ?? 'GET',
        url.pathname,
        url.searchParams,
        parseJson(body),
      );
      sendJson(res, result.status, result.body, 'application/json');
      return;
    }
    throw new AwsServiceError(
      'UnknownOperationException',
      `The local edge has no route for ${req.method ?? ''} ${url.pathname}.`,
      404,
    );
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new EdgeStartError(
          error.code === 'EADDRINUSE'
            ? `port ${options.port ?? 0} on ${host} is taken: pass another \`port\`, or 0 for a free one.`
            : `the edge could not listen on ${host}:${options.port ?? 0}: ${error.message}`,
          { cause: error },
        ),
      ),
    );
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  endpoint = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  context.log.emit('edge', 'edge.started', `local AWS edge listening on ${endpoint}`, { endpoint });

  return {
    endpoint,
    port,
    region: context.region,
    accountId: context.accountId,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    mailbox,
    faults,
    settle: () => events.settle(),
    stop: () =>
      new Promise<void>((resolve) => {
        sqs.stop();
        events.stop();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
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

function sendJson(res: ServerResponse, status: number, body: unknown, contentType: string): void {
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
  const text = JSON.stringify({
    __type: type,
    message: aws.message,
    ...(protocol === 'rest' ? { Message: aws.message } : {}),
  });
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
