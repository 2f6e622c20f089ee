import { randomUUID } from 'node:crypto';
import { AwsServiceError } from '../errors';
import type { ServiceContext } from '../service-context';
import {
  DEDUPLICATION_INTERVAL_MS,
  FIFO_DEFAULT_ATTRIBUTES,
  fifoReceivable,
  fifoSend,
  isFifo,
  validateFifoQueue,
  type FifoSend,
} from './fifo';
import { md5OfBody, md5OfMessageAttributes, type MessageAttributeValue } from './md5';
import { redrivePolicy, validateAttributes, type RedrivePolicy } from './queue-attributes';
import { renderMessage } from './render-message';
import { parseTraceHeader } from './trace-header';
import type { Journal } from '../persistence/journal';
import { queueRecord, replaySqsJournal, snapshotSqs, type SqsJournalRecord } from './sqs-journal';
import {
  batchEntries,
  batchFailure,
  DEFAULT_ATTRIBUTES,
  invalidParameter,
  nonExistentQueue,
  optional,
  SETTABLE,
  sqsError,
  str,
  validateMessage,
  type Input,
  type Message,
  type MoveTask,
  type Queue,
} from './sqs-model';

export { sqsError };

/**
 * Amazon SQS (standard and FIFO queues), in memory, behind the JSON protocol (`X-Amz-Target: AmazonSQS.<Action>`) the SDK v3
 * and the AWS CLI speak. Hand-written: no maintained library emulates SQS without Docker.
 *
 * Semantics follow the SQS developer guide: a received message is invisible for the visibility timeout, then
 * visible again with `ApproximateReceiveCount` incremented; with a `RedrivePolicy`, a message received
 * `maxReceiveCount` times is moved to the dead-letter queue on the next receive attempt; `DelaySeconds` hides new
 * messages; `WaitTimeSeconds` long-polls; MD5 digests of bodies and attributes are SQS's.
 * FIFO queues deliver each message group in order, one in-flight batch per group, and drop duplicates within 5
 * minutes (`MessageDeduplicationId` or, with `ContentBasedDeduplication`, the body's SHA-256).
 * Not emulated: the 60-second PurgeQueue limit, in-flight message quotas, high-throughput FIFO partitions.
 *
 * @example
 * const sqs = new SqsService(context);
 * await sqs.handle('CreateQueue', { QueueName: 'q' });
 */
export class SqsService {
  private readonly queues = new Map<string, Queue>();
  private readonly moveTasks: MoveTask[] = [];
  private stopped = false;

  /**
   * @param journal where every change is written before the request that made it is answered (queues, messages,
   * receive counts, visibility), and from which the state is rebuilt here; without one, state is in memory only.
   */
  constructor(
    private readonly context: ServiceContext,
    private readonly journal?: Journal<SqsJournalRecord>,
  ) {
    if (journal) {
      for (const [name, queue] of replaySqsJournal(journal.read())) this.queues.set(name, queue);
      journal.rewrite(snapshotSqs(this.queues.values()));
    }
  }

  private persist(record: SqsJournalRecord): void {
    if (!this.journal) return;
    this.journal.append(record);
    if (this.journal.appended > 50_000) this.journal.rewrite(snapshotSqs(this.queues.values()));
  }

  /**
   * Runs one SQS action; throws {@link AwsServiceError} as SQS answers. `signal` aborts a long poll whose client went
   * away, so no message is taken (and hidden) for a response nobody reads.
   */
  async handle(action: string, input: Input, signal?: AbortSignal): Promise<unknown> {
    const run = Object.hasOwn(this.actions, action) ? this.actions[action] : undefined;
    if (!run)
      throw new AwsServiceError(
        'UnknownOperationException',
        `Operation ${action} is not supported by the local SQS.`,
      );
    return run(input, signal);
  }

  /** One handler per SQS action (the route table {@link handle} dispatches on). */
  private readonly actions: Readonly<Record<string, (input: Input, signal?: AbortSignal) => unknown>> = {
    CreateQueue: (input) => this.createQueue(input),
    GetQueueUrl: (input) => ({ QueueUrl: this.url(this.queueByName(str(input.QueueName, 'QueueName'))) }),
    ListQueues: (input) => this.listQueues(input),
    DeleteQueue: (input) => this.deleteQueue(input),
    GetQueueAttributes: (input) => this.getQueueAttributes(input),
    SetQueueAttributes: (input) => this.setQueueAttributes(input),
    SendMessage: (input) => this.sendMessageAction(this.queueByUrl(input), input),
    SendMessageBatch: (input) => this.sendMessageBatch(input),
    ReceiveMessage: (input, signal) => this.receiveMessage(input, signal),
    DeleteMessage: (input) => {
      this.deleteMessage(this.queueByUrl(input), str(input.ReceiptHandle, 'ReceiptHandle'));
      return {};
    },
    DeleteMessageBatch: (input) =>
      this.batch(input, (queue, entry) =>
        this.deleteMessage(queue, str(entry.ReceiptHandle, 'ReceiptHandle')),
      ),
    ChangeMessageVisibility: (input) => {
      this.changeVisibility(this.queueByUrl(input), input);
      return {};
    },
    ChangeMessageVisibilityBatch: (input) =>
      this.batch(input, (queue, entry) => this.changeVisibility(queue, entry)),
    PurgeQueue: (input) => this.purgeQueue(input),
    ListDeadLetterSourceQueues: (input) => this.listDeadLetterSourceQueues(input),
    TagQueue: (input) => this.tagQueue(input),
    UntagQueue: (input) => this.untagQueue(input),
    ListQueueTags: (input) => ({ Tags: { ...this.queueByUrl(input).tags } }),
    StartMessageMoveTask: (input) => this.startMessageMoveTask(input),
    ListMessageMoveTasks: (input) => this.listMessageMoveTasks(input),
    CancelMessageMoveTask: () => {
      throw sqsError(
        'ResourceNotFoundException',
        'ResourceNotFoundException',
        'Local move tasks complete synchronously; there is no running task to cancel.',
      );
    },
  };

  private deleteQueue(input: Input): unknown {
    const name = this.queueByUrl(input).name;
    this.queues.delete(name);
    this.persist({ op: 'queue-deleted', name });
    return {};
  }

  private purgeQueue(input: Input): unknown {
    const queue = this.queueByUrl(input);
    queue.messages.clear();
    queue.receipts.clear();
    this.persist({ op: 'purged', queue: queue.name });
    return {};
  }

  private listDeadLetterSourceQueues(input: Input): unknown {
    const dlq = this.queueByUrl(input);
    const urls = [...this.queues.values()].filter((q) => redrivePolicy(q)?.deadLetterTargetArn === dlq.arn);
    return { queueUrls: urls.map((q) => this.url(q)) };
  }

  private tagQueue(input: Input): unknown {
    const queue = this.queueByUrl(input);
    Object.assign(queue.tags, (input.Tags as Record<string, string>) ?? {});
    this.persist(queueRecord(queue));
    return {};
  }

  private untagQueue(input: Input): unknown {
    const queue = this.queueByUrl(input);
    for (const key of (input.TagKeys as string[]) ?? []) delete queue.tags[key];
    this.persist(queueRecord(queue));
    return {};
  }

  private listMessageMoveTasks(input: Input): unknown {
    const sourceArn = str(input.SourceArn, 'SourceArn');
    this.queueByArn(sourceArn);
    const max = typeof input.MaxResults === 'number' ? input.MaxResults : 1;
    const results = this.moveTasks
      .filter((t) => t.SourceArn === sourceArn)
      .reverse()
      .slice(0, max);
    return { Results: results.map((t) => ({ ...t })) };
  }

  /**
   * Internal API for EventBridge targets: sends to the queue named by `arn` (throws `QueueDoesNotExist`). For a FIFO
   * queue, `fifo` gives the target's `SqsParameters.MessageGroupId` and the deduplication id (the event id), as
   * EventBridge sends them; a FIFO queue without a group id is refused like SendMessage refuses it. `traceHeader` is
   * the PutEvents entry's `TraceHeader`, which EventBridge hands to an SQS target as the `AWSTraceHeader` system
   * attribute (an invalid one is dropped, as X-Ray drops it; the message is still sent).
   */
  sendToArn(
    arn: string,
    body: string,
    messageAttributes?: Record<string, MessageAttributeValue>,
    fifo?: { readonly messageGroupId?: string; readonly deduplicationId: string },
    traceHeader?: string,
  ): string {
    const queue = this.queueByArn(arn);
    const fifoInput = isFifo(queue)
      ? fifoSend(
          queue,
          { MessageGroupId: fifo?.messageGroupId, MessageDeduplicationId: fifo?.deduplicationId },
          body,
        )
      : undefined;
    return this.enqueue(
      queue,
      body,
      messageAttributes,
      Number(queue.attributes.DelaySeconds),
      'events.amazonaws.com',
      undefined,
      fifoInput,
      parseTraceHeader(traceHeader) ? traceHeader : undefined,
    ).messageId;
  }

  /** Wakes every long poll so the server can close, and compacts the journal. */
  stop(): void {
    this.stopped = true;
    for (const queue of this.queues.values()) for (const wake of queue.waiters) wake();
    if (this.journal) {
      this.journal.rewrite(snapshotSqs(this.queues.values()));
      this.journal.close();
    }
  }

  private url(queue: Queue): string {
    return `${this.context.endpoint()}/${this.context.accountId}/${queue.name}`;
  }

  /** The edge's ARN of the queue an ARN names (by name), or undefined. */
  private readonly queueArn = (arn: string): string | undefined => {
    try {
      return this.queueByArn(arn).arn;
    } catch {
      return undefined;
    }
  };

  private queueByName(name: string): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw nonExistentQueue();
    return queue;
  }

  /** Resolves `QueueUrl` by its last path segment, so `localhost` and `127.0.0.1` URLs both work. */
  private queueByUrl(input: Input): Queue {
    const url = str(input.QueueUrl, 'QueueUrl');
    return this.queueByName(url.replace(/\/+$/, '').split('/').pop() ?? '');
  }

  /** Resolves an `arn:aws:sqs:<region>:<account>:<name>` ARN (by name). */
  queueByArn(arn: string): Queue {
    const parts = arn.split(':');
    if (parts.length !== 6 || parts[2] !== 'sqs')
      throw invalidParameter(`Value ${arn} for parameter QueueArn is invalid.`);
    return this.queueByName(parts[5] as string);
  }

  private createQueue(input: Input): unknown {
    const name = str(input.QueueName, 'QueueName');
    if (!/^[A-Za-z0-9_-]{1,80}(\.fifo)?$/.test(name)) {
      throw invalidParameter(
        `Value ${name} for parameter QueueName is invalid. Reason: Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length.`,
      );
    }
    const given = validateAttributes((input.Attributes as Record<string, string>) ?? {}, this.queueArn);
    validateFifoQueue(name, given);
    const existing = this.queues.get(name);
    if (existing?.restored) {
      // restored from the data directory: the template that declares it again may have changed its attributes
      delete existing.restored;
      for (const key of Object.keys(existing.attributes)) delete existing.attributes[key];
      Object.assign(
        existing.attributes,
        DEFAULT_ATTRIBUTES,
        given.FifoQueue === 'true' ? FIFO_DEFAULT_ATTRIBUTES : {},
        given,
      );
      existing.lastModifiedTimestamp = Date.now();
      this.persist(queueRecord(existing));
      return { QueueUrl: this.url(existing) };
    }
    if (existing) {
      for (const [key, value] of Object.entries(given)) {
        if (existing.attributes[key] !== value) {
          throw sqsError(
            'QueueNameExists',
            'QueueAlreadyExists',
            `A queue already exists with the same name and a different value for attribute ${key}`,
          );
        }
      }
      return { QueueUrl: this.url(existing) };
    }
    const now = Date.now();
    const queue: Queue = {
      name,
      arn: `arn:aws:sqs:${this.context.region}:${this.context.accountId}:${name}`,
      attributes: {
        ...DEFAULT_ATTRIBUTES,
        ...(given.FifoQueue === 'true' ? FIFO_DEFAULT_ATTRIBUTES : {}),
        ...given,
      },
      tags: { ...((input.tags as Record<string, string>) ?? {}) },
      createdTimestamp: now,
      lastModifiedTimestamp: now,
      messages: new Map(),
      receipts: new Map(),
      waiters: new Set(),
      deduplication: new Map(),
      sequence: 0n,
    };
    this.queues.set(name, queue);
    this.persist(queueRecord(queue));
    return { QueueUrl: this.url(queue) };
  }

  private listQueues(input: Input): unknown {
    const prefix = typeof input.QueueNamePrefix === 'string' ? input.QueueNamePrefix : '';
    const urls = [...this.queues.values()].filter((q) => q.name.startsWith(prefix)).map((q) => this.url(q));
    return urls.length > 0 ? { QueueUrls: urls } : {};
  }

  private getQueueAttributes(input: Input): unknown {
    const queue = this.queueByUrl(input);
    const names = (input.AttributeNames as string[] | undefined) ?? [];
    const now = Date.now();
    this.expire(queue, now);
    const messages = [...queue.messages.values()];
    const all: Record<string, string> = {
      ...queue.attributes,
      QueueArn: queue.arn,
      CreatedTimestamp: String(Math.floor(queue.createdTimestamp / 1000)),
      LastModifiedTimestamp: String(Math.floor(queue.lastModifiedTimestamp / 1000)),
      ApproximateNumberOfMessages: String(messages.filter((m) => m.visibleAt <= now).length),
      ApproximateNumberOfMessagesNotVisible: String(
        messages.filter((m) => m.visibleAt > now && m.inFlight).length,
      ),
      ApproximateNumberOfMessagesDelayed: String(
        messages.filter((m) => m.visibleAt > now && !m.inFlight).length,
      ),
    };
    if (names.includes('All')) return { Attributes: all };
    const picked: Record<string, string> = {};
    for (const name of names) {
      if (!(name in all) && !SETTABLE.has(name)) {
        throw sqsError('InvalidAttributeName', 'InvalidAttributeName', `Unknown Attribute ${name}.`);
      }
      const value = all[name];
      if (value !== undefined) picked[name] = value;
    }
    return Object.keys(picked).length > 0 ? { Attributes: picked } : {};
  }

  private setQueueAttributes(input: Input): unknown {
    const queue = this.queueByUrl(input);
    const given = validateAttributes((input.Attributes as Record<string, string>) ?? {}, this.queueArn);
    if (given.FifoQueue !== undefined && given.FifoQueue !== (queue.attributes.FifoQueue ?? 'false')) {
      throw sqsError(
        'InvalidAttributeName',
        'InvalidAttributeName',
        'Attribute FifoQueue cannot be changed.',
      );
    }
    for (const [key, value] of Object.entries(given)) {
      if (value === '' && key === 'RedrivePolicy') delete queue.attributes[key];
      else queue.attributes[key] = value;
    }
    queue.lastModifiedTimestamp = Date.now();
    this.persist(queueRecord(queue));
    return {};
  }

  private sendMessageAction(queue: Queue, input: Input): unknown {
    const body = str(input.MessageBody, 'MessageBody');
    const attributes = input.MessageAttributes as Record<string, MessageAttributeValue> | undefined;
    validateMessage(queue, body, attributes);
    const fifo = fifoSend(queue, input, body);
    const delay =
      input.DelaySeconds === undefined ? Number(queue.attributes.DelaySeconds) : Number(input.DelaySeconds);
    if (!Number.isInteger(delay) || delay < 0 || delay > 900) {
      throw invalidParameter(
        `Value ${String(input.DelaySeconds)} for parameter DelaySeconds is invalid. Reason: must be between 0 and 900, if provided.`,
      );
    }
    const system = systemAttributes(input);
    const message = this.enqueue(
      queue,
      body,
      attributes,
      delay,
      this.context.accountId,
      undefined,
      fifo,
      system?.AWSTraceHeader?.StringValue,
    );
    return {
      MessageId: message.messageId,
      MD5OfMessageBody: message.md5OfBody,
      ...optional('MD5OfMessageAttributes', md5OfMessageAttributes(attributes)),
      ...optional('MD5OfMessageSystemAttributes', md5OfMessageAttributes(system)),
      ...optional('SequenceNumber', message.sequenceNumber),
    };
  }

  private enqueue(
    queue: Queue,
    body: string,
    messageAttributes: Record<string, MessageAttributeValue> | undefined,
    delaySeconds: number,
    senderId: string,
    deadLetterSourceArn?: string,
    fifo?: FifoSend,
    awsTraceHeader?: string,
  ): Message {
    const now = Date.now();
    if (fifo) {
      for (const [id, seen] of queue.deduplication) if (seen.expiresAt <= now) queue.deduplication.delete(id);
      const duplicate = queue.deduplication.get(fifo.deduplicationId);
      // a duplicate within the deduplication interval is accepted but not enqueued again
      if (duplicate) return { ...(queue.messages.get(duplicate.messageId) ?? this.ghost(duplicate, body)) };
      queue.sequence += 1n;
    }
    const message: Message = {
      messageId: randomUUID(),
      body,
      md5OfBody: md5OfBody(body),
      ...(messageAttributes && Object.keys(messageAttributes).length > 0 ? { messageAttributes } : {}),
      sentTimestamp: now,
      senderId,
      ...(deadLetterSourceArn ? { deadLetterSourceArn } : {}),
      ...(awsTraceHeader ? { awsTraceHeader } : {}),
      ...(fifo
        ? {
            messageGroupId: fifo.messageGroupId,
            deduplicationId: fifo.deduplicationId,
            sequenceNumber: queue.sequence.toString().padStart(20, '1'),
          }
        : {}),
      receiveCount: 0,
      visibleAt: now + delaySeconds * 1000,
      inFlight: false,
    };
    if (fifo) {
      queue.deduplication.set(fifo.deduplicationId, {
        messageId: message.messageId,
        sequenceNumber: message.sequenceNumber as string,
        expiresAt: now + DEDUPLICATION_INTERVAL_MS,
      });
    }
    queue.messages.set(message.messageId, message);
    this.persist({ op: 'message', queue: queue.name, message });
    this.wake(queue);
    return message;
  }

  /** What SendMessage answers for a duplicate whose original was already deleted. */
  private ghost(seen: { messageId: string; sequenceNumber: string }, body: string): Message {
    return {
      messageId: seen.messageId,
      body,
      md5OfBody: md5OfBody(body),
      sentTimestamp: Date.now(),
      senderId: this.context.accountId,
      sequenceNumber: seen.sequenceNumber,
      receiveCount: 0,
      visibleAt: 0,
      inFlight: false,
    };
  }

  private sendMessageBatch(input: Input): unknown {
    const queue = this.queueByUrl(input);
    const entries = batchEntries(input);
    const total = entries.reduce((sum, e) => sum + Buffer.byteLength(String(e.MessageBody ?? '')), 0);
    if (total > Number(queue.attributes.MaximumMessageSize)) {
      throw sqsError(
        'BatchRequestTooLong',
        'AWS.SimpleQueueService.BatchRequestTooLong',
        `Batch requests cannot be longer than ${queue.attributes.MaximumMessageSize} bytes. You have sent ${total} bytes.`,
      );
    }
    const Successful: unknown[] = [];
    const Failed: unknown[] = [];
    for (const entry of entries) {
      try {
        const result = this.sendMessageAction(queue, entry) as Record<string, string>;
        Successful.push({ Id: entry.Id, ...result });
      } catch (error) {
        Failed.push(batchFailure(entry.Id as string, error));
      }
    }
    return { Successful, Failed };
  }

  private batch(input: Input, apply: (queue: Queue, entry: Input) => void): unknown {
    const queue = this.queueByUrl(input);
    const Successful: unknown[] = [];
    const Failed: unknown[] = [];
    for (const entry of batchEntries(input)) {
      try {
        apply(queue, entry);
        Successful.push({ Id: entry.Id });
      } catch (error) {
        Failed.push(batchFailure(entry.Id as string, error));
      }
    }
    return { Successful, Failed };
  }

  private async receiveMessage(input: Input, signal?: AbortSignal): Promise<unknown> {
    const queue = this.queueByUrl(input);
    const max = input.MaxNumberOfMessages === undefined ? 1 : Number(input.MaxNumberOfMessages);
    if (!Number.isInteger(max) || max < 1 || max > 10) {
      throw invalidParameter(
        `Value ${String(input.MaxNumberOfMessages)} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`,
      );
    }
    const wait =
      input.WaitTimeSeconds === undefined
        ? Number(queue.attributes.ReceiveMessageWaitTimeSeconds)
        : Number(input.WaitTimeSeconds);
    if (!Number.isInteger(wait) || wait < 0 || wait > 20) {
      throw invalidParameter(
        `Value ${String(input.WaitTimeSeconds)} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.`,
      );
    }
    const visibility =
      input.VisibilityTimeout === undefined
        ? Number(queue.attributes.VisibilityTimeout)
        : Number(input.VisibilityTimeout);
    if (!Number.isInteger(visibility) || visibility < 0 || visibility > 43200) {
      throw invalidParameter(
        `Value ${String(input.VisibilityTimeout)} for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided.`,
      );
    }
    const deadline = Date.now() + wait * 1000;
    for (;;) {
      if (signal?.aborted) return {};
      const received = this.take(queue, max, visibility);
      if (received.length > 0) return { Messages: received.map((m) => renderMessage(m, input)) };
      const now = Date.now();
      if (now >= deadline || this.stopped || !this.queues.has(queue.name)) return {};
      await this.waitForChange(queue, deadline, signal);
    }
  }

  private waitForChange(queue: Queue, deadline: number, signal?: AbortSignal): Promise<void> {
    const now = Date.now();
    let next = deadline;
    for (const m of queue.messages.values()) if (m.visibleAt > now && m.visibleAt < next) next = m.visibleAt;
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        queue.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(1, next - now));
      queue.waiters.add(done);
      signal?.addEventListener('abort', done);
    });
  }

  private wake(queue: Queue): void {
    for (const wake of [...queue.waiters]) wake();
  }

  private expire(queue: Queue, now: number): void {
    const retention = Number(queue.attributes.MessageRetentionPeriod) * 1000;
    for (const m of queue.messages.values())
      if (now - m.sentTimestamp > retention) {
        queue.messages.delete(m.messageId);
        this.persist({ op: 'deleted', queue: queue.name, id: m.messageId });
      }
  }

  private take(queue: Queue, max: number, visibility: number): { message: Message; receiptHandle: string }[] {
    const now = Date.now();
    this.expire(queue, now);
    const redrive = redrivePolicy(queue);
    const taken: { message: Message; receiptHandle: string }[] = [];
    const candidates = isFifo(queue) ? fifoReceivable(queue, now) : queue.messages.values();
    for (const message of candidates) {
      if (taken.length >= max) break;
      if (message.visibleAt > now) continue;
      if (
        redrive &&
        message.receiveCount >= redrive.maxReceiveCount &&
        this.moveToDeadLetterQueue(queue, message, redrive)
      ) {
        continue;
      }
      message.receiveCount += 1;
      message.firstReceiveTimestamp ??= now;
      message.visibleAt = now + visibility * 1000;
      message.inFlight = true;
      const receiptHandle = Buffer.from(`${queue.name}:${message.messageId}:${randomUUID()}`).toString(
        'base64',
      );
      queue.receipts.set(receiptHandle, message.messageId);
      this.persist({
        op: 'received',
        queue: queue.name,
        id: message.messageId,
        receiveCount: message.receiveCount,
        visibleAt: message.visibleAt,
        firstReceiveTimestamp: message.firstReceiveTimestamp ?? now,
        receiptHandle,
      });
      taken.push({ message, receiptHandle });
    }
    return taken;
  }

  private moveToDeadLetterQueue(queue: Queue, message: Message, redrive: RedrivePolicy): boolean {
    let dlq: Queue;
    try {
      dlq = this.queueByArn(redrive.deadLetterTargetArn);
    } catch {
      return false;
    }
    queue.messages.delete(message.messageId);
    const moved: Message = {
      ...message,
      receiveCount: 0,
      visibleAt: Date.now(),
      inFlight: false,
      deadLetterSourceArn: queue.arn,
    };
    delete moved.firstReceiveTimestamp;
    dlq.messages.set(moved.messageId, moved);
    this.persist({ op: 'deleted', queue: queue.name, id: message.messageId });
    this.persist({ op: 'message', queue: dlq.name, message: moved });
    this.wake(dlq);
    const reason = `received ${message.receiveCount} times, maxReceiveCount is ${redrive.maxReceiveCount}`;
    this.context.log.emit(
      'sqs',
      'sqs.dlq',
      `message ${message.messageId} moved from ${queue.name} to DLQ ${dlq.name}: ${reason}`,
      {
        messageId: message.messageId,
        queue: queue.name,
        deadLetterQueue: dlq.name,
        reason,
      },
    );
    return true;
  }

  private messageByReceipt(queue: Queue, receiptHandle: string): Message | undefined {
    const id = queue.receipts.get(receiptHandle);
    if (id === undefined) {
      const decoded = Buffer.from(receiptHandle, 'base64').toString('utf8');
      if (!decoded.startsWith(`${queue.name}:`)) {
        throw sqsError(
          'ReceiptHandleIsInvalid',
          'ReceiptHandleIsInvalid',
          `The input receipt handle "${receiptHandle}" is not a valid receipt handle.`,
        );
      }
      return undefined; // a handle of a message already deleted: SQS accepts it
    }
    return queue.messages.get(id);
  }

  private deleteMessage(queue: Queue, receiptHandle: string): void {
    const message = this.messageByReceipt(queue, receiptHandle);
    queue.receipts.delete(receiptHandle);
    if (message) {
      queue.messages.delete(message.messageId);
      this.persist({ op: 'deleted', queue: queue.name, id: message.messageId });
    }
  }

  private changeVisibility(queue: Queue, input: Input): void {
    const receiptHandle = str(input.ReceiptHandle, 'ReceiptHandle');
    const timeout = Number(input.VisibilityTimeout);
    if (!Number.isInteger(timeout) || timeout < 0 || timeout > 43200) {
      throw invalidParameter(
        `Value ${String(input.VisibilityTimeout)} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200.`,
      );
    }
    const message = this.messageByReceipt(queue, receiptHandle);
    const now = Date.now();
    if (!message || !message.inFlight || message.visibleAt <= now) {
      throw sqsError(
        'MessageNotInflight',
        'AWS.SimpleQueueService.MessageNotInflight',
        'Message does not exist or is not available for visibility timeout change.',
      );
    }
    message.visibleAt = now + timeout * 1000;
    this.persist({
      op: 'visibility',
      queue: queue.name,
      id: message.messageId,
      visibleAt: message.visibleAt,
    });
    if (timeout === 0) this.wake(queue);
  }

  private startMessageMoveTask(input: Input): unknown {
    const sourceArn = str(input.SourceArn, 'SourceArn');
    const source = this.queueByArn(sourceArn);
    const isDlq = [...this.queues.values()].some((q) => redrivePolicy(q)?.deadLetterTargetArn === source.arn);
    if (!isDlq) throw invalidParameter('Source queue must be configured as a Dead Letter Queue.');
    const destinationArn = typeof input.DestinationArn === 'string' ? input.DestinationArn : undefined;
    if (destinationArn) this.queueByArn(destinationArn);
    const now = Date.now();
    const visible = [...source.messages.values()].filter((m) => m.visibleAt <= now);
    const task: MoveTask = {
      TaskHandle: Buffer.from(JSON.stringify({ taskId: randomUUID(), sourceArn })).toString('base64'),
      SourceArn: sourceArn,
      ...(destinationArn ? { DestinationArn: destinationArn } : {}),
      ...(typeof input.MaxNumberOfMessagesPerSecond === 'number'
        ? { MaxNumberOfMessagesPerSecond: input.MaxNumberOfMessagesPerSecond }
        : {}),
      StartedTimestamp: now,
      Status: 'RUNNING',
      ApproximateNumberOfMessagesMoved: 0,
      ApproximateNumberOfMessagesToMove: visible.length,
    };
    this.moveTasks.push(task);
    for (const message of visible) {
      const target = destinationArn ?? message.deadLetterSourceArn;
      if (!target) {
        task.Status = 'FAILED';
        task.FailureReason = `Message ${message.messageId} has no original source queue; give DestinationArn.`;
        break;
      }
      const destination = this.queueByArn(target);
      source.messages.delete(message.messageId);
      this.persist({ op: 'deleted', queue: source.name, id: message.messageId });
      const fifo = isFifo(destination)
        ? { messageGroupId: message.messageGroupId ?? message.messageId, deduplicationId: randomUUID() }
        : undefined;
      this.enqueue(
        destination,
        message.body,
        message.messageAttributes,
        0,
        message.senderId,
        undefined,
        fifo,
        message.awsTraceHeader,
      );
      task.ApproximateNumberOfMessagesMoved += 1;
      this.context.log.emit(
        'sqs',
        'sqs.moved',
        `message ${message.messageId} redriven from ${source.name} to ${destination.name}`,
        {
          messageId: message.messageId,
          from: source.name,
          to: destination.name,
        },
      );
    }
    if (task.Status === 'RUNNING') task.Status = 'COMPLETED';
    return { TaskHandle: task.TaskHandle };
  }
}

/**
 * The `MessageSystemAttributes` of a SendMessage (or batch entry): only `AWSTraceHeader` exists, a `String` holding
 * an X-Ray trace header (SQS's `MessageSystemAttributeValue`). Undefined when none is given.
 */
function systemAttributes(input: Input): Record<string, MessageAttributeValue> | undefined {
  const given = input.MessageSystemAttributes as Record<string, MessageAttributeValue> | undefined;
  if (given === undefined || Object.keys(given).length === 0) return undefined;
  for (const [name, value] of Object.entries(given)) {
    if (name !== 'AWSTraceHeader') {
      throw invalidParameter(
        `Message system attribute name '${name}' is invalid: AWSTraceHeader is the only message system attribute.`,
      );
    }
    if (value.DataType !== 'String' || !parseTraceHeader(value.StringValue)) {
      throw invalidParameter(
        `Message system attribute AWSTraceHeader must be a String holding an X-Ray trace header (Root=1-<8 hex>-<24 hex>;Parent=<16 hex>;Sampled=<0|1>); received ${value.DataType} ${JSON.stringify(value.StringValue)}.`,
      );
    }
  }
  return given;
}
