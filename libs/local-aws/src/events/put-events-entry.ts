import { randomUUID } from 'node:crypto';

/**
 * A `PutEventsRequestEntry` as it arrives over the JSON protocol (`Time` is epoch seconds).
 *
 * @example const entry: PutEventsRequestEntry = { Source: 'outboxed.users', DetailType: 'UserCreated', Detail: '{}' };
 */
export interface PutEventsRequestEntry {
  readonly Source?: string;
  readonly DetailType?: string;
  readonly Detail?: string;
  readonly Resources?: readonly string[];
  readonly Time?: number | string;
  readonly EventBusName?: string;
  readonly TraceHeader?: string;
}

/**
 * The event EventBridge builds from an entry and hands to rules, archives and targets.
 *
 * @example const detailType = (JSON.parse(message.Body) as EventBridgeEvent)['detail-type'];
 */
export interface EventBridgeEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
  'replay-name'?: string;
}

// PutEvents' limits and entry-size formula have one home, shared with the outbox relay.
export {
  PUT_EVENTS_MAX_ENTRIES,
  PUT_EVENTS_MAX_REQUEST_BYTES,
  putEventsEntrySize,
} from '@outboxed/cdk-common/put-events';

/** Why an entry is rejected: PutEvents' per-entry `ErrorCode` and `ErrorMessage`. */
export interface EntryError {
  readonly ErrorCode: string;
  readonly ErrorMessage: string;
}

/**
 * Validates one entry as PutEvents does, returning the per-entry error or the parsed detail.
 *
 * @example validatePutEventsEntry({ Source: 's', DetailType: 't', Detail: 'nope' }) // { ErrorCode: 'MalformedDetail', … }
 */
export function validatePutEventsEntry(entry: PutEventsRequestEntry): EntryError | { detail: object } {
  const required = (name: 'Source' | 'DetailType' | 'Detail'): EntryError => ({
    ErrorCode: 'InvalidArgument',
    ErrorMessage: `Parameter ${name} is not valid. Reason: ${name} is a required argument.`,
  });
  if (!entry.Source) return required('Source');
  if (!entry.DetailType) return required('DetailType');
  if (entry.Detail === undefined || entry.Detail === null) return required('Detail');
  if (entry.Source.toLowerCase().startsWith('aws.')) {
    return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' };
  }
  let detail: unknown;
  try {
    detail = JSON.parse(entry.Detail);
  } catch {
    return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  }
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
    return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  }
  return { detail };
}

/** Formats a time as EventBridge's `time` field: ISO-8601 to the second (`2015-11-11T21:31:47Z`). */
export function eventTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** Builds the event delivered to rules from a valid entry. */
export function buildEvent(
  entry: PutEventsRequestEntry,
  detail: object,
  account: string,
  region: string,
): EventBridgeEvent {
  const time =
    entry.Time === undefined || entry.Time === null
      ? new Date()
      : new Date(typeof entry.Time === 'number' ? entry.Time * 1000 : entry.Time);
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': entry.DetailType as string,
    source: entry.Source as string,
    account,
    time: eventTime(Number.isNaN(time.getTime()) ? new Date() : time),
    region,
    resources: [...(entry.Resources ?? [])],
    detail,
  };
}
