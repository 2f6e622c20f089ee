import { RANGES, SETTABLE, sqsError, type Queue } from './sqs-model';

/** A queue's RedrivePolicy. */
export interface RedrivePolicy {
  readonly deadLetterTargetArn: string;
  readonly maxReceiveCount: number;
}

/**
 * Validates the attributes of CreateQueue/SetQueueAttributes: known names, integer ranges, a RedrivePolicy naming an
 * existing queue; answers them as SQS stores them (the redrive policy normalized).
 */
export function validateAttributes(
  attributes: Record<string, string>,
  queueArn: (arn: string) => string | undefined,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, raw] of Object.entries(attributes)) {
    if (!SETTABLE.has(key))
      throw sqsError('InvalidAttributeName', 'InvalidAttributeName', `Unknown Attribute ${key}.`);
    const value = String(raw);
    const range = RANGES[key];
    if (range) {
      const n = Number(value);
      if (!Number.isInteger(n) || n < range[0] || n > range[1]) {
        throw sqsError(
          'InvalidAttributeValue',
          'InvalidAttributeValue',
          `Invalid value for the parameter ${key}. Reason: must be an integer from ${range[0]} to ${range[1]}, got ${value}.`,
        );
      }
    }
    // SQS answers the redrive policy normalized: maxReceiveCount as a number
    result[key] =
      key === 'RedrivePolicy' && value !== '' ? JSON.stringify(parseRedrivePolicy(value, queueArn)) : value;
  }
  return result;
}

/** Parses and checks a RedrivePolicy, throwing `InvalidAttributeValue` as SQS does. */
export function parseRedrivePolicy(
  value: string,
  queueArn: (arn: string) => string | undefined,
): RedrivePolicy {
  const reject = (reason: string): never => {
    throw sqsError(
      'InvalidAttributeValue',
      'InvalidAttributeValue',
      `Value ${value} for parameter RedrivePolicy is invalid. Reason: ${reason}`,
    );
  };
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(value) as Record<string, unknown>;
  } catch {
    reject('Redrive policy is not a valid JSON map.');
  }
  const target = parsed.deadLetterTargetArn;
  const max = Number(parsed.maxReceiveCount);
  if (typeof target !== 'string')
    return reject('Redrive policy does not contain mandatory attribute: deadLetterTargetArn.');
  if (!Number.isInteger(max) || max < 1 || max > 1000) {
    return reject('Invalid value for maxReceiveCount: must be an integer from 1 to 1000.');
  }
  // the target is answered as the queue's own ARN, so ARNs spelled with another region or account still compare equal
  const resolved = queueArn(target);
  if (resolved === undefined) return reject('Dead letter target does not exist.');
  return { deadLetterTargetArn: resolved, maxReceiveCount: max };
}

/** The queue's RedrivePolicy, if any. */
export function redrivePolicy(queue: Queue): RedrivePolicy | undefined {
  const value = queue.attributes.RedrivePolicy;
  if (!value) return undefined;
  const parsed = JSON.parse(value) as { deadLetterTargetArn: string; maxReceiveCount: number | string };
  return {
    deadLetterTargetArn: parsed.deadLetterTargetArn,
    maxReceiveCount: Number(parsed.maxReceiveCount),
  };
}
