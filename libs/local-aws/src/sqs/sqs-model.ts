import { AwsServiceError } from '../errors';
import type { MessageAttributeValue } from './md5';

/** A stored message. */
export interface Message {
  readonly messageId: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly messageAttributes?: Record<string, MessageAttributeValue>;
  readonly sentTimestamp: number;
  readonly senderId: string;
  /** Where SQS moved it from when it went to this queue as a dead letter. */
  readonly deadLetterSourceArn?: string;
  /** FIFO queues: the message group, deduplication id and sequence number. */
  readonly messageGroupId?: string;
  readonly deduplicationId?: string;
  readonly sequenceNumber?: string;
  /** The X-Ray trace header sent with it (`AWSTraceHeader` system attribute, or an EventBridge rule's `TraceHeader`). */
  readonly awsTraceHeader?: string;
  receiveCount: number;
  firstReceiveTimestamp?: number;
  visibleAt: number;
  inFlight: boolean;
}

/** A queue and its messages. */
export interface Queue {
  readonly name: string;
  readonly arn: string;
  readonly attributes: Record<string, string>;
  readonly tags: Record<string, string>;
  readonly createdTimestamp: number;
  lastModifiedTimestamp: number;
  readonly messages: Map<string, Message>;
  readonly receipts: Map<string, string>;
  readonly waiters: Set<() => void>;
  /** FIFO queues: deduplication ids seen in the last 5 minutes, and the last sequence number. */
  readonly deduplication: Map<
    string,
    { readonly messageId: string; readonly sequenceNumber: string; readonly expiresAt: number }
  >;
  sequence: bigint;
  /** Restored from the data directory and not yet re-declared by a CreateQueue since the restart. */
  restored?: boolean;
}

/** A StartMessageMoveTask record. */
export interface MoveTask {
  readonly TaskHandle: string;
  readonly SourceArn: string;
  readonly DestinationArn?: string;
  readonly MaxNumberOfMessagesPerSecond?: number;
  readonly StartedTimestamp: number;
  Status: 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';
  ApproximateNumberOfMessagesMoved: number;
  ApproximateNumberOfMessagesToMove: number;
  FailureReason?: string;
}

/** A decoded JSON request. */
export type Input = Record<string, unknown>;

export const DEFAULT_ATTRIBUTES: Readonly<Record<string, string>> = {
  DelaySeconds: '0',
  MaximumMessageSize: '262144',
  MessageRetentionPeriod: '345600',
  ReceiveMessageWaitTimeSeconds: '0',
  VisibilityTimeout: '30',
  SqsManagedSseEnabled: 'true',
};
export const SETTABLE = new Set([
  ...Object.keys(DEFAULT_ATTRIBUTES),
  'Policy',
  'RedrivePolicy',
  'RedriveAllowPolicy',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'FifoQueue',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
]);
export const RANGES: Readonly<Record<string, readonly [number, number]>> = {
  DelaySeconds: [0, 900],
  MaximumMessageSize: [1024, 1048576],
  MessageRetentionPeriod: [60, 1209600],
  ReceiveMessageWaitTimeSeconds: [0, 20],
  VisibilityTimeout: [0, 43200],
};
export const SYSTEM_ATTRIBUTES = [
  'SenderId',
  'SentTimestamp',
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'DeadLetterQueueSourceArn',
  'MessageGroupId',
  'MessageDeduplicationId',
  'SequenceNumber',
  'AWSTraceHeader',
] as const;

/** Builds SQS's errors: the JSON protocol's shape plus the legacy query code the SDK reads from a header. */
export function sqsError(code: string, queryCode: string, message: string): AwsServiceError {
  return new AwsServiceError(code, message, 400, queryCode);
}
export const nonExistentQueue = (): AwsServiceError =>
  sqsError(
    'QueueDoesNotExist',
    'AWS.SimpleQueueService.NonExistentQueue',
    'The specified queue does not exist.',
  );
export const invalidParameter = (message: string): AwsServiceError =>
  sqsError('InvalidParameterValue', 'InvalidParameterValue', message);

/** Validates a message as SendMessage does: characters, attribute count and types, total size. */
export function validateMessage(
  queue: Queue,
  body: string,
  attributes?: Record<string, MessageAttributeValue>,
): void {
  if (body.length === 0) throw invalidParameter('The request must contain the parameter MessageBody.');
  // eslint-disable-next-line no-control-regex
  if (/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.test(body)) {
    throw sqsError(
      'InvalidMessageContents',
      'InvalidMessageContents',
      'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
    );
  }
  let size = Buffer.byteLength(body, 'utf8');
  const entries = Object.entries(attributes ?? {});
  if (entries.length > 10)
    throw invalidParameter(
      `Number of message attributes [${entries.length}] exceeds the allowed maximum [10].`,
    );
  for (const [name, value] of entries) {
    const type = value.DataType;
    if (!/^(String|Number|Binary)(\..+)?$/.test(type ?? '')) {
      throw invalidParameter(
        `The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`,
      );
    }
    if (type.startsWith('Number') && !Number.isFinite(Number(value.StringValue))) {
      throw invalidParameter(`Can't cast the value of message (user) attribute '${name}' to a number.`);
    }
    if (value.StringValue === undefined && value.BinaryValue === undefined) {
      throw invalidParameter(
        `Message (user) attribute '${name}' must contain a non-empty value of message attribute type '${type}'.`,
      );
    }
    size +=
      Buffer.byteLength(name) +
      Buffer.byteLength(type) +
      Buffer.byteLength(value.StringValue ?? value.BinaryValue ?? '');
  }
  const max = Number(queue.attributes.MaximumMessageSize);
  if (size > max) {
    throw invalidParameter(
      `One or more parameters are invalid. Reason: Message must be shorter than ${max} bytes.`,
    );
  }
}

/** A required string parameter, else `MissingParameter`. */
export function str(value: unknown, name: string): string {
  if (typeof value !== 'string') {
    throw sqsError('MissingParameter', 'MissingParameter', `The request must contain the parameter ${name}.`);
  }
  return value;
}

/** `{ key: value }` when value is defined, else `{}`. */
export function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

/** A batch entry's failure in SQS's `BatchResultErrorEntry` shape. */
export function batchFailure(id: string, error: unknown): unknown {
  if (error instanceof AwsServiceError) {
    return { Id: id, SenderFault: true, Code: error.queryErrorCode ?? error.code, Message: error.message };
  }
  return { Id: id, SenderFault: false, Code: 'InternalError', Message: (error as Error).message };
}

/** The entries of a batch request, checked as SQS checks them (count, id format, distinct ids). */
export function batchEntries(input: Input): Input[] {
  const entries = (input.Entries as Input[] | undefined) ?? [];
  if (entries.length === 0) {
    throw sqsError(
      'EmptyBatchRequest',
      'AWS.SimpleQueueService.EmptyBatchRequest',
      'There should be at least one SendMessageBatchRequestEntry in the request.',
    );
  }
  if (entries.length > 10) {
    throw sqsError(
      'TooManyEntriesInBatchRequest',
      'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are 10. You have sent ${entries.length}.`,
    );
  }
  const ids = new Set<string>();
  for (const entry of entries) {
    const id = String(entry.Id ?? '');
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(id)) {
      throw sqsError(
        'InvalidBatchEntryId',
        'AWS.SimpleQueueService.InvalidBatchEntryId',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      );
    }
    if (ids.has(id)) {
      throw sqsError(
        'BatchEntryIdsNotDistinct',
        'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
        `Id ${id} repeated.`,
      );
    }
    ids.add(id);
  }
  return entries;
}
