// `npm run bench edge`: throughput and latency of the local edge alone — PutEvents → rule → SQS target → long-polled
// ReceiveMessage + DeleteMessageBatch, all over HTTP with the real SDK v3 clients, in one process.
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { startEdge } from '../src/index';

const EVENTS = 5000;
const LATENCY_SAMPLES = 300;

const edge = await startEdge();
const config = { endpoint: edge.endpoint, region: edge.region, credentials: edge.credentials };
const events = new EventBridgeClient(config);
const sqs = new SQSClient(config);
await events.send(new CreateEventBusCommand({ Name: 'bench' }));
const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'bench' }));
const { Attributes } = await sqs.send(
  new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
);
await events.send(
  new PutRuleCommand({ Name: 'all', EventBusName: 'bench', EventPattern: '{"source":["bench"]}' }),
);
await events.send(
  new PutTargetsCommand({
    Rule: 'all',
    EventBusName: 'bench',
    Targets: [{ Id: 'q', Arn: Attributes?.QueueArn }],
  }),
);

const entry = (i: number) => ({
  EventBusName: 'bench',
  Source: 'bench',
  DetailType: 'Tick',
  Detail: JSON.stringify({ i, sentAt: Date.now() }),
});

async function drain(expected: number, onMessage?: (body: string) => void): Promise<void> {
  let received = 0;
  const consumer = async (): Promise<void> => {
    while (received < expected) {
      const out = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      const messages = out.Messages ?? [];
      if (messages.length === 0) continue;
      received += messages.length;
      for (const m of messages) onMessage?.(m.Body ?? '');
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl,
          Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
  };
  await Promise.all([consumer(), consumer(), consumer(), consumer()]);
}

// throughput: 10-entry PutEvents, 4 producers and 4 consumers at once
const started = performance.now();
const producing = (async () => {
  const batches = Array.from({ length: EVENTS / 10 }, (_, b) =>
    Array.from({ length: 10 }, (_, i) => entry(b * 10 + i)),
  );
  const producer = async (): Promise<void> => {
    for (let batch = batches.shift(); batch; batch = batches.shift())
      await events.send(new PutEventsCommand({ Entries: batch }));
  };
  await Promise.all([producer(), producer(), producer(), producer()]);
})();
await Promise.all([producing, drain(EVENTS)]);
const seconds = (performance.now() - started) / 1000;

// latency: one event at a time, PutEvents call → body received by a long poll
const latencies: number[] = [];
const receiving = drain(LATENCY_SAMPLES, (body) => {
  const detail = (JSON.parse(body) as { detail: { sentAt: number } }).detail;
  latencies.push(Date.now() - detail.sentAt);
});
for (let i = 0; i < LATENCY_SAMPLES; i++) {
  await events.send(new PutEventsCommand({ Entries: [entry(i)] }));
  await new Promise((resolve) => setTimeout(resolve, 5));
}
await receiving;
latencies.sort((a, b) => a - b);
const percentile = (p: number): number =>
  latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;

console.log(
  `edge: ${EVENTS} events PutEvents → rule → SQS → receive/delete in ${seconds.toFixed(2)} s = ${Math.round(EVENTS / seconds)} events/s`,
);
console.log(
  `edge: PutEvents → ReceiveMessage latency over ${LATENCY_SAMPLES} events: p50 ${percentile(50)} ms, p99 ${percentile(99)} ms`,
);
await edge.stop();
