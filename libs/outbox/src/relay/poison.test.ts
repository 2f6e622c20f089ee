import { describe, expect, it } from 'vitest';
import { anInsertRecord, anOutboxItem, seq, STREAM_ARN } from '../testing/factories';
import { buildPoisonMessage, tableNameFromStreamArn } from './poison';

describe('buildPoisonMessage', () => {
  const record = anInsertRecord(anOutboxItem({ payload: { userId: 'U1', blob: 'x'.repeat(2_000) } }), seq(1));
  const poison = {
    reason: 'entry-too-large' as const,
    message: 'too big',
    violations: [],
    eventId: 'EVT-U1-1',
  };
  const at = new Date('2026-11-29T12:00:00.000Z');

  it('carries the whole record, its keys and table when it fits', () => {
    expect(buildPoisonMessage(record, poison, at)).toEqual({
      reason: 'entry-too-large',
      message: 'too big',
      violations: [],
      eventId: 'EVT-U1-1',
      tableName: 'users',
      keys: { pk: 'USER#U1', sk: 'OUTBOX#EVT-U1-1' },
      eventSourceARN: STREAM_ARN,
      sequenceNumber: seq(1),
      deadLetteredAt: '2026-11-29T12:00:00.000Z',
      record,
      truncated: false,
    });
  });

  it('leaves the record out, keeping the keys to find the item, when the body would be too large', () => {
    const message = buildPoisonMessage(record, poison, at, 1_000);

    expect(message).toEqual(
      expect.objectContaining({
        record: null,
        truncated: true,
        keys: { pk: 'USER#U1', sk: 'OUTBOX#EVT-U1-1' },
      }),
    );
  });
});

describe('tableNameFromStreamArn', () => {
  it.each([
    [STREAM_ARN, 'users'],
    ['not-an-arn', undefined],
    [undefined, undefined],
  ])('reads %s', (arn, name) => {
    expect(tableNameFromStreamArn(arn)).toBe(name);
  });
});
