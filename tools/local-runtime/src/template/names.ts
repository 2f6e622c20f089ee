import { createHash } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * A physical name the way CloudFormation generates one for an unnamed resource: `<stack>-<logicalId>-<SUFFIX>`,
 * truncated to `maxLength`. The 12-character suffix is derived from the stack and logical id, so the same
 * template gets the same names on every start (tables keep their data across restarts).
 *
 * @example generatePhysicalName('Users', 'Table', 255) // 'Users-Table-5K2J…'
 */
export function generatePhysicalName(stackName: string, logicalId: string, maxLength = 64): string {
  const digest = createHash('sha256').update(`${stackName}/${logicalId}`).digest();
  const suffix = [...digest.subarray(0, 12)].map((b) => ALPHABET[b % ALPHABET.length]).join('');
  const room = maxLength - suffix.length - 2;
  const stackPart = stackName.slice(0, Math.max(1, Math.ceil(room / 2)));
  const idPart = logicalId.slice(0, Math.max(1, room - stackPart.length));
  return `${stackPart}-${idPart}-${suffix}`;
}

/**
 * A short stable lowercase id (API Gateway ids, event source mapping UUID-likes).
 *
 * @example shortId('Users/Api') // 'k3j9x0a1bq'
 */
export function shortId(seed: string, length = 10): string {
  const digest = createHash('sha256').update(seed).digest('hex');
  return BigInt(`0x${digest.slice(0, 24)}`)
    .toString(36)
    .padStart(length, '0')
    .slice(0, length);
}

/**
 * A stable UUID-shaped id derived from a seed.
 *
 * @example stableUuid('Users/Mapping') // '1f0c…-…'
 */
export function stableUuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
