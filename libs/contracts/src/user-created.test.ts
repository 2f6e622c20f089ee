import { describe, expect, it } from 'vitest';
import type { InvalidExample } from './testing.ts';
import { ContractValidationError, userCreated, userCreatedV1, userCreatedV2 } from './index.ts';
import {
  exampleUserCreatedDetail,
  exampleUserCreatedEvent,
  exampleUserCreatedV1Event,
  invalidUserCreatedExamples,
} from './testing.ts';

describe('UserCreated contracts', () => {
  it.each([
    ['v1', userCreatedV1, exampleUserCreatedV1Event()],
    ['v2', userCreatedV2, exampleUserCreatedEvent()],
    [
      'v2 without the optional locale',
      userCreatedV2,
      exampleUserCreatedEvent({ detail: { data: { locale: undefined } } }),
    ],
  ])('accepts a valid %s event', (_name, contract, event) => {
    expect(contract.validateEvent(event)).toEqual([]);
    expect(contract.parseEvent(event)).toBe(event);
  });

  it('accepts an envelope with fields EventBridge adds on replay (open envelope)', () => {
    const event = { ...exampleUserCreatedEvent(), 'replay-name': 'replay-1' };

    expect(userCreated.validateEvent(event)).toEqual([]);
  });

  it.each(invalidUserCreatedExamples)('reports every violation of $name', ({ event, violations }) => {
    expect(userCreated.validateEvent(event)).toEqual(violations);
  });

  it.each(invalidUserCreatedExamples.filter((e) => e.violations.every((v) => v.path.startsWith('detail.'))))(
    'reports the same violations when validating only the detail of $name',
    ({ event, violations }) => {
      expect(userCreated.validateDetail((event as { detail: unknown }).detail)).toEqual(violations);
    },
  );

  it('rejects a v1 event carrying locale, which v1 does not declare', () => {
    const event = exampleUserCreatedV1Event({ detail: { data: { locale: 'en-GB' } } });

    expect(userCreatedV1.validateEvent(event)).toEqual([
      {
        path: 'detail.data.locale',
        message: 'is not allowed (closed content model: the schema lists every field this object may carry)',
      },
    ]);
  });

  it('parses a detail into the same value', () => {
    const detail = exampleUserCreatedDetail();

    expect(userCreated.parseDetail(detail)).toEqual(detail);
  });

  it('throws ContractValidationError listing every violation with its path', () => {
    const example = invalidUserCreatedExamples[invalidUserCreatedExamples.length - 1] as InvalidExample;

    const error = catchError(() => userCreated.parseEvent(example.event));

    expect(error).toBeInstanceOf(ContractValidationError);
    expect((error as ContractValidationError).violations).toEqual(example.violations);
    expect((error as Error).message).toBe(
      [
        `The value does not satisfy outboxed.users@UserCreated v${userCreated.version} (2 violations):`,
        '  - detail.metadata.id: is required',
        '  - detail.data.email: must match format "email" (received a string of 4 characters)',
        'Fix the producer of this value or read it with the contract of its own version.',
      ].join('\n'),
    );
  });

  it('never puts the value of a field in a violation (emails and names stay out of logs)', () => {
    const event = exampleUserCreatedEvent({ detail: { data: { email: 'secret-person@', name: '' } } });

    const messages = JSON.stringify(userCreated.validateEvent(event));

    expect(messages).not.toContain('secret-person');
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
