import { describe, expect, it } from 'vitest';
import { redriveModes } from './redrive';

describe('redriveModes', () => {
  it.each([
    [
      'both queues: on-failure pointers first, then poison records',
      { onFailureQueueUrl: 'of', poisonQueueUrl: 'p' },
      [
        { kind: 'on-failure', queueUrl: 'of' },
        { kind: 'poison', queueUrl: 'p' },
      ],
    ],
    ['the on-failure queue alone', { onFailureQueueUrl: 'of' }, [{ kind: 'on-failure', queueUrl: 'of' }]],
    ['the poison queue alone', { poisonQueueUrl: 'p' }, [{ kind: 'poison', queueUrl: 'p' }]],
    [
      'one event id: its poison message or the table, never the on-failure queue',
      { eventId: 'E1', onFailureQueueUrl: 'of', poisonQueueUrl: 'p' },
      [{ kind: 'event-id', eventId: 'E1', poisonQueueUrl: 'p' }],
    ],
    [
      'one event id without a poison queue: the table only',
      { eventId: 'E1' },
      [{ kind: 'event-id', eventId: 'E1' }],
    ],
    ['nothing to read', {}, []],
  ])('plans %s', (_name, options, expected) => {
    expect(redriveModes(options)).toEqual(expected);
  });
});
