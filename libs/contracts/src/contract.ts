import { ContractValidationError } from './errors.ts';
import { compileAt, toViolations } from './validation.ts';
import type { ContractViolation, JsonSchema } from './validation.ts';

/**
 * One version of one event type: its EventBridge source and detail-type, its registry schema (the whole event,
 * JSON Schema draft 4) and validators compiled once from it. Rule patterns, publishers' types and consumers'
 * parsers are derived from this entry.
 *
 * @example
 * const detail = userCreatedV1.parseDetail(JSON.parse(entry.Detail));
 */
export interface EventContract<TDetail = unknown, TEvent = unknown> {
  /** EventBridge `Source`, e.g. `outboxed.users`. */
  readonly source: string;
  /** EventBridge `DetailType`, e.g. `UserCreated`. */
  readonly detailType: string;
  /** Schema version, an integer from 1 (also `detail.metadata.version` of events written with it). */
  readonly version: number;
  /** Registry schema name, `<source>@<DetailType>`. */
  readonly schemaName: string;
  /** The JSON Schema (draft 4) of the whole event, as published to the registry. */
  readonly schema: JsonSchema;
  /** Every violation of the `detail` schema, paths rooted at `detail` (empty when valid). */
  validateDetail(detail: unknown): readonly ContractViolation[];
  /** The typed detail, or a `ContractValidationError` listing every violation. */
  parseDetail(detail: unknown): TDetail;
  /** Every violation of the whole-event schema (empty when valid). */
  validateEvent(event: unknown): readonly ContractViolation[];
  /** The typed event, or a `ContractValidationError` listing every violation. */
  parseEvent(event: unknown): TEvent;
}

/**
 * What `defineContract` needs: the identity of the event and its schema.
 *
 * @example defineContract({ source: 'outboxed.users', detailType: 'UserCreated', version: 1, schema });
 */
export interface ContractDefinition {
  readonly source: string;
  readonly detailType: string;
  readonly version: number;
  readonly schema: JsonSchema;
}

/**
 * Builds an `EventContract` from a schema; validators compile on first use, then are reused.
 *
 * @example const v1 = defineContract<MyDetail, MyEvent>({ source, detailType, version: 1, schema });
 */
export function defineContract<TDetail, TEvent>(
  definition: ContractDefinition,
): EventContract<TDetail, TEvent> {
  const schemaName = `${definition.source}@${definition.detailType}`;
  let detailValidator: ReturnType<typeof compileAt> | undefined;
  let eventValidator: ReturnType<typeof compileAt> | undefined;

  const validateDetail = (detail: unknown): readonly ContractViolation[] => {
    detailValidator ??= compileAt(definition.schema, '#/properties/detail');
    return detailValidator(detail) ? [] : toViolations(detailValidator.errors, 'detail', detail);
  };
  const validateEvent = (event: unknown): readonly ContractViolation[] => {
    eventValidator ??= compileAt(definition.schema, '');
    return eventValidator(event) ? [] : toViolations(eventValidator.errors, '', event);
  };

  return {
    source: definition.source,
    detailType: definition.detailType,
    version: definition.version,
    schemaName,
    schema: definition.schema,
    validateDetail,
    parseDetail(detail: unknown): TDetail {
      const violations = validateDetail(detail);
      if (violations.length > 0)
        throw new ContractValidationError(schemaName, definition.version, violations);
      return detail as TDetail;
    },
    validateEvent,
    parseEvent(event: unknown): TEvent {
      const violations = validateEvent(event);
      if (violations.length > 0)
        throw new ContractValidationError(schemaName, definition.version, violations);
      return event as TEvent;
    },
  };
}
