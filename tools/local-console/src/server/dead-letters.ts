import {
  ChangeMessageVisibilityBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { parseOnFailureRecord } from '@outboxed/outbox';
import { NotFoundError } from '../errors';
import type { DeadLetter, DeadLetterQueue } from '../model';
import type { Topology } from './topology';

/** What the dead-letter view needs of the runtime. */
export interface DeadLetterDeps {
  readonly sqs: SQSClient;
  /** Invokes a function as `aws lambda invoke` does (the runtime's `functions.invoke`). */
  readonly invoke: (functionName: string, payload: unknown) => Promise<unknown>;
  /** The reason SQS logged when it moved a message to a DLQ (`received 5 times, maxReceiveCount is 5`). */
  readonly movedReason: (messageId: string) => string | undefined;
}

/** Most messages listed per queue (the console lists, it does not drain). */
const MAX_LISTED = 100;

/**
 * Every dead-letter queue of the topology (consumer DLQs, rules' DLQs, the relay's poison and on-failure queues)
 * with up to 100 messages each: ids and reason only. Messages are received with a visibility timeout and released at
 * once (as the AWS console's "poll for messages" does): their receive count grows, nothing is deleted.
 *
 * @example const queues = await listDeadLetters(topology, deps);
 */
export async function listDeadLetters(topology: Topology, deps: DeadLetterDeps): Promise<DeadLetterQueue[]> {
  const queues: DeadLetterQueue[] = [];
  for (const node of topology.nodes.filter((n) => n.kind === 'dlq')) {
    const relay = topology.relayQueues.get(node.ref);
    // a consumer's DLQ may take its rule's failed deliveries too: it is redriven to the queue that feeds it
    const kind: DeadLetterQueue['kind'] =
      relay?.kind ?? (sourceQueues(topology, node.id).length > 0 ? 'consumer-dlq' : 'rule-dlq');
    const messages = await peek(deps.sqs, node.ref);
    queues.push({
      arn: node.arn ?? '',
      url: node.ref,
      name: node.label,
      stack: node.stack,
      kind,
      redrive: relay ? 'redrive-function' : kind === 'consumer-dlq' ? 'message-move' : 'none',
      messages: messages.map((m) => describeMessage(m, kind, deps.movedReason)),
    });
  }
  return queues;
}

/**
 * The body of one dead letter (what the console shows when a message is opened): the event it holds.
 *
 * @example await deadLetterBody(sqs, queueUrl, messageId);
 */
export async function deadLetterBody(sqs: SQSClient, queueUrl: string, messageId: string): Promise<unknown> {
  const message = (await peek(sqs, queueUrl)).find((m) => m.MessageId === messageId);
  if (!message) throw new NotFoundError('message in that queue', messageId);
  try {
    return { body: JSON.parse(message.Body ?? 'null') as unknown, attributes: attributesOf(message) };
  } catch {
    return { body: message.Body, attributes: attributesOf(message) };
  }
}

/**
 * Redrives a dead-letter queue with the code paths its runbook names: a consumer DLQ with SQS's
 * `StartMessageMoveTask` back to its source queue (`aws sqs start-message-move-task --source-arn <DLQ ARN>`), the
 * relay's poison and on-failure queues by invoking the relay's redrive function (`aws lambda invoke`, which runs the
 * same `redrive` as the redrive CLI). Messages keep their bodies, so events keep their ids.
 *
 * @example await redriveDeadLetters(topology, deps, dlq.url);
 */
export async function redriveDeadLetters(
  topology: Topology,
  deps: DeadLetterDeps,
  queueUrl: string,
  eventId?: string,
): Promise<{ readonly how: string; readonly result: unknown }> {
  const node = topology.nodes.find((n) => n.kind === 'dlq' && n.ref === queueUrl);
  if (!node) throw new NotFoundError('dead-letter queue', queueUrl);
  const relay = topology.relayQueues.get(queueUrl);
  if (relay) {
    const result = await deps.invoke(relay.redriveFunction, eventId ? { eventId } : {});
    return { how: `invoked the redrive function ${relay.redriveFunction}`, result };
  }
  if (sourceQueues(topology, node.id).length === 0)
    throw new NotFoundError(
      'queue redriving into this dead-letter queue (it is a rule DLQ: replay its events instead)',
      queueUrl,
    );
  const out = await deps.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: node.arn ?? '' }));
  return { how: 'StartMessageMoveTask to the source queue', result: { taskHandle: out.TaskHandle } };
}

/** The queues whose redrive policy names the DLQ `nodeId`. */
function sourceQueues(topology: Topology, nodeId: string): string[] {
  const queues = new Set(topology.nodes.filter((n) => n.kind === 'queue').map((n) => n.id));
  return topology.edges
    .filter((e) => e.to === nodeId && e.label === 'dead letter' && queues.has(e.from))
    .map((e) => e.from);
}

async function peek(sqs: SQSClient, queueUrl: string): Promise<Message[]> {
  const depth = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  if (Number(depth.Attributes?.ApproximateNumberOfMessages ?? 0) === 0) return [];
  const messages: Message[] = [];
  try {
    while (messages.length < MAX_LISTED) {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 30,
          WaitTimeSeconds: 0,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
        }),
      );
      if (!out.Messages?.length) break;
      messages.push(...out.Messages);
    }
  } finally {
    for (let i = 0; i < messages.length; i += 10) {
      const batch = messages.slice(i, i + 10);
      await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((m, j) => ({
            Id: String(j),
            ReceiptHandle: m.ReceiptHandle,
            VisibilityTimeout: 0,
          })),
        }),
      );
    }
  }
  return messages;
}

function attributesOf(message: Message): Record<string, string> {
  return Object.fromEntries(
    Object.entries(message.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? '']),
  );
}

function describeMessage(
  message: Message,
  kind: DeadLetterQueue['kind'],
  movedReason: (messageId: string) => string | undefined,
): DeadLetter {
  const messageId = message.MessageId ?? '';
  const attributes = attributesOf(message);
  let body: unknown;
  try {
    body = JSON.parse(message.Body ?? 'null');
  } catch {
    body = undefined;
  }
  const b = (body ?? {}) as Record<string, unknown>;
  let eventId: string | undefined;
  let reason: string;
  if (kind === 'relay-poison') {
    eventId = typeof b.eventId === 'string' ? b.eventId : attributes.eventId;
    reason = `${String(b.reason ?? attributes.reason ?? 'poison')}: ${String(b.message ?? '')}`;
  } else if (kind === 'relay-on-failure') {
    const record = parseOnFailureRecord(message.Body);
    reason = record
      ? `stream batch of ${record.DDBStreamBatchInfo.batchSize} record(s) failed (${record.requestContext?.condition ?? 'retries exhausted'}), sequence ${record.DDBStreamBatchInfo.startSequenceNumber}–${record.DDBStreamBatchInfo.endSequenceNumber}`
      : 'unreadable on-failure record';
  } else {
    const metadata = (b.detail as { metadata?: { id?: unknown } } | undefined)?.metadata;
    eventId = typeof metadata?.id === 'string' ? metadata.id : undefined;
    const rejection = attributes['outboxed.rejection-reason'];
    reason = rejection
      ? `rejected by ${attributes['outboxed.consumer'] ?? 'the consumer'}: ${rejection}`
      : (movedReason(messageId) ?? 'moved after maxReceiveCount receives (the consumer kept failing)');
  }
  const sent = message.Attributes?.SentTimestamp;
  return {
    messageId,
    ...(eventId ? { eventId } : {}),
    reason,
    ...(sent ? { sentAt: new Date(Number(sent)).toISOString() } : {}),
    receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 0),
  };
}
