// `@outboxed/outbox/testing`: what tests of other projects read about the outbox item (its stream filter, its
// default TTL, its parser), its size, and the event detail the relay publishes for it (`toEventDetail`). Tests,
// benches and fixtures only; production code uses the main entry.
export { OUTBOX_STREAM_FILTER, DEFAULT_OUTBOX_TTL_SECONDS, parseOutboxItem } from '../item/outbox-item';
export { dynamoItemSize } from '../writer/item-size';
export { toEventDetail } from '../relay/map-record';
