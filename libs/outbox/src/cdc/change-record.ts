import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { OutboxError } from '../errors';

/**
 * The `userIdentity` DynamoDB puts on the REMOVE records of items its Time to Live deleted
 * (`{ type: 'Service', principalId: 'dynamodb.amazonaws.com' }`); a user's DeleteItem has none.
 *
 * @example
 * const expired = record.userIdentity?.principalId === TTL_PRINCIPAL_ID;
 */
export const TTL_PRINCIPAL_ID = 'dynamodb.amazonaws.com';

/** What every change record carries, whatever its kind. */
interface ChangeRecordBase {
  /** The item's primary key, unmarshalled, e.g. `{ pk: 'USER#01J…', sk: 'PROFILE' }`. */
  readonly keys: Readonly<Record<string, unknown>>;
  /** The record's position in its shard (what `batchItemFailures` reports). */
  readonly sequenceNumber: string;
  /** When DynamoDB wrote the record (second precision). */
  readonly approximateCreationDateTime?: Date;
  /** The stream record's own id (`eventID`), unique per record. */
  readonly streamEventId: string;
}

/**
 * One change of an entity item, with typed, unmarshalled images: what a change-data-capture mapper receives.
 * `oldImage` needs a stream view type that keeps it (`NEW_AND_OLD_IMAGES` or `OLD_IMAGE`).
 *
 * @example
 * const map = (change: ChangeRecord<User>) =>
 *   change.eventName === 'MODIFY' && change.oldImage?.email !== change.newImage.email
 *     ? { source: 'outboxed.users', detailType: 'UserEmailChanged', detail: { userId: change.newImage.userId } }
 *     : undefined;
 */
export type ChangeRecord<TItem> =
  | (ChangeRecordBase & {
      readonly eventName: 'INSERT';
      readonly newImage: TItem;
      readonly oldImage?: undefined;
    })
  | (ChangeRecordBase & { readonly eventName: 'MODIFY'; readonly newImage: TItem; readonly oldImage?: TItem })
  | (ChangeRecordBase & {
      readonly eventName: 'REMOVE';
      readonly oldImage?: TItem;
      readonly newImage?: undefined;
      /** `true` when DynamoDB's TTL deleted the item, `false` for a DeleteItem by a user or application. */
      readonly expiredByTtl: boolean;
    });

/**
 * A stream record that cannot be read as a change record (no keys, no sequence number, an unknown event name, an
 * image the `parseImage` function rejects).
 *
 * @example
 * if (error instanceof ChangeRecordError) console.log(error.sequenceNumber);
 */
export class ChangeRecordError extends OutboxError {
  constructor(
    message: string,
    /** The record's sequence number, when it has one. */
    readonly sequenceNumber: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Reads a Lambda DynamoDB stream record as a {@link ChangeRecord}: unmarshalls the keys and images and passes each
 * image through `parseImage` (e.g. a zod schema's `parse`) so the mapper gets typed values.
 *
 * @throws ChangeRecordError when the record is not a readable change.
 * @example
 * const change = toChangeRecord<User>(record, (image) => userSchema.parse(image));
 */
export function toChangeRecord<TItem>(
  record: DynamoDBRecord,
  parseImage: (image: Record<string, unknown>) => TItem = (image) => image as TItem,
): ChangeRecord<TItem> {
  const stream = record.dynamodb;
  const sequenceNumber = stream?.SequenceNumber;
  if (!stream?.Keys || !sequenceNumber) {
    throw new ChangeRecordError(
      `A stream record needs dynamodb.Keys and dynamodb.SequenceNumber; received ${stream?.Keys ? 'no SequenceNumber' : 'no Keys'}.`,
      sequenceNumber,
    );
  }
  const image = (name: 'NewImage' | 'OldImage'): TItem | undefined => {
    const raw = stream[name];
    if (!raw) return undefined;
    try {
      return parseImage(unmarshall(raw as Record<string, AttributeValue>));
    } catch (error) {
      throw new ChangeRecordError(
        `The ${name} of record ${sequenceNumber} does not parse: ${(error as Error).message}`,
        sequenceNumber,
        { cause: error },
      );
    }
  };
  const base: ChangeRecordBase = {
    keys: unmarshall(stream.Keys as Record<string, AttributeValue>),
    sequenceNumber,
    streamEventId: record.eventID ?? sequenceNumber,
    ...(stream.ApproximateCreationDateTime === undefined
      ? {}
      : { approximateCreationDateTime: new Date(stream.ApproximateCreationDateTime * 1000) }),
  };
  const oldImage = image('OldImage');
  switch (record.eventName) {
    case 'INSERT':
    case 'MODIFY': {
      const newImage = image('NewImage');
      if (newImage === undefined) {
        throw new ChangeRecordError(
          `An ${record.eventName} record needs a NewImage; record ${sequenceNumber} has none. Give the table's stream the view type NEW_IMAGE or NEW_AND_OLD_IMAGES.`,
          sequenceNumber,
        );
      }
      return record.eventName === 'INSERT'
        ? { ...base, eventName: 'INSERT', newImage }
        : { ...base, eventName: 'MODIFY', newImage, ...(oldImage === undefined ? {} : { oldImage }) };
    }
    case 'REMOVE':
      return {
        ...base,
        eventName: 'REMOVE',
        expiredByTtl:
          record.userIdentity?.type === 'Service' && record.userIdentity?.principalId === TTL_PRINCIPAL_ID,
        ...(oldImage === undefined ? {} : { oldImage }),
      };
    default:
      throw new ChangeRecordError(
        `eventName must be INSERT, MODIFY or REMOVE; record ${sequenceNumber} has ${JSON.stringify(record.eventName)}.`,
        sequenceNumber,
      );
  }
}
