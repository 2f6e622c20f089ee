import { eventCatalog } from '../catalog.ts';
import type { EventContract } from '../contract.ts';
import type { JsonSchema } from '../validation.ts';
import { compareField, lookUp } from './schema-fields.ts';

/**
 * Any contract, whatever its types (what a subscription or a publication may name).
 *
 * @example const contracts: AnyContract[] = [userCreatedV1, userCreatedV2];
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyContract = EventContract<any, any, any>;

/**
 * One event type a consumer subscribes to, read as one version of it.
 *
 * The consumer receives **every** version of that event type (same source and detail-type): each event is validated
 * against `contract` as a tolerant reader (fields it does not know are ignored) and handed to the handler typed as
 * that version. Versions of one detail-type follow the evolution rule (`CONTRACT_EVOLUTION_RULE`), so a compatible
 * new version reaches the consumer with no change on its side; a breaking change is a new detail-type (a new major).
 *
 * @example { contract: userCreatedV2, reads: ['detail.metadata.id', 'detail.data.email'], readsIfPresent: ['detail.data.locale'] }
 */
export interface ConsumerSubscription<TContract extends AnyContract = AnyContract> {
  /** The version the consumer reads events as (its reader schema). */
  readonly contract: TContract;
  /**
   * Dotted JSON paths from the event root the consumer relies on, e.g. `detail.data.email`: each must be defined
   * with the same type, format and enum, and required, in every version the consumer may receive.
   */
  readonly reads: readonly string[];
  /**
   * Paths the consumer reads where present (optional fields): each must be defined in `contract`'s version and keep
   * its type, format and enum in every version that defines it. @default none
   */
  readonly readsIfPresent?: readonly string[];
}

/**
 * What a consumer relies on, declared in its own app (`apps/<app>/src/contract-expectations.ts`, exporting
 * `expectations`). The contracts `check` target verifies every declaration against the schemas (and against their
 * content at the git merge base), so a producer change that breaks a consumer fails the producer's build; the
 * consumer kit derives the consumer's rule pattern, validation and handler types from it.
 *
 * @example
 * export const expectations = defineExpectations({
 *   consumer: 'email-consumer',
 *   subscriptions: [{ contract: userCreatedV1, reads: ['detail.metadata.id', 'detail.data.email'] }],
 * });
 */
export interface ConsumerExpectations<
  TSubscriptions extends readonly ConsumerSubscription[] = readonly ConsumerSubscription[],
> {
  /** The consumer's name, e.g. `email-consumer` (its app folder). */
  readonly consumer: string;
  readonly subscriptions: TSubscriptions;
}

/**
 * Declares a consumer's expectations, keeping each subscription's contract type, so the handler built from them
 * receives events typed precisely per subscription (no casts).
 *
 * @example
 * export const expectations = defineExpectations({
 *   consumer: 'audit-consumer',
 *   subscriptions: [{ contract: userCreatedV1, reads: ['detail.metadata.id', 'detail.data.userId'] }],
 * });
 */
export function defineExpectations<const TSubscriptions extends readonly ConsumerSubscription[]>(
  expectations: ConsumerExpectations<TSubscriptions>,
): ConsumerExpectations<TSubscriptions> {
  return expectations;
}

/**
 * What a producer publishes, declared in its own app (`apps/<app>/src/contract-publications.ts`, exporting
 * `publications`): one contract per event type it emits, the version it writes. During a breaking change's
 * transition window it lists both majors, and writes both events in the same transaction.
 *
 * @example export const publications = definePublications({ producer: 'users-service', publishes: [userCreated] });
 */
export interface ProducerPublications<TContracts extends readonly AnyContract[] = readonly AnyContract[]> {
  /** The producer's name, e.g. `users-service` (its app folder). */
  readonly producer: string;
  readonly publishes: TContracts;
}

/**
 * Declares what a producer publishes, keeping the contracts' types.
 *
 * @example export const publications = definePublications({ producer: 'users-service', publishes: [userCreated] });
 */
export function definePublications<const TContracts extends readonly AnyContract[]>(
  publications: ProducerPublications<TContracts>,
): ProducerPublications<TContracts> {
  return publications;
}

/**
 * One broken expectation: the consumer, the event and version, the field, what is wrong and the fix.
 *
 * @example { consumer: 'email-consumer', detailType: 'UserCreated', version: 3, field: 'detail.data.email', message: '…', fix: '…' }
 */
export interface ExpectationViolation {
  readonly consumer: string;
  readonly detailType: string;
  readonly version: number;
  readonly field?: string;
  readonly message: string;
  readonly fix: string;
}

/**
 * What the check needs of a contract: its identity and schema (an `EventContract` fits). `label` names a version
 * that is not the current file (e.g. `v2 at the merge base`).
 *
 * @example checkConsumerExpectations(expectations, [{ source, detailType, version: 3, schema }]);
 */
export interface SchemaEntry {
  readonly source: string;
  readonly detailType: string;
  readonly version: number;
  readonly schema: JsonSchema;
  readonly label?: string;
}

/**
 * Checks a consumer's expectations against `catalog` (and `earlier`: the same schemas as they were at the git merge
 * base, whose events may still be in queues and archives): every subscribed event type and reader version exists;
 * every field read is defined by the reader version; and in every version the consumer may receive, each field in
 * `reads` is defined and required, and every field read keeps the reader's type, format and enum.
 *
 * @example expect(checkConsumerExpectations(expectations)).toEqual([]);
 */
export function checkConsumerExpectations(
  expectations: ConsumerExpectations,
  catalog: readonly SchemaEntry[] = eventCatalog,
  earlier: readonly SchemaEntry[] = [],
): ExpectationViolation[] {
  return expectations.subscriptions.flatMap((subscription) =>
    checkSubscription(expectations.consumer, subscription, catalog, earlier),
  );
}

/** What every violation of one subscription shares: the consumer, the event type and the version it reads as. */
type ViolationBase = Pick<ExpectationViolation, 'consumer' | 'detailType' | 'version'>;

/** A field a subscription reads: `relied` when it is in `reads` (must be present), not in `readsIfPresent`. */
interface FieldRead {
  readonly field: string;
  readonly relied: boolean;
}

/** The reader version of a subscription in the catalog, or why there is none. */
function findReader(
  base: ViolationBase,
  source: string,
  versions: readonly SchemaEntry[],
  catalog: readonly SchemaEntry[],
): { readonly reader: SchemaEntry } | { readonly violation: ExpectationViolation } {
  const { detailType, version } = base;
  if (versions.length === 0) {
    const known = [...new Set(catalog.map((c) => `${c.source} ${c.detailType}`))].join(', ');
    return {
      violation: {
        ...base,
        message: `subscribes to ${detailType} from ${source}, which no contract defines (known: ${known}).`,
        fix: 'Subscribe to a published event type, or ask its producer to publish this one first.',
      },
    };
  }
  const reader = versions.find((c) => c.version === version);
  if (reader) return { reader };
  return {
    violation: {
      ...base,
      message: `reads ${detailType} as v${version}, which does not exist (versions: ${versions.map((c) => c.version).join(', ')}).`,
      fix: `Read it as one of the published versions (e.g. v${versions.at(-1)?.version ?? 1}).`,
    },
  };
}

/** A field read as the reader version's `own` schema, against one version that may have written the event. */
function checkFieldInWriter(
  base: ViolationBase,
  { field, relied }: FieldRead,
  own: JsonSchema,
  writer: SchemaEntry,
): ExpectationViolation[] {
  const { detailType, version } = base;
  const label = writer.label ?? `v${writer.version}`;
  const theirs = lookUp(writer.schema, field);
  const at = { ...base, version: writer.version, field };
  if (!theirs) {
    if (!relied) return [];
    return [
      {
        ...at,
        message: `relies on ${field}, which ${detailType} ${label} does not define: its events lack it.`,
        fix: `Keep ${field} in every version of ${detailType} (publish a breaking change as a new major), or move it to readsIfPresent.`,
      },
    ];
  }
  const violations: ExpectationViolation[] = [];
  if (relied && !theirs.required) {
    violations.push({
      ...at,
      message: `relies on ${field}, which is optional in ${detailType} ${label}: its events may lack it.`,
      fix: `Keep ${field} required in ${detailType} ${label}, or move it to readsIfPresent.`,
    });
  }
  for (const difference of compareField(own, theirs.schema)) {
    violations.push({
      ...at,
      message: `reads ${field} as ${difference.reader} (v${version}), but ${detailType} ${label} has ${difference.writer}.`,
      fix: `Keep ${field}'s ${difference.keyword} in ${detailType} ${label} as in v${version} (publish a breaking change as a new major).`,
    });
  }
  return violations;
}

/** One field read: defined (and required when relied on) by the reader version, then in every writer version. */
function checkField(
  base: ViolationBase,
  read: FieldRead,
  reader: SchemaEntry,
  writers: readonly SchemaEntry[],
): ExpectationViolation[] {
  const { detailType, version } = base;
  const { field, relied } = read;
  const own = lookUp(reader.schema, field);
  if (!own) {
    return [
      {
        ...base,
        field,
        message: `reads ${field}, which ${detailType} v${version} (the version it reads as) does not define.`,
        fix: `Fix the path, or read ${detailType} as a version that defines ${field}.`,
      },
    ];
  }
  if (relied && !own.required) {
    return [
      {
        ...base,
        field,
        message: `relies on ${field}, which is optional in ${detailType} v${version}: events may lack it.`,
        fix: `Move ${field} to readsIfPresent and handle its absence.`,
      },
    ];
  }
  return writers.flatMap((writer) => checkFieldInWriter(base, read, own.schema, writer));
}

function checkSubscription(
  consumer: string,
  subscription: ConsumerSubscription,
  catalog: readonly SchemaEntry[],
  earlier: readonly SchemaEntry[],
): ExpectationViolation[] {
  const { source, detailType, version } = subscription.contract;
  const sameType = (c: SchemaEntry) => c.source === source && c.detailType === detailType;
  const versions = catalog.filter(sameType).sort((a, b) => a.version - b.version);
  const base: ViolationBase = { consumer, detailType, version };
  const found = findReader(base, source, versions, catalog);
  if ('violation' in found) return [found.violation];
  const writers = [...versions, ...earlier.filter(sameType)];
  const fields: FieldRead[] = [
    ...subscription.reads.map((field) => ({ field, relied: true })),
    ...(subscription.readsIfPresent ?? []).map((field) => ({ field, relied: false })),
  ];
  return fields.flatMap((read) => checkField(base, read, found.reader, writers));
}
