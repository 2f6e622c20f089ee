/**
 * The event fields an audit record is made of: the envelope's source and type and the event's metadata.
 *
 * @example const event: AuditedEvent = exampleUserCreatedEvent();
 */
export interface AuditedEvent {
  readonly source: string;
  readonly 'detail-type': string;
  readonly detail: {
    readonly metadata: {
      readonly id: string;
      readonly version: number;
      readonly occurredAt: string;
      readonly aggregateId: string;
      readonly sequence: number;
      readonly correlationId: string;
    };
  };
}

/**
 * One item of the audit table. Holds ids and times only: no email, no name.
 *
 * @example const record: AuditRecord = auditRecordOf(event, new Date());
 */
export interface AuditRecord {
  /** Partition key: the aggregate (user) id — "everything that happened to this user". */
  readonly pk: string;
  /** Sort key: `<occurredAt>#<eventId>` — time order within a user, unique per event. */
  readonly sk: string;
  /** Partition key of the `byOccurredOn` index: the UTC day (`YYYY-MM-DD`) — "everything that happened that day". */
  readonly occurredOn: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly eventVersion: number;
  readonly source: string;
  readonly occurredAt: string;
  readonly aggregateId: string;
  readonly sequence: number;
  readonly correlationId: string;
  /** When the audit consumer recorded it (ISO-8601). */
  readonly recordedAt: string;
}

/**
 * Name of the audit table's index by day.
 *
 * @example new QueryCommand({ TableName, IndexName: BY_OCCURRED_ON_INDEX, KeyConditionExpression: 'occurredOn = :day' });
 */
export const BY_OCCURRED_ON_INDEX = 'byOccurredOn';

/**
 * The audit record of an event. Its key is derived from the event alone (`aggregateId`, `occurredAt`, `id`), so the
 * same event always maps to the same item and a conditional put can refuse it a second time.
 *
 * @example auditRecordOf(event, new Date()).sk; // '2026-01-15T09:59:59.123Z#01JHB7N9Q3Z5W8X2C4V6T0R1SM'
 */
export function auditRecordOf(event: AuditedEvent, recordedAt: Date): AuditRecord {
  const { metadata } = event.detail;
  return {
    pk: metadata.aggregateId,
    sk: `${metadata.occurredAt}#${metadata.id}`,
    occurredOn: new Date(metadata.occurredAt).toISOString().slice(0, 10),
    eventId: metadata.id,
    eventType: event['detail-type'],
    eventVersion: metadata.version,
    source: event.source,
    occurredAt: metadata.occurredAt,
    aggregateId: metadata.aggregateId,
    sequence: metadata.sequence,
    correlationId: metadata.correlationId,
    recordedAt: recordedAt.toISOString(),
  };
}
