/** Which queue (or request) brought an event to the redrive. */
export type RedriveOrigin = 'on-failure' | 'poison' | 'event-id';

/** One event the redrive republished (or, in a dry run, would republish). */
export interface RepublishedEvent {
  readonly eventId: string;
  readonly eventType: string;
  readonly aggregateId: string;
  readonly origin: RedriveOrigin;
}

/**
 * Why an event was not republished although nothing failed:
 * - `expired`: its outbox item is gone or past its TTL (nothing left to republish; consumers' deduplication
 *   records may be gone too, so a late copy could apply twice);
 * - `already-redriven`: an earlier redrive republished it (`redrivenAt` is set);
 * - `needs-contract-check`: a poison record, and this run has no contracts to check it against.
 */
export type SkipReason = 'expired' | 'already-redriven' | 'needs-contract-check';

/** One event (or, for a pointer the table no longer answers, one pointer) the redrive skipped. */
export interface SkippedEvent {
  /** Absent when an expired pointer no longer names its events. */
  readonly eventId?: string;
  readonly origin: RedriveOrigin;
  readonly reason: SkipReason;
  /** The SQS message that brought it. */
  readonly messageId?: string;
}

/** One event or message the redrive could not handle; its message stays in its queue. */
export interface FailedEvent {
  readonly eventId?: string;
  readonly origin: RedriveOrigin;
  readonly messageId?: string;
  /** e.g. `contract-violation: detail.data.email must match format "email"`, `PutEvents InternalFailure …`. */
  readonly reason: string;
}

/** Per queue: messages received and deleted (a message is deleted once all its events are handled). */
export interface QueueCounts {
  readonly received: number;
  readonly deleted: number;
}

/**
 * What one redrive run did. In a dry run `republished` lists what a real run would republish, and nothing is
 * published, marked or deleted.
 *
 * @example
 * const report = await redrive(options, deps);
 * if (report.failed.length > 0) process.exitCode = 1;
 */
export interface RedriveReport {
  readonly dryRun: boolean;
  readonly republished: readonly RepublishedEvent[];
  readonly skipped: readonly SkippedEvent[];
  readonly failed: readonly FailedEvent[];
  readonly messages: { readonly onFailure: QueueCounts; readonly poison: QueueCounts };
  /** How on-failure pointers were resolved: read again from the stream, or by the table's `occurredAt` window. */
  readonly pointers: { readonly fromStream: number; readonly fromTimeWindow: number };
}
