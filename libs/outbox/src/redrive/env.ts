/**
 * Environment variable names of the redrive function (set by `OutboxRelay` with `redrive: true`).
 *
 * @example const tableName = process.env[REDRIVE_ENV.tableName];
 */
export const REDRIVE_ENV = {
  tableName: 'OUTBOX_TABLE_NAME',
  eventBusName: 'EVENT_BUS_NAME',
  onFailureQueueUrl: 'ON_FAILURE_QUEUE_URL',
  poisonQueueUrl: 'POISON_QUEUE_URL',
} as const;
