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
 * The default mode of `contracts:compat`. Consumers on the newest schema must read every event still around that
 * an older version wrote (archive replays, DLQ redrives, queue backlogs), hence BACKWARD and TRANSITIVE; with
 * closed `detail`/`data` models it still allows adding optional fields. See the README for what protects
 * consumers still on older versions.
 *
 * @example checkCompatibility(next, history, DEFAULT_COMPATIBILITY_MODE);
 */
export const DEFAULT_COMPATIBILITY_MODE: CompatibilityMode = 'BACKWARD_TRANSITIVE';

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
 * Checks `candidate` against `history` (oldest first) under `mode`, Confluent's way: BACKWARD compares each
 * earlier version (writer) with the candidate (reader), FORWARD the candidate (writer) with each earlier version
 * (reader); non-transitive modes look only at the last earlier version.
 *
 * @example const violations = checkCompatibility({ label: 'v3', schema }, [v1, v2], 'BACKWARD_TRANSITIVE');
 */
export function checkCompatibility(
  candidate: VersionedSchema,
  history: readonly VersionedSchema[],
  mode: CompatibilityMode = DEFAULT_COMPATIBILITY_MODE,
): CompatibilityViolation[] {
  if (mode === 'NONE' || history.length === 0) return [];
  const against = mode.endsWith('_TRANSITIVE') ? history : history.slice(-1);
  const directions: ('BACKWARD' | 'FORWARD')[] = mode.startsWith('FULL')
    ? ['BACKWARD', 'FORWARD']
    : [mode.startsWith('BACKWARD') ? 'BACKWARD' : 'FORWARD'];
  const violations: CompatibilityViolation[] = [];
  for (const previous of against) {
    for (const rule of directions) {
      const [writer, reader] = rule === 'BACKWARD' ? [previous, candidate] : [candidate, previous];
      for (const d of incompatibleDifferences(writer.schema, reader.schema)) {
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
