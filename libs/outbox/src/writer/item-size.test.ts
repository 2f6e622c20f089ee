import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { attributeValueSize, dynamoItemSize } from './item-size';

describe('attributeValueSize', () => {
  it.each<[string, AttributeValue, number]>([
    ['an ASCII string', { S: 'hello' }, 5],
    ['a string by its UTF-8 bytes', { S: 'héllo' }, 6],
    ['a number, 1 byte per two significant digits plus 1', { N: '123' }, 3],
    ['a number without leading and trailing zeroes', { N: '0012300' }, 3],
    ['a decimal number', { N: '-1.5' }, 2],
    ['a binary by its raw bytes', { B: new Uint8Array([1, 2, 3, 4]) }, 4],
    ['a boolean', { BOOL: true }, 1],
    ['a null', { NULL: true }, 1],
    ['a string set', { SS: ['ab', 'cde'] }, 5],
    ['an empty list', { L: [] }, 3],
    ['a list: 3 bytes plus 1 byte per element', { L: [{ S: 'ab' }, { BOOL: false }] }, 3 + 1 + 2 + 1 + 1],
    ['a map: names count too', { M: { ab: { S: 'xyz' } } }, 3 + 1 + 2 + 3],
  ])('sizes %s', (_name, value, size) => {
    expect(attributeValueSize(value)).toBe(size);
  });
});

describe('dynamoItemSize', () => {
  it('sums attribute names and values', () => {
    expect(dynamoItemSize({ pk: { S: 'USER#1' }, n: { N: '123' } })).toBe(2 + 6 + 1 + 3);
  });
});
