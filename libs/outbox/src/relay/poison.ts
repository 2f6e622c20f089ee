import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { ContractViolationLike } from './contract-resolver';
import type { PoisonReason } from './map-record';

/**
 * SQS message attribute names on every poison DLQ message (type `String`).
 *
 * @example
 * const reason = message.MessageAttributes?.[POISON_MESSAGE_ATTRIBUTES.reason]?.StringValue;
 */
export const POISON_MESSAGE_ATTRIBUTES = {
  reason: 'reason',
  eventId: 'eventId',
} as const;

/**
 * Default largest poison message body: 256 KiB, SQS's historical maximum (it now accepts 1 MiB). A record
 * too large for it is sent without its `record` (`truncated: true`); its keys still point at the item in
 * the table, which lives until its TTL.
 *
 * @example
 * createRelayHandler({ contracts, poisonMessageMaxBytes: 1024 * 1024 });
 */
export const DEFAULT_POISON_MESSAGE_MAX_BYTES = 256 * 1024;

/**
 * The JSON body of a poison DLQ message: the reason, the pointers needed to find the item again, and the
 * whole stream record.
 *
 * @example
 * const poison = JSON.parse(message.Body) as PoisonMessage;
 * if (poison.reason === 'unknown-event-type') console.log(poison.eventId, poison.keys);
 */
export interface PoisonMessage {
  readonly reason: PoisonReason;
  /** Human-readable explanation (never the payload). */
  readonly message: string;
  readonly violations: readonly ContractViolationLike[];
  /** The outbox item's event id, when readable. */
  readonly eventId?: string;
  /** The table's name, from the stream ARN. */
  readonly tableName?: string;
  /** The item's key attributes (unmarshalled), to re-read it while it lives. */
  readonly keys?: Readonly<Record<string, unknown>>;
  readonly eventSourceARN?: string;
  readonly sequenceNumber?: string;
  /** ISO instant the relay dead-lettered the record. */
  readonly deadLetteredAt: string;
  /** The whole stream record, or `null` when it was too large (`truncated: true`). */
  readonly record: DynamoDBRecord | null;
  readonly truncated: boolean;
}

/**
 * Table name from a DynamoDB stream ARN (`arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>`).
 *
 * @example
 * tableNameFromStreamArn('arn:aws:dynamodb:eu-west-1:1:table/users/stream/2026'); // 'users'
 */
export function tableNameFromStreamArn(arn: string | undefined): string | undefined {
  return arn?.match(/:table\/([^/]+)\/stream\//)?.[1];
}

/**
 * Builds the poison message of a record, dropping the record itself if the body would exceed `maxBytes`.
 *
 * @example
 * const body = buildPoisonMessage(record, { reason: 'unparseable-item', message, violations: [] }, new Date());
 */
export function buildPoisonMessage(
  record: DynamoDBRecord,
  poison: {
    readonly reason: PoisonReason;
    readonly message: string;
    readonly violations: readonly ContractViolationLike[];
    readonly eventId?: string;
  },
  at: Date,
  maxBytes: number = DEFAULT_POISON_MESSAGE_MAX_BYTES,
): PoisonMessage {
  let keys: Record<string, unknown> | undefined;
  try {
    const rawKeys = record.dynamodb?.Keys;
    keys = rawKeys ? unmarshall(rawKeys as Record<string, AttributeValue>) : undefined;
  } catch {
    keys = undefined;
  }
  const tableName = tableNameFromStreamArn(record.eventSourceARN);
  const message: PoisonMessage = {
    reason: poison.reason,
    message: poison.message,
    violations: poison.violations,
    ...(poison.eventId ? { eventId: poison.eventId } : {}),
    ...(tableName ? { tableName } : {}),
    ...(keys ? { keys } : {}),
    ...(record.eventSourceARN ? { eventSourceARN: record.eventSourceARN } : {}),
    ...(record.dynamodb?.SequenceNumber ? { sequenceNumber: record.dynamodb.SequenceNumber } : {}),
    deadLetteredAt: at.toISOString(),
    record,
    truncated: false,
  };
  if (Buffer.byteLength(JSON.stringify(message), 'utf8') <= maxBytes) return message;
  return { ...message, record: null, truncated: true };
}

/**
 * Sends a poison message to the poison DLQ with its reason and event id as message attributes.
 * Throws when SQS does not take it: the caller must then treat the record as not processed (retryable).
 *
 * @example
 * await sendPoisonMessage(sqs, queueUrl, buildPoisonMessage(record, poison, new Date()));
 */
export async function sendPoisonMessage(
  sqs: Pick<SQSClient, 'send'>,
  queueUrl: string,
  message: PoisonMessage,
): Promise<void> {
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: JSON.stringify(message),
      MessageAttributes: {
        [POISON_MESSAGE_ATTRIBUTES.reason]: { DataType: 'String', StringValue: message.reason },
        ...(message.eventId
          ? { [POISON_MESSAGE_ATTRIBUTES.eventId]: { DataType: 'String', StringValue: message.eventId } }
          : {}),
      },
    }),
  );
}
