import type { Message, Queue } from './sqs-model';

/**
 * One change of the local SQS state, as written to its journal before the request that made it is answered.
 *
 * @example const record: SqsJournalRecord = { op: 'deleted', queue: 'orders', id: '4f…' };
 */
export type SqsJournalRecord =
  | {
      readonly op: 'queue';
      readonly name: string;
      readonly arn: string;
      readonly attributes: Record<string, string>;
      readonly tags: Record<string, string>;
      readonly createdTimestamp: number;
      readonly lastModifiedTimestamp: number;
    }
  | { readonly op: 'queue-deleted'; readonly name: string }
  | { readonly op: 'message'; readonly queue: string; readonly message: Message }
  | {
      readonly op: 'received';
      readonly queue: string;
      readonly id: string;
      readonly receiveCount: number;
      readonly visibleAt: number;
      readonly firstReceiveTimestamp?: number;
      readonly receiptHandle: string;
    }
  | { readonly op: 'visibility'; readonly queue: string; readonly id: string; readonly visibleAt: number }
  | { readonly op: 'deleted'; readonly queue: string; readonly id: string }
  | { readonly op: 'purged'; readonly queue: string };

/** The journal record of a queue's definition. */
export function queueRecord(queue: Queue): SqsJournalRecord {
  return {
    op: 'queue',
    name: queue.name,
    arn: queue.arn,
    attributes: { ...queue.attributes },
    tags: { ...queue.tags },
    createdTimestamp: queue.createdTimestamp,
    lastModifiedTimestamp: queue.lastModifiedTimestamp,
  };
}

/**
 * Rebuilds queues from journal records, in order. Restored queues are marked `restored` (their next CreateQueue
 * takes the template's attributes); FIFO deduplication ids are not kept (after a restart a duplicate sent within
 * 5 minutes is enqueued again, which idempotent consumers absorb).
 *
 * @example const queues = replaySqsJournal(journal.read());
 */
export function replaySqsJournal(records: readonly SqsJournalRecord[]): Map<string, Queue> {
  const queues = new Map<string, Queue>();
  for (const record of records) {
    if (record.op === 'queue') {
      const existing = queues.get(record.name);
      if (existing) {
        for (const key of Object.keys(existing.attributes)) delete existing.attributes[key];
        Object.assign(existing.attributes, record.attributes);
        existing.lastModifiedTimestamp = record.lastModifiedTimestamp;
        continue;
      }
      queues.set(record.name, {
        name: record.name,
        arn: record.arn,
        attributes: { ...record.attributes },
        tags: { ...record.tags },
        createdTimestamp: record.createdTimestamp,
        lastModifiedTimestamp: record.lastModifiedTimestamp,
        messages: new Map(),
        receipts: new Map(),
        waiters: new Set(),
        deduplication: new Map(),
        sequence: 0n,
        restored: true,
      });
      continue;
    }
    if (record.op === 'queue-deleted') {
      queues.delete(record.name);
      continue;
    }
    const queue = queues.get(record.queue);
    if (!queue) continue;
    switch (record.op) {
      case 'message':
        queue.messages.set(record.message.messageId, { ...record.message });
        if (record.message.sequenceNumber) {
          const sequence = BigInt(record.message.sequenceNumber.replace(/^1+/, '') || '0');
          if (sequence > queue.sequence) queue.sequence = sequence;
        }
        break;
      case 'received': {
        const message = queue.messages.get(record.id);
        if (!message) break;
        message.receiveCount = record.receiveCount;
        message.visibleAt = record.visibleAt;
        message.inFlight = true;
        if (record.firstReceiveTimestamp !== undefined)
          message.firstReceiveTimestamp = record.firstReceiveTimestamp;
        queue.receipts.set(record.receiptHandle, record.id);
        break;
      }
      case 'visibility': {
        const message = queue.messages.get(record.id);
        if (message) message.visibleAt = record.visibleAt;
        break;
      }
      case 'deleted':
        queue.messages.delete(record.id);
        break;
      case 'purged':
        queue.messages.clear();
        queue.receipts.clear();
        break;
    }
  }
  for (const queue of queues.values()) {
    const live = new Set(queue.messages.keys());
    for (const [handle, id] of queue.receipts) if (!live.has(id)) queue.receipts.delete(handle);
  }
  return queues;
}

/**
 * The smallest journal that rebuilds `queues`: each queue, its messages, and the receive state of those in flight.
 *
 * @example journal.rewrite(snapshotSqs(queues));
 */
export function snapshotSqs(queues: Iterable<Queue>): SqsJournalRecord[] {
  const records: SqsJournalRecord[] = [];
  for (const queue of queues) {
    records.push(queueRecord(queue));
    const handles = new Map<string, string>();
    for (const [handle, id] of queue.receipts) handles.set(id, handle);
    for (const message of queue.messages.values()) {
      records.push({ op: 'message', queue: queue.name, message: { ...message } });
      const handle = handles.get(message.messageId);
      if (handle)
        records.push({
          op: 'received',
          queue: queue.name,
          id: message.messageId,
          receiveCount: message.receiveCount,
          visibleAt: message.visibleAt,
          ...(message.firstReceiveTimestamp !== undefined
            ? { firstReceiveTimestamp: message.firstReceiveTimestamp }
            : {}),
          receiptHandle: handle,
        });
    }
  }
  return records;
}
