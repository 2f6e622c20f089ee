// Provisional until the relay publishes its environment variable names: the relay function reads these two.
export { OUTBOX_STREAM_FILTER } from '../item/outbox-item';
export const RELAY_ENV = { eventBusName: 'EVENT_BUS_NAME', poisonQueueUrl: 'POISON_QUEUE_URL' } as const;
