import { Duration, Token } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { ConstructValidationError } from './errors';
import { checkDuration, checkRange } from './validate';

describe('checkRange', () => {
  it('rejects a value outside the range, naming the construct, the prop, the value and the range', () => {
    const check = () =>
      checkRange('Thing S/T', 'batchSize', 11, { min: 1, max: 10, hint: ' (more with a window)' });
    expect(check).toThrow(ConstructValidationError);
    expect(check).toThrow(
      'Thing S/T: batchSize is 11; allowed: a whole number from 1 to 10 (more with a window). To fix: set batchSize within that range or leave it out for the default.',
    );
  });

  it('rejects a fraction inside the range', () => {
    expect(() => checkRange('T', 'memorySize', 128.5, { min: 128, max: 10_240 })).toThrow(
      'memorySize is 128.5',
    );
  });

  it('accepts both bounds, an absent value and an unresolved token', () => {
    for (const value of [1, 10, undefined, Token.asNumber({ Ref: 'P' })]) {
      expect(() => checkRange('T', 'p', value, { min: 1, max: 10 })).not.toThrow();
    }
  });
});

describe('checkDuration', () => {
  const range = { min: Duration.seconds(1), max: Duration.minutes(15) };

  it('rejects a sub-second duration with our error, not CDK’s toSeconds error', () => {
    const check = () => checkDuration('Thing S/T', 'timeout', Duration.millis(500), range);
    expect(check).toThrow(ConstructValidationError);
    expect(check).toThrow(
      'Thing S/T: timeout is 500 millis (0.5 s); allowed: a whole number of seconds from 1 second (1 s) to 15 minutes (900 s).',
    );
  });

  it('rejects a fraction of a second above the minimum when whole seconds are required', () => {
    expect(() => checkDuration('T', 'timeout', Duration.millis(1500), range)).toThrow(
      'timeout is 1 second 500 millis (1.5 s)',
    );
  });

  it('accepts a sub-second value when the prop is not counted in seconds', () => {
    const latency = { min: Duration.millis(100), max: Duration.seconds(29), wholeSeconds: false };
    expect(() => checkDuration('T', 'latency', Duration.millis(250), latency)).not.toThrow();
    expect(() => checkDuration('T', 'latency', Duration.millis(50), latency)).toThrow(
      'latency is 50 millis (0.05 s); allowed: a duration from 100 millis (0.1 s) to 29 seconds (29 s)',
    );
  });

  it('reads an absent max as no upper bound, and skips absent values and tokens', () => {
    const open = { min: Duration.minutes(1) };
    expect(() => checkDuration('T', 'ttl', Duration.days(3650), open)).not.toThrow();
    expect(() => checkDuration('T', 'ttl', Duration.seconds(30), open)).toThrow(
      'allowed: a whole number of seconds from 1 minute (60 s) or more',
    );
    expect(() => checkDuration('T', 'ttl', undefined, open)).not.toThrow();
    expect(() =>
      checkDuration('T', 'ttl', Duration.seconds(Token.asNumber({ Ref: 'P' })), open),
    ).not.toThrow();
  });
});
