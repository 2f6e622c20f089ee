import type { AttributeValue } from '@aws-sdk/client-dynamodb';

const utf8Length = (value: string): number => Buffer.byteLength(value, 'utf8');

/**
 * Size in bytes DynamoDB counts for a number: 1 byte per two significant digits, plus 1 byte
 * (leading and trailing zeroes trimmed).
 */
function numberSize(value: string): number {
  const digits = value
    .replace(/^[+-]/, '')
    .replace(/[eE][+-]?\d+$/, '')
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

function binarySize(value: Uint8Array | string): number {
  return typeof value === 'string' ? Buffer.from(value, 'base64').length : value.byteLength;
}

/**
 * Size in bytes of one attribute value by DynamoDB's item-size rules (without its name).
 *
 * @example
 * attributeValueSize({ S: 'héllo' }); // 6
 */
export function attributeValueSize(value: AttributeValue): number {
  if (value.S !== undefined) return utf8Length(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return binarySize(value.B);
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((sum, s) => sum + utf8Length(s), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, n) => sum + numberSize(n), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, b) => sum + binarySize(b), 0);
  if (value.L !== undefined)
    return 3 + value.L.reduce((sum, element) => sum + 1 + attributeValueSize(element), 0);
  if (value.M !== undefined) {
    return (
      3 +
      Object.entries(value.M).reduce(
        (sum, [name, v]) => sum + 1 + utf8Length(name) + attributeValueSize(v),
        0,
      )
    );
  }
  return 0;
}

/**
 * Size in bytes of an item by DynamoDB's documented rules ("DynamoDB item sizes and formats"): for each
 * attribute the UTF-8 length of its name plus its value's size; strings count their UTF-8 bytes, numbers
 * 1 byte per two significant digits plus 1, binaries their raw bytes, booleans and nulls 1 byte, lists and
 * maps 3 bytes plus 1 byte per element plus their elements. Hand-written because the SDK offers no such
 * function; DynamoDB's own figure can differ by a few bytes for numbers ("approximately").
 *
 * @example
 * dynamoItemSize({ pk: { S: 'USER#1' }, n: { N: '123' } }); // 2 + 6 + 1 + 3 = 12
 */
export function dynamoItemSize(item: Record<string, AttributeValue>): number {
  return Object.entries(item).reduce(
    (sum, [name, value]) => sum + utf8Length(name) + attributeValueSize(value),
    0,
  );
}
