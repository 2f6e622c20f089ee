import type { SQSClient } from '@aws-sdk/client-sqs';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import type { InvalidEventError } from '../errors';
import { DeadLetterSendError } from '../errors';

/**
 * Message attributes the kit sets on an invalid record it moves to the dead-letter queue.
 *
 * @example message.MessageAttributes?.[REJECTION_ATTRIBUTES.reason]?.StringValue; // 'ContractViolation'
 */
export const REJECTION_ATTRIBUTES = {
  reason: 'outboxed.rejection-reason',
  explanation: 'outboxed.rejection-explanation',
  violations: 'outboxed.violations',
  consumer: 'outboxed.consumer',
  sourceMessageId: 'outboxed.source-message-id',
} as const;

/**
 * Sends an invalid record to the dead-letter queue with its body unchanged (so a redrive after a fix replays it
 * as it came) and the reason in message attributes: the reason code, its explanation (what was expected and what to
 * do) and the violations (paths and schema messages, never values).
 *
 * @example await moveToDeadLetterQueue(sqs, dlqUrl, record, 'email-consumer', error);
 */
export async function moveToDeadLetterQueue(
  sqs: SQSClient,
  queueUrl: string,
  record: SQSRecord,
  consumer: string,
  error: InvalidEventError,
): Promise<void> {
  const text = (value: string) => ({ DataType: 'String', StringValue: value });
  try {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: record.body,
        MessageAttributes: {
          [REJECTION_ATTRIBUTES.reason]: text(error.reason),
          [REJECTION_ATTRIBUTES.explanation]: text(error.message.slice(0, 1024)),
          [REJECTION_ATTRIBUTES.violations]: text(JSON.stringify(error.violations).slice(0, 4096)),
          [REJECTION_ATTRIBUTES.consumer]: text(consumer),
          [REJECTION_ATTRIBUTES.sourceMessageId]: text(record.messageId),
        },
      }),
    );
  } catch (cause) {
    throw new DeadLetterSendError(queueUrl, record.messageId, { cause });
  }
}
