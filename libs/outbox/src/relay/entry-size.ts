// PutEvents' limits and entry-size formula live in @outboxed/cdk-common/put-events (the local edge enforces the same).
// The relay's request byte limit is configurable (AWS has announced larger payloads); this is its default.
export {
  putEventsEntrySize,
  PUT_EVENTS_MAX_ENTRIES as MAX_PUT_EVENTS_ENTRIES,
  PUT_EVENTS_MAX_REQUEST_BYTES as DEFAULT_MAX_REQUEST_BYTES,
} from '@outboxed/cdk-common/put-events';
