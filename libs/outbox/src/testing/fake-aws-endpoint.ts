// A tiny HTTP endpoint for integration tests that speaks two AWS JSON protocols: EventBridge's PutEvents
// (JSON 1.1, `X-Amz-Target: AWSEvents.PutEvents`) and SQS's SendMessage (JSON 1.0, `X-Amz-Target:
// AmazonSQS.SendMessage`). Hand-written on purpose: the tests need to see every request and to inject
// per-entry failures, which no emulator offers; libs/local-aws (`startEdge()`) can replace it once it exists.
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PutEventsRequestEntry, PutEventsResultEntry } from '@aws-sdk/client-eventbridge';

export interface ReceivedSqsMessage {
  readonly QueueUrl: string;
  readonly MessageBody: string;
  readonly MessageAttributes?: Record<string, { DataType: string; StringValue?: string }>;
}

export interface FakeAwsEndpoint {
  /** `http://127.0.0.1:<port>`: give it to the SDK clients as `endpoint`. */
  readonly endpoint: string;
  /** Every PutEvents request's entries, in arrival order (with the wire's `Time` as epoch seconds). */
  readonly putEventsRequests: Record<string, unknown>[][];
  /** PutEvents requests received (counted even when not recorded). */
  putEventsRequestCount: number;
  /** Accepted entries, in the order accepted. */
  readonly accepted: Record<string, unknown>[];
  readonly sqsMessages: ReceivedSqsMessage[];
  /** Decides each entry's fate; return an error code to fail it. @default accept all */
  failEntry: (entry: PutEventsRequestEntry, attempt: number) => PutEventsResultEntry['ErrorCode'] | undefined;
  close(): Promise<void>;
}

const readBody = (request: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });

const reply = (response: ServerResponse, status: number, contentType: string, body: unknown) => {
  response.writeHead(status, { 'content-type': contentType, 'x-amzn-requestid': randomUUID() });
  response.end(JSON.stringify(body));
};

/**
 * Starts the endpoint on a free port of 127.0.0.1.
 *
 * @example
 * const aws = await startFakeAwsEndpoint();
 * const eventBridge = new EventBridgeClient({ endpoint: aws.endpoint, region: 'us-east-1', credentials });
 */
export async function startFakeAwsEndpoint(
  options: {
    /** Delay before each response, to simulate the network and service. @default 0 */
    readonly latencyMs?: number;
    /** Keep requests and messages for assertions (turn off to measure memory). @default true */
    readonly record?: boolean;
  } = {},
): Promise<FakeAwsEndpoint> {
  const latencyMs = options.latencyMs ?? 0;
  const record = options.record ?? true;
  const attempts = new Map<string, number>();
  const state: Omit<FakeAwsEndpoint, 'endpoint' | 'close'> = {
    putEventsRequests: [],
    putEventsRequestCount: 0,
    accepted: [],
    sqsMessages: [],
    failEntry: () => undefined,
  };
  const server = createServer((request, response) => {
    void readBody(request).then(async (text) => {
      if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
      const target = request.headers['x-amz-target'];
      const input = JSON.parse(text || '{}') as Record<string, unknown>;
      if (target === 'AWSEvents.PutEvents') {
        const entries = (input.Entries ?? []) as Record<string, unknown>[];
        state.putEventsRequestCount += 1;
        if (record) state.putEventsRequests.push(entries);
        const results = entries.map((entry): PutEventsResultEntry => {
          const key = String(entry.Detail);
          const attempt = record ? (attempts.get(key) ?? 0) + 1 : 1;
          if (record) attempts.set(key, attempt);
          const code = state.failEntry(entry as PutEventsRequestEntry, attempt);
          if (code) return { ErrorCode: code, ErrorMessage: `${code} injected by the test` };
          if (record) state.accepted.push(entry);
          return { EventId: randomUUID() };
        });
        reply(response, 200, 'application/x-amz-json-1.1', {
          FailedEntryCount: results.filter((r) => r.ErrorCode).length,
          Entries: results,
        });
        return;
      }
      if (target === 'AmazonSQS.SendMessage') {
        const message = input as unknown as ReceivedSqsMessage;
        if (record) state.sqsMessages.push(message);
        reply(response, 200, 'application/x-amz-json-1.0', {
          MessageId: randomUUID(),
          MD5OfMessageBody: createHash('md5').update(message.MessageBody, 'utf8').digest('hex'),
        });
        return;
      }
      reply(response, 400, 'application/x-amz-json-1.1', {
        __type: 'UnknownOperationException',
        message: `Unsupported X-Amz-Target ${String(target)}`,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint: FakeAwsEndpoint = Object.assign(state, {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
  return endpoint;
}
