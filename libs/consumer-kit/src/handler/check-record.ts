import type { ContractViolation, EventContract } from '@outboxed/contracts';
import { InvalidEventError } from '../errors';

/**
 * An EventBridge event as the rule delivers it to SQS (the message body), its `detail` typed by the contract.
 *
 * @example const event: ConsumerEvent<UserCreatedDetail> = JSON.parse(record.body);
 */
export interface ConsumerEvent<TDetail> {
  readonly version: string;
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: TDetail;
}

/**
 * The detail type of a contract (`EventContract<TDetail>` → `TDetail`).
 *
 * @example type Detail = DetailOf<typeof userCreatedV1>; // UserCreatedV1Detail
 */
export type DetailOf<TContract> = TContract extends EventContract<infer TDetail> ? TDetail : never;

/**
 * A valid record: its event and the contract it satisfies.
 *
 * @example const { event, contract }: CheckedEvent<typeof userCreatedV1> = checkRecord(body, [userCreatedV1]);
 */
export interface CheckedEvent<TContract extends EventContract<unknown>> {
  readonly event: ConsumerEvent<DetailOf<TContract>>;
  readonly contract: TContract;
}

/**
 * Parses an SQS message body as an EventBridge event and validates it (envelope and `detail`) against the one contract
 * of `contracts` with the same source, detail-type and `detail.metadata.version`.
 * Throws {@link InvalidEventError} naming the reason; never logs or returns field values.
 *
 * @example const { event, contract } = checkRecord(record.body, [userCreatedV1]);
 */
export function checkRecord<TContract extends EventContract<unknown>>(
  body: string,
  contracts: readonly TContract[],
): CheckedEvent<TContract> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new InvalidEventError(
      'NotJson',
      'The message body is not JSON; an EventBridge event was expected.',
    );
  }
  if (!isRecord(parsed) || typeof parsed.source !== 'string' || typeof parsed['detail-type'] !== 'string') {
    throw new InvalidEventError(
      'NotAnEvent',
      'The message body is not an EventBridge event: "source" and "detail-type" must be strings.',
    );
  }
  const { source } = parsed;
  const detailType = parsed['detail-type'];
  const version = versionOf(parsed.detail);
  const contract = contracts.find(
    (c) => c.source === source && c.detailType === detailType && c.version === version,
  );
  if (!contract) {
    const known = contracts.map((c) => `${c.source}/${c.detailType} v${c.version}`).join(', ');
    throw new InvalidEventError(
      'UnsupportedEvent',
      `No contract of this consumer for ${source}/${detailType} v${String(version)}; it handles ${known}. ` +
        'Subscribe to that version (contracts and expectations) or fix the rule pattern.',
    );
  }
  const violations: readonly ContractViolation[] = contract.validateEvent(parsed);
  if (violations.length > 0) {
    throw new InvalidEventError(
      'ContractViolation',
      `${detailType} v${contract.version} violates its contract at ${violations.map((v) => v.path).join(', ')}.`,
      violations,
    );
  }
  return { event: parsed as unknown as ConsumerEvent<DetailOf<TContract>>, contract };
}

function versionOf(detail: unknown): unknown {
  return isRecord(detail) && isRecord(detail.metadata) ? detail.metadata.version : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
