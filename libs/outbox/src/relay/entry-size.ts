import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';

/**
 * Most entries one `PutEvents` request may hold (EventBridge quota).
 *
 * @example
 * const requests = Math.ceil(entries.length / MAX_PUT_EVENTS_ENTRIES);
 */
export const MAX_PUT_EVENTS_ENTRIES = 10;

/**
 * Default largest total entry size of one `PutEvents` request: 256 KB (262,144 bytes). Configurable in the
 * relay because AWS has announced larger payloads.
 *
 * @example
 * createRelayHandler({ contracts, maxRequestBytes: DEFAULT_MAX_REQUEST_BYTES * 4 });
 */
export const DEFAULT_MAX_REQUEST_BYTES = 256 * 1024;

const utf8Length = (value: string): number => Buffer.byteLength(value, 'utf8');

/**
 * Size of a `PutEventsRequestEntry` as EventBridge counts it ("Calculating Amazon EventBridge PutEvents event
 * entry size"): 14 bytes for `Time` if given, plus the UTF-8 bytes of `Source`, `DetailType`, `Detail` (if
 * given) and of each `Resources` entry (if given). `EventBusName` and `TraceHeader` do not count.
 *
 * @example
 * putEventsEntrySize({ Source: 'a', DetailType: 'b', Detail: '{}', Time: new Date() }); // 14 + 1 + 1 + 2 = 18
 */
export function putEventsEntrySize(entry: PutEventsRequestEntry): number {
  let size = entry.Time === undefined ? 0 : 14;
  size += utf8Length(entry.Source ?? '');
  size += utf8Length(entry.DetailType ?? '');
  if (entry.Detail !== undefined) size += utf8Length(entry.Detail);
  for (const resource of entry.Resources ?? []) size += utf8Length(resource);
  return size;
}
