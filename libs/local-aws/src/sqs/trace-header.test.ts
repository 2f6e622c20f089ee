import { describe, expect, it } from 'vitest';
import { formatTraceHeader, newSegmentId, newTraceId, parseTraceHeader } from './trace-header';

const ROOT = '1-5759e988-bd862e3fe1be46a994272793';

describe('parseTraceHeader', () => {
  it.each([
    [`Root=${ROOT}`, { root: ROOT }],
    [
      `Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=1`,
      { root: ROOT, parent: '53995c3f42cd8ad8', sampled: '1' },
    ],
    [
      `root=${ROOT}; parent=53995c3f42cd8ad8; sampled=0`,
      { root: ROOT, parent: '53995c3f42cd8ad8', sampled: '0' },
    ],
    [`Root=${ROOT};Sampled=?;Lineage=a87bd80c:1|68fd508a:5`, { root: ROOT, sampled: '?' }],
    [`Self=1-67891234-12456789abcdef012345678;Root=${ROOT}`, { root: ROOT }],
  ])('reads %s', (header, expected) => {
    expect(parseTraceHeader(header)).toEqual(expected);
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['a header without Root', 'Parent=53995c3f42cd8ad8;Sampled=1'],
    ['a Root of another version', 'Root=2-5759e988-bd862e3fe1be46a994272793'],
    ['a Root with upper-case hex', 'Root=1-5759E988-BD862E3FE1BE46A994272793'],
    ['a Root too short', 'Root=1-5759e988-bd862e3fe1be46a99427279'],
    ['a Parent of 15 digits', `Root=${ROOT};Parent=53995c3f42cd8ad`],
    ['a Sampled of 2', `Root=${ROOT};Sampled=2`],
    ['a header over 1024 characters', `Root=${ROOT};Lineage=${'a'.repeat(1024)}`],
    ['free text', 'my-own-request-id'],
  ])('rejects %s', (_case, header) => {
    expect(parseTraceHeader(header)).toBeUndefined();
  });
});

describe('formatTraceHeader', () => {
  it('writes the parts given, in X-Ray order, and reads back the same', () => {
    const header = { root: ROOT, parent: '53995c3f42cd8ad8', sampled: '1' } as const;

    expect(formatTraceHeader(header)).toBe(`Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=1`);
    expect(formatTraceHeader({ root: ROOT })).toBe(`Root=${ROOT}`);
    expect(parseTraceHeader(formatTraceHeader(header))).toEqual(header);
  });
});

describe('newTraceId and newSegmentId', () => {
  it('makes a Root that carries the epoch seconds and is new each time', () => {
    const at = new Date('2026-12-04T15:00:00Z');
    const first = newTraceId(at);

    expect(first).toMatch(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect(parseInt(first.slice(2, 10), 16)).toBe(at.getTime() / 1000);
    expect(newTraceId(at)).not.toBe(first);
    expect(newSegmentId()).toMatch(/^[0-9a-f]{16}$/);
    expect(parseTraceHeader(`Root=${first};Parent=${newSegmentId()}`)?.root).toBe(first);
  });
});
