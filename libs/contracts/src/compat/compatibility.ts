import { tolerantView } from '../codegen/views.ts';
import type { JsonSchema } from '../validation.ts';
import { DIFFERENCE_MEANINGS } from './differences.ts';
import type { DifferenceType } from './differences.ts';
import { incompatibleDifferences } from './schema-diff.ts';

/**
 * Confluent Schema Registry's compatibility modes. BACKWARD: readers on the new schema read data written with the
 * previous one; FORWARD: readers on the previous schema read data written with the new one; FULL: both.
 * `_TRANSITIVE`: against every earlier version, not only the previous one.
 *
 * @example const mode: CompatibilityMode = 'BACKWARD_TRANSITIVE';
 */
export type CompatibilityMode =
  'BACKWARD' | 'BACKWARD_TRANSITIVE' | 'FORWARD' | 'FORWARD_TRANSITIVE' | 'FULL' | 'FULL_TRANSITIVE' | 'NONE';

/**
 * Every mode, for option parsing.
 *
 * @example COMPATIBILITY_MODES.includes(mode);
 */
export const COMPATIBILITY_MODES: readonly CompatibilityMode[] = [
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
  'NONE',
];

/**
 * The default mode of `contracts:compat`, with tolerant readers (`READERS_DEFAULT`): together, the evolution rule
 * of this workspace (`CONTRACT_EVOLUTION_RULE`). FULL because consumers read events of versions both later than
 * theirs (a producer shipped a compatible version) and earlier (archive replays, DLQ redrives, queue backlogs);
 * TRANSITIVE because a consumer may read as any earlier version, not only the previous one.
 *
 * @example checkCompatibility(next, history, DEFAULT_COMPATIBILITY_MODE);
 */
export const DEFAULT_COMPATIBILITY_MODE: CompatibilityMode = 'FULL_TRANSITIVE';

/**
 * How readers read in a compatibility comparison: `tolerant` readers (this workspace's consumers, through the
 * consumer kit) ignore fields their version does not define, so the reader's schema is compared with every closed
 * content model opened, while the writer's stays as published (the producer never sends an undeclared field);
 * `as-published` compares both schemas as they are (Confluent's plain rule).
 *
 * @example checkCompatibility(next, history, 'FULL_TRANSITIVE', { readers: 'as-published' });
 */
export type ReaderModel = 'tolerant' | 'as-published';

/**
 * The default reader model: the consumer kit reads every event as a tolerant reader.
 *
 * @example checkCompatibility(next, history, DEFAULT_COMPATIBILITY_MODE, { readers: READERS_DEFAULT });
 */
export const READERS_DEFAULT: ReaderModel = 'tolerant';

/**
 * The rule every new version of a detail-type follows, enforced by `contracts:compat` (FULL_TRANSITIVE, tolerant
 * readers) and relied on by the consumer kit: **every version of a detail-type can be read by a consumer of every
 * other version of it**. So a new version may add optional fields (and nothing else that a reader of another version
 * would notice); a consumer receives it with no change on its side. Anything else (removing or renaming a field,
 * making a field required or optional, changing a type, format or enum) is a breaking change: publish it as a new
 * major, the detail-type `<Name>V<N>`, beside the old one until no consumer reads the old one.
 *
 * @example console.log(CONTRACT_EVOLUTION_RULE);
 */
export const CONTRACT_EVOLUTION_RULE =
  'Every version of a detail-type can be read by a consumer of every other version of it (FULL_TRANSITIVE, tolerant readers): a new version may only add optional fields. A breaking change is a new major, the detail-type <Name>V<N>, published beside the old one until no consumer reads it.';

/**
 * A labelled schema version.
 *
 * @example const v1: VersionedSchema = { label: 'v1', schema: userCreatedV1.schema };
 */
export interface VersionedSchema {
  readonly label: string;
  readonly schema: JsonSchema;
}

/**
 * One way the new schema breaks the mode: the field, the change (Confluent's difference type), and the rule.
 *
 * @example { rule: 'BACKWARD', against: 'v1', field: 'detail.data.email', change: 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL', message }
 */
export interface CompatibilityViolation {
  readonly rule: 'BACKWARD' | 'FORWARD';
  readonly against: string;
  readonly field: string;
  readonly change: DifferenceType;
  readonly schemaPath: string;
  readonly message: string;
}

/**
 * Checks `candidate` against `history` (oldest first) under `mode`, Confluent's way (readers tolerant unless
 * `options.readers` is `as-published`): BACKWARD compares each
 * earlier version (writer) with the candidate (reader), FORWARD the candidate (writer) with each earlier version
 * (reader); non-transitive modes look only at the last earlier version.
 *
 * @example const violations = checkCompatibility({ label: 'v3', schema }, [v1, v2], 'BACKWARD_TRANSITIVE');
 */
export function checkCompatibility(
  candidate: VersionedSchema,
  history: readonly VersionedSchema[],
  mode: CompatibilityMode = DEFAULT_COMPATIBILITY_MODE,
  options: { readonly readers?: ReaderModel } = {},
): CompatibilityViolation[] {
  const readerView = (schema: JsonSchema) =>
    (options.readers ?? READERS_DEFAULT) === 'tolerant' ? tolerantView(schema) : schema;
  if (mode === 'NONE' || history.length === 0) return [];
  const against = mode.endsWith('_TRANSITIVE') ? history : history.slice(-1);
  const directions: ('BACKWARD' | 'FORWARD')[] = mode.startsWith('FULL')
    ? ['BACKWARD', 'FORWARD']
    : [mode.startsWith('BACKWARD') ? 'BACKWARD' : 'FORWARD'];
  const violations: CompatibilityViolation[] = [];
  for (const previous of against) {
    for (const rule of directions) {
      const [writer, reader] = rule === 'BACKWARD' ? [previous, candidate] : [candidate, previous];
      for (const d of incompatibleDifferences(writer.schema, readerView(reader.schema))) {
        violations.push({
          rule,
          against: previous.label,
          field: d.field,
          change: d.type,
          schemaPath: d.schemaPath,
          message: `${candidate.label} breaks ${rule} compatibility with ${previous.label} (${mode}) at field ${d.field}: ${DIFFERENCE_MEANINGS[d.type] ?? d.type} [${d.type} at ${d.schemaPath}] — readers on ${reader.label} could not read data written with ${writer.label}.`,
        });
      }
    }
  }
  return violations;
}
