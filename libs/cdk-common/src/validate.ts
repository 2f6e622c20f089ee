import { Token, type Duration } from 'aws-cdk-lib';
import { ConstructValidationError } from './errors';

/** The inclusive range a numeric prop accepts; `hint` is appended to the allowed range (e.g. how to widen it). */
export interface NumberRange {
  readonly min: number;
  readonly max: number;
  readonly hint?: string;
}

/**
 * Throws {@link ConstructValidationError} when `value` is not a whole number within `range`; skips absent values
 * and unresolved tokens (they are only known at deploy time). `construct` names where the prop was given, e.g.
 * `OutboxRelay ${this.node.path}`.
 *
 * @example checkRange('EventConsumer Orders/Consumer', 'batchSize', props.batchSize, { min: 1, max: 10 });
 */
export function checkRange(
  construct: string,
  prop: string,
  value: number | undefined,
  range: NumberRange,
): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    const allowed = `a whole number from ${range.min} to ${range.max}${range.hint ?? ''}`;
    throw new ConstructValidationError(construct, prop, String(value), allowed);
  }
}

/**
 * The inclusive range a `Duration` prop accepts. `max` absent means no upper bound. `wholeSeconds` (default true)
 * also rejects fractions of a second, for props CloudFormation takes in seconds.
 */
export interface DurationRange {
  readonly min: Duration;
  readonly max?: Duration;
  readonly wholeSeconds?: boolean;
}

/**
 * Like {@link checkRange} for a `Duration`, compared in milliseconds so that a sub-second value (which CDK's
 * `toSeconds()` refuses with its own error) is reported with the prop's name and range too.
 *
 * @example checkDuration('OutboxRelay Stack/Relay', 'maxBatchingWindow', props.maxBatchingWindow, { min: Duration.seconds(0), max: Duration.minutes(5) });
 */
export function checkDuration(
  construct: string,
  prop: string,
  value: Duration | undefined,
  range: DurationRange,
): void {
  if (value === undefined || value.isUnresolved()) return;
  const ms = value.toMilliseconds({ integral: false });
  const wholeSeconds = range.wholeSeconds ?? true;
  const inRange =
    ms >= range.min.toMilliseconds({ integral: false }) &&
    (range.max === undefined || ms <= range.max.toMilliseconds({ integral: false }));
  if (inRange && (!wholeSeconds || Number.isInteger(ms / 1000))) return;
  const unit = wholeSeconds ? 'a whole number of seconds' : 'a duration';
  const upTo = range.max === undefined ? ' or more' : ` to ${describe(range.max)}`;
  throw new ConstructValidationError(
    construct,
    prop,
    describe(value),
    `${unit} from ${describe(range.min)}${upTo}`,
  );
}

/** `5 minutes 1 second (301 s)`, `500 milliseconds (0.5 s)`: the human form and the seconds CloudFormation reads. */
function describe(duration: Duration): string {
  const seconds = duration.toMilliseconds({ integral: false }) / 1000;
  return `${duration.toHumanString()} (${seconds} s)`;
}
