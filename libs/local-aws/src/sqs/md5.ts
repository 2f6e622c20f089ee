import { createHash } from 'node:crypto';

/**
 * An SQS message attribute value as the JSON protocol carries it (`BinaryValue` base64 on the wire).
 *
 * @example const kind: MessageAttributeValue = { DataType: 'String', StringValue: 'welcome' };
 */
export interface MessageAttributeValue {
  readonly DataType: string;
  readonly StringValue?: string;
  readonly BinaryValue?: string;
  readonly StringListValues?: readonly string[];
  readonly BinaryListValues?: readonly string[];
}

/**
 * Hex MD5 of a message body, as `MD5OfBody`/`MD5OfMessageBody` (the SDK v3 SQS client verifies it).
 *
 * @example md5OfBody('hello') // '5d41402abc4b2a76b9719d911017c592'
 */
export function md5OfBody(body: string): string {
  return createHash('md5').update(body, 'utf8').digest('hex');
}

/**
 * Hex MD5 of message attributes following SQS's documented algorithm: attributes sorted by name; for each, the
 * 4-byte big-endian length and UTF-8 bytes of the name, then of the data type, then one transport byte
 * (1 string/number, 2 binary) and the length-prefixed value. Undefined for no attributes, as SQS omits it.
 *
 * @example md5OfMessageAttributes({ kind: { DataType: 'String', StringValue: 'x' } })
 */
export function md5OfMessageAttributes(
  attributes: Readonly<Record<string, MessageAttributeValue>> | undefined,
): string | undefined {
  if (!attributes) return undefined;
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const hash = createHash('md5');
  const lengthPrefixed = (bytes: Buffer): void => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    hash.update(length);
    hash.update(bytes);
  };
  for (const name of names) {
    const attribute = attributes[name] as MessageAttributeValue;
    lengthPrefixed(Buffer.from(name, 'utf8'));
    lengthPrefixed(Buffer.from(attribute.DataType, 'utf8'));
    if (attribute.BinaryValue !== undefined) {
      hash.update(Buffer.from([2]));
      lengthPrefixed(Buffer.from(attribute.BinaryValue, 'base64'));
    } else {
      hash.update(Buffer.from([1]));
      lengthPrefixed(Buffer.from(attribute.StringValue ?? '', 'utf8'));
    }
  }
  return hash.digest('hex');
}
