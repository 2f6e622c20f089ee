import { describe, expect, it } from 'vitest';
import { formatFunctionLine, formatLogEvent } from './log-format';

const at = new Date('2026-11-29T12:00:01.123Z');

describe('formatFunctionLine', () => {
  it.each([
    [
      'a Powertools JSON line, without personal data keys',
      '{"level":"INFO","message":"user created","timestamp":"x","userId":"01H","email":"ada@example.com","name":"Ada"}',
      '12:00:01.123 λ Api                INFO user created userId=01H',
    ],
    ['a plain line', 'hello', '12:00:01.123 λ Api                hello'],
    ['a line that only looks like JSON', '{not json', '12:00:01.123 λ Api                {not json'],
  ])('formats %s', (_name, line, expected) => {
    expect(formatFunctionLine('Api', line, at)).toBe(expected);
  });
});

describe('formatLogEvent', () => {
  it('prints the time, the source and the message', () => {
    expect(formatLogEvent({ kind: 'http.request', message: 'POST /users → 201 (4 ms)' }, at)).toBe(
      '12:00:01.123 http    POST /users → 201 (4 ms)',
    );
  });
});
