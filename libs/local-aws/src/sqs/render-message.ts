import { md5OfMessageAttributes, type MessageAttributeValue } from './md5';
import { SYSTEM_ATTRIBUTES, type Input, type Message } from './sqs-model';

/**
 * Renders a received message as ReceiveMessage answers it: the system attributes asked for
 * (`MessageSystemAttributeNames`/`AttributeNames`, `All`), the message attributes asked for (`All`, `.*`, `prefix.*`,
 * names) and the MD5 of those.
 */
export function renderMessage(taken: { message: Message; receiptHandle: string }, input: Input): unknown {
  const { message, receiptHandle } = taken;
  const wanted = new Set([
    ...((input.AttributeNames as string[] | undefined) ?? []),
    ...((input.MessageSystemAttributeNames as string[] | undefined) ?? []),
  ]);
  const system: Record<string, string | undefined> = {
    SenderId: message.senderId,
    SentTimestamp: String(message.sentTimestamp),
    ApproximateReceiveCount: String(message.receiveCount),
    ApproximateFirstReceiveTimestamp: String(message.firstReceiveTimestamp),
    DeadLetterQueueSourceArn: message.deadLetterSourceArn,
    MessageGroupId: message.messageGroupId,
    MessageDeduplicationId: message.deduplicationId,
    SequenceNumber: message.sequenceNumber,
    AWSTraceHeader: message.awsTraceHeader,
  };
  const attributes: Record<string, string> = {};
  for (const name of SYSTEM_ATTRIBUTES) {
    const value = system[name];
    if ((wanted.has('All') || wanted.has(name)) && value !== undefined) attributes[name] = value;
  }
  const names = (input.MessageAttributeNames as string[] | undefined) ?? [];
  const messageAttributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(message.messageAttributes ?? {})) {
    const selected = names.some(
      (n) => n === 'All' || n === '.*' || n === name || (n.endsWith('.*') && name.startsWith(n.slice(0, -1))),
    );
    if (selected) messageAttributes[name] = value;
  }
  const hasAttributes = Object.keys(messageAttributes).length > 0;
  return {
    MessageId: message.messageId,
    ReceiptHandle: receiptHandle,
    MD5OfBody: message.md5OfBody,
    Body: message.body,
    ...(Object.keys(attributes).length > 0 ? { Attributes: attributes } : {}),
    ...(hasAttributes
      ? {
          MessageAttributes: messageAttributes,
          MD5OfMessageAttributes: md5OfMessageAttributes(messageAttributes),
        }
      : {}),
  };
}
