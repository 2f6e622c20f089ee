import type { OutboxContractViolation } from './outbox-event';
import type { ItemCancellation, SendResult } from './send';
import type { OutboxEventItemName, OutboxTransaction } from './transaction';

/**
 * What {@link OutboxWriter.write} came to, named. Only `written` wrote anything: in every other outcome nothing was
 * written (guarantee 1), and each says why, by the names the caller gave its writes (`events[i]` for the outbox
 * item of the i-th event):
 *
 * - `written`: committed; `items` are the outbox items with their event ids.
 * - `condition-failed`: DynamoDB cancelled the transaction because a condition failed; `item` is the first item (in
 *   the order sent) whose condition failed, `reason` DynamoDB's reason for it (with the old `Item` when that write
 *   asked for `ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`).
 * - `transaction-conflict`: every send was cancelled by a concurrent transaction (`TransactionConflict`), up to the
 *   writer's attempts.
 * - `cancelled`: DynamoDB cancelled it for another reason (`ThrottlingError`, `ValidationError`,
 *   `ItemCollectionSizeLimitExceeded`, `ProvisionedThroughputExceeded`).
 * - `invalid-event`: an event's `detail` breaks its contract; nothing was sent.
 *
 * `cancellations` lists every item DynamoDB refused, with its code.
 *
 * @example
 * const outcome = await writer.write({ writes: [{ name: 'email', write: emailPut }], events: [event] });
 * if (outcome.outcome === 'condition-failed' && outcome.item === 'email') return conflict('email already taken');
 */
export type OutboxWriteOutcome<TName extends string = string> =
  | ({ readonly outcome: 'written'; readonly attempts: number } & OutboxTransaction<TName>)
  | {
      readonly outcome: 'condition-failed';
      readonly item: TName | OutboxEventItemName;
      readonly reason: ItemCancellation<TName>['reason'];
      readonly cancellations: readonly ItemCancellation<TName>[];
      readonly attempts: number;
    }
  | {
      readonly outcome: 'transaction-conflict' | 'cancelled';
      readonly cancellations: readonly ItemCancellation<TName>[];
      readonly attempts: number;
    }
  | {
      readonly outcome: 'invalid-event';
      readonly item: OutboxEventItemName;
      readonly violations: readonly OutboxContractViolation[];
    };

/** Names what a send came to. */
export function toOutcome<TName extends string>(
  transaction: OutboxTransaction<TName>,
  result: SendResult<TName>,
): OutboxWriteOutcome<TName> {
  if (result.committed) return { outcome: 'written', attempts: result.attempts, ...transaction };
  const { cancellations, attempts } = result;
  const failed = cancellations.find((cancellation) => cancellation.code === 'ConditionalCheckFailed');
  if (failed) {
    return { outcome: 'condition-failed', item: failed.item, reason: failed.reason, cancellations, attempts };
  }
  const conflict = cancellations.length > 0 && cancellations.every((c) => c.code === 'TransactionConflict');
  return { outcome: conflict ? 'transaction-conflict' : 'cancelled', cancellations, attempts };
}

/**
 * One line naming each refused item and its code, for error messages and logs (names and codes only, never items).
 *
 * @example
 * describeCancellations(outcome.cancellations); // 'email: TransactionConflict, events[0]: TransactionConflict'
 */
export function describeCancellations(cancellations: readonly ItemCancellation[]): string {
  return cancellations.map(({ item, code }) => `${item}: ${code}`).join(', ') || 'no reason given';
}
