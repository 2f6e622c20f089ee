import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';

/** Options of {@link receiveAll}. */
export interface ReceiveAllOptions {
  /**
   * Seconds a received message stays hidden from other consumers (e.g. a second redrive run) while this run
   * handles it; a crashed run's messages come back after it. @default 900 (longer than the redrive function's timeout)
   */
  readonly visibilityTimeoutSeconds?: number;
  /** Long-poll wait of each receive (long polling asks every SQS server, so an empty answer means empty). @default 1 */
  readonly waitTimeSeconds?: number;
  /** Most messages one run takes. @default 1000 */
  readonly maxMessages?: number;
}

/**
 * Receives every message a queue holds (10 at a time, until a receive comes back empty or `maxMessages` is
 * reached). The messages stay hidden for `visibilityTimeoutSeconds`: delete those handled with
 * {@link deleteMessage}, give the rest back at once with {@link releaseMessage}.
 *
 * @example
 * const messages = await receiveAll(sqs, queueUrl);
 */
export async function receiveAll(
  sqs: Pick<SQSClient, 'send'>,
  queueUrl: string,
  options: ReceiveAllOptions = {},
): Promise<Message[]> {
  const maxMessages = options.maxMessages ?? 1000;
  const messages: Message[] = [];
  while (messages.length < maxMessages) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, maxMessages - messages.length),
        VisibilityTimeout: options.visibilityTimeoutSeconds ?? 900,
        WaitTimeSeconds: options.waitTimeSeconds ?? 1,
      }),
    );
    if (!Messages || Messages.length === 0) break;
    messages.push(...Messages);
  }
  return messages;
}

/**
 * Deletes a handled message.
 *
 * @example await deleteMessage(sqs, queueUrl, message);
 */
export async function deleteMessage(
  sqs: Pick<SQSClient, 'send'>,
  queueUrl: string,
  message: Message,
): Promise<void> {
  await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
}

/**
 * Makes a message this run keeps visible again at once (visibility timeout 0), so the next run, or a dry run
 * followed by a real one, sees it without waiting.
 *
 * @example await releaseMessage(sqs, queueUrl, message);
 */
export async function releaseMessage(
  sqs: Pick<SQSClient, 'send'>,
  queueUrl: string,
  message: Message,
): Promise<void> {
  await sqs.send(
    new ChangeMessageVisibilityCommand({
      QueueUrl: queueUrl,
      ReceiptHandle: message.ReceiptHandle,
      VisibilityTimeout: 0,
    }),
  );
}
