/**
 * Environment variables of the audit consumer's function, in one place (the kit's own are `CONSUMER_ENV` of
 * `@outboxed/consumer-kit`).
 *
 * @example process.env[AUDIT_ENV.auditTableName];
 */
export const AUDIT_ENV = {
  /** The audit table (pk `pk` = aggregate id, sk `sk` = `<occurredAt>#<eventId>`, GSI `byOccurredOn`). */
  auditTableName: 'AUDIT_TABLE_NAME',
} as const;
