// EventBridge's PutEvents limits, in one home: the relay packs its requests by them and the local edge enforces them.
// No aws-cdk-lib here: Lambda bundles import this entry (`@outboxed/cdk-common/put-events`).

/**
 * The per-request limit of PutEvents, in bytes of {@link putEventsEntrySize}: 256 KB.
 *
 * @example if (entries.reduce((n, e) => n + putEventsEntrySize(e), 0) > PUT_EVENTS_MAX_REQUEST_BYTES) split(entries);
 */
export const PUT_EVENTS_MAX_REQUEST_BYTES = 256 * 1024;

/**
 * The per-request entry limit of PutEvents.
 *
 * @example const requests = Math.ceil(entries.length / PUT_EVENTS_MAX_ENTRIES);
 */
export const PUT_EVENTS_MAX_ENTRIES = 10;

/**
 * The fields of a PutEvents entry that count toward its size: the SDK's `PutEventsRequestEntry` (`Time` a Date) and
 * the JSON protocol's (`Time` epoch seconds) both fit.
 *
 * @example const entry: SizedEntry = { Source: 'outboxed.users', DetailType: 'UserCreated', Detail: '{}' };
 */
export interface SizedEntry {
  readonly Time?: unknown;
  readonly Source?: string | undefined;
  readonly DetailType?: string | undefined;
  readonly Detail?: string | undefined;
  readonly Resources?: readonly (string | undefined)[] | undefined;
}

/**
 * An entry's size as AWS's "Calculating PutEvents event entry size" page defines it: 14 bytes for `Time` if given,
 * plus the UTF-8 bytes of `Source`, `DetailType`, `Detail` and each of `Resources`. `EventBusName` and
 * `TraceHeader` do not count.
 *
 * @example putEventsEntrySize({ Source: 'a', DetailType: 'b', Detail: '{}', Time: new Date() }); // 14 + 1 + 1 + 2 = 18
 */
export function putEventsEntrySize(entry: SizedEntry): number {
  let size = entry.Time !== undefined && entry.Time !== null ? 14 : 0;
  size += Buffer.byteLength(entry.Source ?? '', 'utf8');
  size += Buffer.byteLength(entry.DetailType ?? '', 'utf8');
  if (entry.Detail !== undefined) size += Buffer.byteLength(entry.Detail, 'utf8');
  for (const resource of entry.Resources ?? []) if (resource) size += Buffer.byteLength(resource, 'utf8');
  return size;
}
