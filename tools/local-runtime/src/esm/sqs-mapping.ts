import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { FunctionInvocationError } from '../errors';
import { readBatchItemFailures } from './batch-item-failures';
import type { CompileFilter, Invoke, RecordFilter, RuntimeLog } from './types';

/**
 * An SQS event source mapping as its template defines it.
 *
 * @example const config: SqsMappingConfig = { uuid, functionArn, queueArn, queueUrl, batchSize: 10, reportBatchItemFailures: true };
 */
export interface SqsMappingConfig {
  readonly uuid: string;
  readonly functionArn: string;
  readonly queueArn: string;
  readonly queueUrl: string;
  /** @default 10 */
  readonly batchSize?: number;
  /** @default 0 (and at least 1 s when BatchSize > 10, as Lambda requires) */
  readonly maximumBatchingWindowInSeconds?: number;
  /** @default all messages */
  readonly filterPatterns?: readonly string[];
  /** @default false */
  readonly reportBatchItemFailures?: boolean;
  /** `ScalingConfig.MaximumConcurrency`: pollers invoking at the same time. @default 2 */
  readonly maximumConcurrency?: number;
  /** How the live log names this mapping, e.g. `EmailQueue → EmailConsumer`. @default the function ARN */
  readonly label?: string;
}

/**
 * What an {@link SqsMapping} needs from the outside.
 *
 * @example new SqsMapping(config, { sqs, invoke, compileFilter, log });
 */
export interface SqsMappingDeps {
  readonly sqs: SQSClient;
  readonly invoke: Invoke;
  readonly compileFilter: CompileFilter;
  readonly log: RuntimeLog;
  /**
   * Long-poll wait of each ReceiveMessage. Lambda's pollers long-poll with the maximum, 20 s, so an idle queue costs
   * one request per poller every 20 s; the edge answers as soon as a message is sent or becomes visible again, and
   * {@link SqsMapping.stop} aborts a pending poll. @default 20
   */
  readonly waitTimeSeconds?: number;
}

/**
 * Lambda's SQS event source mapping, run locally (hand-written: the poller is internal to Lambda). Pollers long-poll
 * the queue with ReceiveMessage, invoke the function with up to `BatchSize` messages, and delete what succeeded
 * (all messages, or all but the `batchItemFailures` with `ReportBatchItemFailures`, read as
 * {@link readBatchItemFailures} says). Failed messages are left in the queue: they come back after the queue's
 * visibility timeout, and the queue's redrive policy moves them to its DLQ once `maxReceiveCount` is reached
 * (Lambda developer guide, "Handling errors for an SQS event source in Lambda"). Messages not matching
 * `FilterCriteria` are deleted, as Lambda does ("Control which events Lambda sends to your function").
 *
 * @example const mapping = new SqsMapping(config, deps); mapping.start(); await mapping.stop();
 */
export class SqsMapping {
  private stopped = false;
  private readonly abort = new AbortController();
  private readonly filters: RecordFilter[];
  private pollers: Promise<void>[] = [];

  constructor(
    readonly config: SqsMappingConfig,
    private readonly deps: SqsMappingDeps,
  ) {
    this.filters = (config.filterPatterns ?? []).map((p) => deps.compileFilter(p));
  }

  /** Starts the pollers. */
  start(): void {
    this.pollers = Array.from({ length: this.config.maximumConcurrency ?? 2 }, () => this.poll());
  }

  /** Stops polling; in-flight invocations finish first. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await Promise.all(this.pollers);
  }

  private async poll(): Promise<void> {
    const batchSize = this.config.batchSize ?? 10;
    const windowMs = (this.config.maximumBatchingWindowInSeconds ?? 0) * 1000;
    while (!this.stopped) {
      const messages: Message[] = [];
      const started = Date.now();
      try {
        do {
          const out = await this.deps.sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: this.config.queueUrl,
              MaxNumberOfMessages: Math.min(10, batchSize - messages.length),
              WaitTimeSeconds: this.deps.waitTimeSeconds ?? 20,
              MessageSystemAttributeNames: ['All'],
              MessageAttributeNames: ['All'],
            }),
            { abortSignal: this.abort.signal },
          );
          messages.push(...(out.Messages ?? []));
        } while (
          !this.stopped &&
          messages.length > 0 &&
          messages.length < batchSize &&
          Date.now() - started < windowMs
        );
      } catch (error) {
        if (this.stopped) return;
        this.deps.log({
          kind: 'esm.error',
          message: `ReceiveMessage failed: ${(error as Error).message}`,
          details: { queue: this.config.queueArn },
        });
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      if (messages.length === 0) continue;
      try {
        await this.process(messages);
      } catch (error) {
        // e.g. DeleteMessageBatch failed: the messages come back after the visibility timeout
        this.deps.log({
          kind: 'esm.error',
          message: `handling a batch failed: ${(error as Error).message}`,
          details: { queue: this.config.queueArn },
        });
      }
    }
  }

  private toRecord(message: Message): Record<string, unknown> {
    const messageAttributes: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
      messageAttributes[name] = {
        stringValue: value.StringValue,
        binaryValue: value.BinaryValue ? Buffer.from(value.BinaryValue).toString('base64') : undefined,
        stringListValues: value.StringListValues ?? [],
        binaryListValues: [],
        dataType: value.DataType,
      };
    }
    return {
      messageId: message.MessageId,
      receiptHandle: message.ReceiptHandle,
      body: message.Body,
      // the system attributes, `AWSTraceHeader` included when the message was sent with one (an EventBridge rule
      // target's TraceHeader): the consumer links its trace to the producer's with it
      attributes: message.Attributes ?? {},
      messageAttributes,
      md5OfBody: message.MD5OfBody,
      eventSource: 'aws:sqs',
      eventSourceARN: this.config.queueArn,
      awsRegion: 'us-east-1',
    };
  }

  private matches(record: Record<string, unknown>): boolean {
    if (this.filters.length === 0) return true;
    let body: unknown = record.body;
    try {
      body = JSON.parse(String(record.body));
    } catch {
      // a body that is not JSON is matched as a string
    }
    const candidate = { ...record, body };
    return this.filters.some((f) => f.matches(candidate));
  }

  private async process(messages: Message[]): Promise<void> {
    const records = messages.map((m) => this.toRecord(m));
    const matching = records.filter((r) => this.matches(r));
    const filteredOut = records.filter((r) => !matching.includes(r));
    if (filteredOut.length > 0) await this.delete(filteredOut);
    if (matching.length === 0) return;
    let failedIds = new Set<string>();
    try {
      const result = await this.deps.invoke(this.config.functionArn, { Records: matching });
      if (this.config.reportBatchItemFailures) {
        const messageIds = matching.map((r) => r.messageId as string);
        const report = readBatchItemFailures(result, messageIds);
        if (report.kind === 'failed')
          this.deps.log({
            kind: 'esm.sqs-invalid-response',
            message: `the response of ${this.config.label ?? this.config.functionArn} fails the whole batch: ${report.reason}`,
            details: { queue: this.config.queueArn, function: this.config.functionArn },
          });
        failedIds = new Set(
          report.kind === 'ok' ? [] : report.kind === 'partial' ? report.itemIdentifiers : messageIds,
        );
      }
    } catch (error) {
      const reason =
        error instanceof FunctionInvocationError
          ? `${error.errorType}: ${error.errorMessage}`
          : (error as Error).message;
      this.deps.log({
        kind: 'esm.sqs-failed',
        message: `${matching.length} message(s) of ${queueName(this.config.queueArn)} failed (${reason}); they return after the visibility timeout`,
        details: { queue: this.config.queueArn, function: this.config.functionArn },
      });
      return;
    }
    if (failedIds.size > 0) {
      this.deps.log({
        kind: 'esm.sqs-partial',
        message: `${failedIds.size} of ${matching.length} message(s) of ${queueName(this.config.queueArn)} reported as failed; they return after the visibility timeout`,
        details: { queue: this.config.queueArn, function: this.config.functionArn },
      });
    }
    const succeeded = matching.filter((r) => !failedIds.has(r.messageId as string));
    await this.delete(succeeded);
    this.deps.log({
      kind: 'sqs.consumed',
      message: `${this.config.label ?? this.config.functionArn}: ${succeeded.length} message(s) handled and deleted`,
      details: { queue: this.config.queueArn, function: this.config.functionArn },
    });
  }

  private async delete(records: Record<string, unknown>[]): Promise<void> {
    for (let i = 0; i < records.length; i += 10) {
      const chunk = records.slice(i, i + 10);
      await this.deps.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.config.queueUrl,
          Entries: chunk.map((r, n) => ({ Id: String(n), ReceiptHandle: r.receiptHandle as string })),
        }),
      );
    }
  }
}

function queueName(arn: string): string {
  return arn.split(':').at(-1) ?? arn;
}
