import { createHash } from 'node:crypto';
import { invalidParameter, sqsError, type Input, type Message, type Queue } from './sqs-model';

/** The deduplication interval of FIFO queues: 5 minutes. */
export const DEDUPLICATION_INTERVAL_MS = 5 * 60 * 1000;

/** The attributes a FIFO queue has unless CreateQueue sets them. */
export const FIFO_DEFAULT_ATTRIBUTES: Readonly<Record<string, string>> = {
  ContentBasedDeduplication: 'false',
  DeduplicationScope: 'queue',
  FifoThroughputLimit: 'perQueue',
};

/** A FIFO send's group and deduplication id. */
export interface FifoSend {
  readonly messageGroupId: string;
  readonly deduplicationId: string;
}

/** True for a FIFO queue. */
export function isFifo(queue: Pick<Queue, 'attributes'>): boolean {
  return queue.attributes.FifoQueue === 'true';
}

/**
 * Checks that a queue name and its `FifoQueue` attribute agree, as CreateQueue does: a FIFO queue's name ends with
 * `.fifo`, and only a FIFO queue's does.
 *
 * @example validateFifoQueue('jobs.fifo', { FifoQueue: 'true' });
 */
export function validateFifoQueue(name: string, attributes: Readonly<Record<string, string>>): void {
  const fifo = attributes.FifoQueue === 'true';
  if (fifo !== name.endsWith('.fifo')) {
    throw invalidParameter(
      fifo
        ? 'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.'
        : `Value ${name} for parameter QueueName is invalid. Reason: Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length.`,
    );
  }
  if (
    !fifo &&
    (attributes.ContentBasedDeduplication !== undefined || attributes.DeduplicationScope !== undefined)
  ) {
    throw sqsError(
      'InvalidAttributeName',
      'InvalidAttributeName',
      'Unknown Attribute ContentBasedDeduplication.',
    );
  }
}

/**
 * Validates the FIFO parameters of a SendMessage (entry) and returns the group and deduplication id, or undefined for
 * a standard queue: a FIFO queue requires `MessageGroupId`, a `MessageDeduplicationId` unless
 * `ContentBasedDeduplication` (then the SHA-256 of the body), and refuses a per-message `DelaySeconds`.
 *
 * @example fifoSend(queue, { MessageGroupId: 'u1', MessageDeduplicationId: 'e1' }, body)
 */
export function fifoSend(queue: Queue, input: Input, body: string): FifoSend | undefined {
  const notForThisQueueType = (parameter: string): never => {
    throw invalidParameter(
      `Value ${String(input[parameter])} for parameter ${parameter} is invalid. Reason: The request include parameter that is not valid for this queue type.`,
    );
  };
  if (!isFifo(queue)) {
    if (input.MessageDeduplicationId !== undefined) notForThisQueueType('MessageDeduplicationId');
    return undefined;
  }
  if (input.DelaySeconds !== undefined) notForThisQueueType('DelaySeconds');
  if (typeof input.MessageGroupId !== 'string' || input.MessageGroupId === '') {
    throw sqsError(
      'MissingParameter',
      'MissingParameter',
      'The request must contain the parameter MessageGroupId.',
    );
  }
  let deduplicationId: string;
  if (typeof input.MessageDeduplicationId === 'string') {
    deduplicationId = input.MessageDeduplicationId;
  } else {
    if (queue.attributes.ContentBasedDeduplication !== 'true') {
      throw invalidParameter(
        'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
      );
    }
    deduplicationId = createHash('sha256').update(body, 'utf8').digest('hex');
  }
  return { messageGroupId: input.MessageGroupId, deduplicationId };
}

/**
 * The messages a receive may take from a FIFO queue, in order: none of a group that has a message in flight, and
 * none after a not-yet-visible message of the same group, so each group is delivered strictly in order.
 *
 * @example for (const message of fifoReceivable(queue, Date.now())) …
 */
export function* fifoReceivable(queue: Queue, now: number): Generator<Message> {
  const blocked = new Set<string>();
  for (const message of queue.messages.values())
    if (message.inFlight && message.visibleAt > now) blocked.add(message.messageGroupId ?? '');
  for (const message of queue.messages.values()) {
    const group = message.messageGroupId ?? '';
    if (blocked.has(group)) continue;
    if (message.visibleAt > now) {
      blocked.add(group);
      continue;
    }
    yield message;
  }
}
