import type { Duration } from 'aws-cdk-lib';
import { Token } from 'aws-cdk-lib';
import { OutboxRelayPropsError } from './errors';

/**
 * Throws {@link OutboxRelayPropsError} when `value` is outside `[min, max]`; skips absent values and
 * unresolved tokens (they are only known at deploy time).
 *
 * @example checkRange('batchSize', props.batchSize, 1, 10_000);
 */
export function checkRange(prop: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new OutboxRelayPropsError(
      `OutboxRelay: ${prop} must be an integer between ${min} and ${max} inclusive; received ${value}.`,
    );
  }
}

/**
 * Like {@link checkRange} for a `Duration`, compared in whole seconds.
 *
 * @example checkDuration('maxBatchingWindow', props.maxBatchingWindow, 0, 300);
 */
export function checkDuration(
  prop: string,
  value: Duration | undefined,
  minSeconds: number,
  maxSeconds: number,
): void {
  if (value === undefined || value.isUnresolved()) return;
  const seconds = value.toSeconds({ integral: false });
  if (!Number.isInteger(seconds) || seconds < minSeconds || seconds > maxSeconds) {
    throw new OutboxRelayPropsError(
      `OutboxRelay: ${prop} must be a whole number of seconds between ${minSeconds} and ${maxSeconds} inclusive; received ${value.toHumanString()} (${seconds} s).`,
    );
  }
}
