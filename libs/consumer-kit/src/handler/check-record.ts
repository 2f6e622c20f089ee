import type {
  ConsumerExpectations,
  ConsumerSubscription,
  ContractViolation,
  ReaderDetailOf,
  ReaderEvent,
} from '@outboxed/contracts';
import { InvalidEventError } from '../errors';

/**
 * An EventBridge event as the rule delivers it to SQS (the message body), its `detail` typed by the contract.
 *
 * @example const event: ConsumerEvent<ReaderDetailOf<typeof userCreatedV1>> = userCreatedV1.parseAsReader(JSON.parse(record.body));
 */
export type ConsumerEvent<TDetail> = ReaderEvent<TDetail>;

/**
 * The event a consumer's handler receives: for each subscription of `TExpectations`, the event typed as the version
 * the consumer reads it as (a union, told apart by `detail-type`, when it subscribes to several event types).
 *
 * @example type Event = SubscribedEvent<typeof expectations>; // ConsumerEvent<ReaderDetailOf<typeof userCreatedV1>>
 */
export type SubscribedEvent<TExpectations extends ConsumerExpectations> =
  TExpectations['subscriptions'][number] extends infer TSubscription
    ? TSubscription extends ConsumerSubscription<infer TContract>
      ? ConsumerEvent<ReaderDetailOf<TContract>>
      : never
    : never;

/**
 * A valid record: its event (typed as the version the consumer reads it as), the subscription it matched and the
 * version it was written with (`detail.metadata.version`, which may be later or earlier than the reader's).
 *
 * @example const { event, subscription, writtenVersion } = checkRecord(body, expectations);
 */
export interface CheckedEvent<TExpectations extends ConsumerExpectations> {
  readonly event: SubscribedEvent<TExpectations>;
  readonly subscription: TExpectations['subscriptions'][number];
  readonly writtenVersion: number | undefined;
}

/**
 * Parses an SQS message body as an EventBridge event, finds the subscription of `expectations` with its source and
 * detail-type, and validates the event as a tolerant reader of that subscription's version: any version of the event
 * type passes when it gives every field the reader's version defines, with the same types (fields added by later
 * compatible versions are ignored). Throws {@link InvalidEventError} naming the reason; never logs or returns field
 * values.
 *
 * @example const { event } = checkRecord(record.body, expectations);
 */
export function checkRecord<TExpectations extends ConsumerExpectations>(
  body: string,
  expectations: TExpectations,
): CheckedEvent<TExpectations> {
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
  const writtenVersion = versionOf(parsed.detail);
  const subscription = expectations.subscriptions.find(
    (s) => s.contract.source === source && s.contract.detailType === detailType,
  );
  if (!subscription) {
    const known = expectations.subscriptions
      .map((s) => `${s.contract.source}/${s.contract.detailType} (read as v${s.contract.version})`)
      .join(', ');
    throw new InvalidEventError(
      'UnsupportedEvent',
      `${expectations.consumer} does not subscribe to ${source}/${detailType}; it reads ${known}. ` +
        'Its rule should not have delivered this event: check the rule pattern, or subscribe to the event type in contract-expectations.ts.',
    );
  }
  const reader = subscription.contract;
  const violations: readonly ContractViolation[] = reader.validateAsReader(parsed);
  if (violations.length > 0) {
    throw new InvalidEventError(
      'ContractViolation',
      `${detailType} v${String(writtenVersion)} read as v${reader.version} violates the contract at ${violations.map((v) => v.path).join(', ')}.`,
      violations,
    );
  }
  return {
    event: parsed as unknown as SubscribedEvent<TExpectations>,
    subscription: subscription as TExpectations['subscriptions'][number],
    writtenVersion: typeof writtenVersion === 'number' ? writtenVersion : undefined,
  };
}

function versionOf(detail: unknown): unknown {
  return isRecord(detail) && isRecord(detail.metadata) ? detail.metadata.version : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
