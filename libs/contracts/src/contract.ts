import { ContractValidationError } from './errors.ts';
import { tolerantView } from './codegen/views.ts';
import { compileAt, toViolations } from './validation.ts';
import type { ContractViolation, JsonSchema } from './validation.ts';

/**
 * An EventBridge event as a rule delivers it (an SQS message body, a Lambda event), `detail` typed by a contract.
 *
 * @example const event: ReaderEvent<ReaderDetailOf<typeof userCreatedV1>> = userCreatedV1.parseAsReader(JSON.parse(body));
 */
export interface ReaderEvent<TDetail> {
  readonly version: string;
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: TDetail;
}

/**
 * One version of one event type: its EventBridge source and detail-type, its registry schema (the whole event,
 * JSON Schema draft 4) and validators compiled once from it. Rule patterns, publishers' types and consumers'
 * parsers are derived from this entry.
 *
 * @example
 * const detail = userCreatedV1.parseDetail(JSON.parse(entry.Detail));
 */
export interface EventContract<TDetail = unknown, TEvent = unknown, TReaderDetail = TDetail> {
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
  /**
   * Every violation of the event read by a consumer of this version as a tolerant reader: the schema with every
   * closed content model opened, so fields a later compatible version added are ignored, while every field this
   * version defines keeps its type, format, enum and required-ness. Events of any version of the same event type
   * pass when the versions follow the evolution rule (`CONTRACT_EVOLUTION_RULE`).
   */
  validateAsReader(event: unknown): readonly ContractViolation[];
  /** The event typed as this version's consumer view, or a `ContractValidationError` listing every violation. */
  parseAsReader(event: unknown): ReaderEvent<TReaderDetail>;
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
export function defineContract<TDetail, TEvent, TReaderDetail = TDetail>(
  definition: ContractDefinition,
): EventContract<TDetail, TEvent, TReaderDetail> {
  const schemaName = `${definition.source}@${definition.detailType}`;
  let detailValidator: ReturnType<typeof compileAt> | undefined;
  let eventValidator: ReturnType<typeof compileAt> | undefined;
  let readerValidator: ReturnType<typeof compileAt> | undefined;

  const validateDetail = (detail: unknown): readonly ContractViolation[] => {
    detailValidator ??= compileAt(definition.schema, '#/properties/detail');
    return detailValidator(detail) ? [] : toViolations(detailValidator.errors, 'detail', detail);
  };
  const validateEvent = (event: unknown): readonly ContractViolation[] => {
    eventValidator ??= compileAt(definition.schema, '');
    return eventValidator(event) ? [] : toViolations(eventValidator.errors, '', event);
  };
  const validateAsReader = (event: unknown): readonly ContractViolation[] => {
    readerValidator ??= compileAt(readerSchema(definition.schema), '');
    return readerValidator(event) ? [] : toViolations(readerValidator.errors, '', event);
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
    validateAsReader,
    parseAsReader(event: unknown): ReaderEvent<TReaderDetail> {
      const violations = validateAsReader(event);
      if (violations.length > 0)
        throw new ContractValidationError(schemaName, definition.version, violations);
      return event as ReaderEvent<TReaderDetail>;
    },
  };
}

/** The reader's schema: the tolerant view under its own `id`, so ajv keeps it apart from the published one. */
function readerSchema(schema: JsonSchema): JsonSchema {
  const view = tolerantView(schema);
  return typeof view['id'] === 'string' ? { ...view, id: `${view['id']}:reader` } : view;
}

/**
 * The consumer (tolerant reader) view of a contract's `detail`.
 *
 * @example type Detail = ReaderDetailOf<typeof userCreatedV1>; // v1's detail, unknown fields allowed
 */
export type ReaderDetailOf<TContract> =
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  TContract extends EventContract<any, any, infer TReaderDetail> ? TReaderDetail : never;
