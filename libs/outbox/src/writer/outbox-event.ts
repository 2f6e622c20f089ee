import { InvalidOutboxEventError } from '../errors';

/**
 * One violation of an event contract: where (`detail.data.email`) and what.
 *
 * @example
 * const violation: OutboxContractViolation = { path: 'detail.data.email', message: 'must match format "email"' };
 */
export interface OutboxContractViolation {
  readonly path: string;
  readonly message: string;
}

/**
 * What the writer needs of an event contract: its EventBridge identity, a `detail` validator and, through
 * `parseDetail`'s return type, the type of its `data`. `@outboxed/contracts`' `EventContract` fits as it is, so a
 * contract is defined once (libs/contracts) and the writer never retypes its source, detail-type or version.
 *
 * @example
 * import { userCreated } from '@outboxed/contracts';
 * const contract: OutboxEventContract<UserCreatedData> = userCreated;
 */
export interface OutboxEventContract<TData> {
  /** EventBridge `Source`, e.g. `outboxed.users`. */
  readonly source: string;
  /** EventBridge `DetailType`, e.g. `UserCreated`. */
  readonly detailType: string;
  /** Integer schema version ≥ 1 (the event's `metadata.version`). */
  readonly version: number;
  /** The typed `detail`; the writer reads only its type (what `data` must be), it never calls it. */
  parseDetail(detail: unknown): { readonly data: TData };
  /** Every violation of the `detail` schema (empty when valid): the writer checks each event before sending. */
  validateDetail(detail: unknown): readonly OutboxContractViolation[];
}

/**
 * The `data` type of a contract: what {@link outboxEvent} accepts for it.
 *
 * @example
 * type Data = OutboxEventData<typeof userCreated>; // UserCreatedData
 */
export type OutboxEventData<TContract> = TContract extends OutboxEventContract<infer TData> ? TData : never;

/**
 * Where an event belongs: its aggregate, its position in the aggregate's history and its tracing context.
 *
 * @example
 * const aggregate: OutboxAggregate = { aggregateType: 'User', aggregateId: id, partitionKey: `USER#${id}`, sequence: 1 };
 */
export interface OutboxAggregate {
  /** E.g. `'User'`. */
  readonly aggregateType: string;
  readonly aggregateId: string;
  /** The aggregate's partition key value (e.g. `USER#<userId>`): the outbox item lives there, so the stream keeps the aggregate's order. */
  readonly partitionKey: string;
  /** Integer ≥ 1: the event's position in its aggregate's history. */
  readonly sequence: number;
  /** Carried into `metadata.correlationId`. @default the event id */
  readonly correlationId?: string;
  /** ISO 8601. @default the writer's clock */
  readonly occurredAt?: string;
  /**
   * X-Ray trace header the relay passes on as the PutEvents entry's `TraceHeader`.
   * @default the running Lambda invocation's (`_X_AMZN_TRACE_ID`, read at write time); none outside Lambda
   */
  readonly traceHeader?: string;
}

/**
 * One domain event to record in the outbox, in the same transaction as the state it describes: its contract, its
 * `data` (typed by the contract) and its aggregate. Build it with {@link outboxEvent}.
 *
 * @example
 * const event: OutboxEvent<UserCreatedData> = outboxEvent(userCreated, data, aggregate);
 */
export interface OutboxEvent<TData = unknown> extends OutboxAggregate {
  readonly contract: OutboxEventContract<TData>;
  readonly data: TData;
}

/**
 * Builds an event for {@link OutboxWriter.write}: `data` must be the contract's `data` type, so a payload the
 * contract does not describe is a type error (and the writer still validates it against the schema at run time).
 *
 * @example
 * const event = outboxEvent(userCreated, { userId, email, name, createdAt }, {
 *   aggregateType: 'User', aggregateId: userId, partitionKey: `USER#${userId}`, sequence: 1, correlationId,
 * });
 */
export function outboxEvent<TData>(
  contract: OutboxEventContract<TData>,
  data: NoInfer<TData>,
  aggregate: OutboxAggregate,
): OutboxEvent<TData> {
  return { ...aggregate, contract, data };
}

const STRING_FIELDS = {
  'contract.source': (event: OutboxEvent) => event.contract.source,
  'contract.detailType': (event: OutboxEvent) => event.contract.detailType,
  aggregateType: (event: OutboxEvent) => event.aggregateType,
  aggregateId: (event: OutboxEvent) => event.aggregateId,
  partitionKey: (event: OutboxEvent) => event.partitionKey,
} as const;

const INTEGER_FIELDS = {
  'contract.version': (event: OutboxEvent) => event.contract.version,
  sequence: (event: OutboxEvent) => event.sequence,
} as const;

/**
 * Checks the shape of one event (what types cannot promise at run time); throws {@link InvalidOutboxEventError}
 * naming the field, e.g. `events[0].sequence`.
 */
export function validateEvent(event: OutboxEvent, index: number): void {
  const field = (name: string) => `events[${index}].${name}`;
  for (const [name, read] of Object.entries(STRING_FIELDS)) {
    const value: unknown = read(event);
    if (typeof value !== 'string' || value.length === 0) {
      throw new InvalidOutboxEventError(
        `${field(name)} must be a non-empty string; received ${JSON.stringify(value)}.`,
        field(name),
      );
    }
  }
  for (const [name, read] of Object.entries(INTEGER_FIELDS)) {
    const value = read(event);
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new InvalidOutboxEventError(
        `${field(name)} must be an integer ≥ 1; received ${JSON.stringify(value)}.`,
        field(name),
      );
    }
  }
  if (typeof event.data !== 'object' || event.data === null || Array.isArray(event.data)) {
    throw new InvalidOutboxEventError(
      `${field('data')} must be an object (the event's data).`,
      field('data'),
    );
  }
  if (event.occurredAt !== undefined && Number.isNaN(Date.parse(event.occurredAt))) {
    throw new InvalidOutboxEventError(
      `${field('occurredAt')} must be an ISO 8601 instant; received ${JSON.stringify(event.occurredAt)}.`,
      field('occurredAt'),
    );
  }
}
