import { describe, expect, it } from 'vitest';
import { diffJson } from './schemas';

describe('diffJson', () => {
  it.each([
    [
      'an added property',
      { properties: { a: { type: 'string' } } },
      { properties: { a: { type: 'string' }, b: { type: 'number' } } },
      [{ path: '/properties/b/type', change: 'added', after: 'number' }],
    ],
    [
      'a removed required field',
      { required: ['a', 'b'] },
      { required: ['a'] },
      [{ path: '/required/"b"', change: 'removed', before: true }],
    ],
    [
      'a changed type',
      { type: 'integer' },
      { type: 'number' },
      [{ path: '/type', change: 'changed', before: 'integer', after: 'number' }],
    ],
    ['a reordered enum (no change)', { enum: ['x', 'y'] }, { enum: ['y', 'x'] }, []],
    [
      'a key with a slash',
      { 'a/b': 1 },
      { 'a/b': 2 },
      [{ path: '/a~1b', change: 'changed', before: 1, after: 2 }],
    ],
  ])('reports %s', (_name, before, after, expected) => {
    expect(diffJson(before, after)).toEqual(expected);
  });
});
