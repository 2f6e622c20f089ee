import {
  TransactionCanceledException,
  TransactWriteItemsCommand,
  type CancellationReason,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { fullJitterDelay } from '../relay/retry';
import type { OutboxEventItemName, OutboxTransaction } from './transaction';

/**
 * Codes of a DynamoDB `CancellationReason` (AWS's vocabulary: `TransactWriteItems`, "TransactionCanceledException").
 *
 * @example
 * const code: CancellationReasonCode = 'ConditionalCheckFailed';
 */
export type CancellationReasonCode =
  | 'None'
  | 'ConditionalCheckFailed'
  | 'ItemCollectionSizeLimitExceeded'
  | 'TransactionConflict'
  | 'ProvisionedThroughputExceeded'
  | 'ThrottlingError'
  | 'ValidationError'
  | (string & {});

/**
 * Why DynamoDB refused one item of a cancelled transaction, with the name the caller gave that item.
 *
 * @example
 * const c: ItemCancellation<'email'> = { item: 'email', code: 'ConditionalCheckFailed', reason: { Code: 'ConditionalCheckFailed' } };
 */
export interface ItemCancellation<TName extends string = string> {
  /** The write's name, or `events[i]` for the outbox item of the i-th event. */
  readonly item: TName | OutboxEventItemName;
  readonly code: CancellationReasonCode;
  /** DynamoDB's reason as returned: `Message`, and `Item` (the item as it was) when the write asked for `ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`. */
  readonly reason: CancellationReason;
}

/** How the writer retries a transaction DynamoDB cancelled for a `TransactionConflict`. */
export interface TransactionRetry {
  /** Sends of one transaction, the first included. @default 3 */
  readonly maxAttempts: number;
  /** Backoff base in ms, full jitter: a wait drawn from `[0, min(maxDelayMs, baseDelayMs × 2^retry))`. @default 50 */
  readonly baseDelayMs: number;
  /** Backoff cap in ms. @default 1000 */
  readonly maxDelayMs: number;
}

/** What {@link sendTransaction} does I/O and randomness with. */
export interface SendDeps {
  readonly dynamoDb: Pick<DynamoDBClient, 'send'>;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
}

/** What one send of a built transaction came to. */
export type SendResult<TName extends string> =
  | { readonly committed: true; readonly attempts: number }
  | {
      readonly committed: false;
      readonly attempts: number;
      readonly cancellations: readonly ItemCancellation<TName>[];
    };

/**
 * Sends the transaction; when DynamoDB cancels it only for `TransactionConflict`s (a concurrent transaction on the
 * same items) it sends the very same input again after a full-jitter wait, up to `retry.maxAttempts` sends. Any
 * other error than a cancellation is thrown as it is (the SDK has already retried throttling and 5xx).
 */
export async function sendTransaction<TName extends string>(
  transaction: OutboxTransaction<TName>,
  retry: TransactionRetry,
  deps: SendDeps,
): Promise<SendResult<TName>> {
  for (let attempt = 1; ; attempt += 1) {
    const cancellations = await sendOnce(transaction, deps.dynamoDb);
    if (cancellations === undefined) return { committed: true, attempts: attempt };
    if (!onlyConflicts(cancellations) || attempt >= retry.maxAttempts) {
      return { committed: false, attempts: attempt, cancellations };
    }
    await deps.sleep(fullJitterDelay(attempt - 1, retry.baseDelayMs, retry.maxDelayMs, deps.random));
  }
}

async function sendOnce<TName extends string>(
  transaction: OutboxTransaction<TName>,
  dynamoDb: Pick<DynamoDBClient, 'send'>,
): Promise<readonly ItemCancellation<TName>[] | undefined> {
  try {
    await dynamoDb.send(new TransactWriteItemsCommand(transaction.input));
    return undefined;
  } catch (error) {
    if (!isTransactionCanceled(error)) throw error;
    return decodeCancellation(error.CancellationReasons ?? [], transaction.names);
  }
}

function isTransactionCanceled(error: unknown): error is TransactionCanceledException {
  return (
    error instanceof TransactionCanceledException ||
    (error as Error | undefined)?.name === 'TransactionCanceledException'
  );
}

/**
 * DynamoDB's reasons come one per action, in the order sent; each is given back the name of its item. Reasons
 * `None` (the item was fine) are left out.
 */
export function decodeCancellation<TName extends string>(
  reasons: readonly CancellationReason[],
  names: readonly (TName | OutboxEventItemName)[],
): readonly ItemCancellation<TName>[] {
  const cancellations: ItemCancellation<TName>[] = [];
  for (const [index, reason] of reasons.entries()) {
    const name = names[index];
    const code = reason.Code ?? 'None';
    if (name !== undefined && code !== 'None') cancellations.push({ item: name, code, reason });
  }
  return cancellations;
}

function onlyConflicts(cancellations: readonly ItemCancellation[]): boolean {
  return (
    cancellations.length > 0 &&
    cancellations.every((cancellation) => cancellation.code === 'TransactionConflict')
  );
}
