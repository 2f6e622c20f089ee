// The benchmarks' stand-in for AWS: one local HTTP endpoint (AWS_ENDPOINT_URL of each function process) that
// answers the calls the workspace's functions make with well-formed, successful responses at once, and records
// each request's operation and body size. DynamoDB (JSON 1.0), EventBridge PutEvents and SQS (JSON), SES v2
// (REST JSON). Hand-written, benchmark only: latency is added by the cost model, not here.
import { createHash, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the stub answered. */
export interface StubCall {
  readonly operation: string;
  readonly bytes: number;
  readonly body: string;
}

/** A running stub. */
export interface StubAws {
  readonly endpoint: string;
  /** Calls since the last `take()`, then forgets them. */
  take(): StubCall[];
  close(): Promise<void>;
}

function answer(operation: string, body: string): unknown {
  const input = body ? (JSON.parse(body) as Record<string, unknown>) : {};
  switch (operation) {
    case 'AWSEvents.PutEvents':
      return {
        FailedEntryCount: 0,
        Entries: ((input.Entries as unknown[] | undefined) ?? []).map(() => ({ EventId: randomUUID() })),
      };
    case 'AmazonSQS.SendMessage':
      return {
        MessageId: randomUUID(),
        MD5OfMessageBody: createHash('md5')
          .update(String(input.MessageBody ?? ''))
          .digest('hex'),
      };
    case 'AmazonSQS.ReceiveMessage':
      return {};
    case 'DynamoDB_20120810.Query':
    case 'DynamoDB_20120810.Scan':
      return { Items: [], Count: 0, ScannedCount: 0 };
    case 'SESv2.SendEmail':
      return { MessageId: randomUUID() };
    default:
      return {};
  }
}

/**
 * Starts the stub on a free local port.
 *
 * @example const aws = await startStubAws(); env.AWS_ENDPOINT_URL = aws.endpoint;
 */
export async function startStubAws(): Promise<StubAws> {
  let calls: StubCall[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const target = request.headers['x-amz-target'];
      const operation =
        typeof target === 'string'
          ? target
          : request.url?.startsWith('/v2/email/outbound-emails')
            ? 'SESv2.SendEmail'
            : `${request.method} ${request.url}`;
      calls.push({ operation, bytes: Buffer.byteLength(body), body });
      const json = JSON.stringify(answer(operation, body));
      response.writeHead(200, {
        'content-type': typeof target === 'string' ? 'application/x-amz-json-1.0' : 'application/json',
        'x-amzn-requestid': randomUUID(),
      });
      response.end(json);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    take: () => {
      const taken = calls;
      calls = [];
      return taken;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
