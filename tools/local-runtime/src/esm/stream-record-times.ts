/**
 * Keeps stream records' `ApproximateCreationDateTime` true to the second on DynamoDB Local.
 *
 * The DynamoDB Streams API documents the time "rounded down to the closest second" (Amazon DynamoDB Streams API
 * Reference, StreamRecord); DynamoDB Local rounds it down to the minute, so a record written at 12:00:41 claims
 * 12:00:00 and looks 41 s older than it is: `MaximumRecordAgeInSeconds` would discard it early, and a consumer's
 * age metric would read up to a minute too old.
 *
 * A shard reader knows better than the minute. A GetRecords call that returned fewer records than it asked for
 * read the shard to its end, so any record it did not return was written after that call was sent. The next record
 * read was therefore written after that moment: its time is the later of what the stream says and that moment,
 * rounded down to the second. That is never earlier than the write could have happened, and, with shards polled
 * four times a second, at most one poll interval (plus the second's rounding) before it did. Against DynamoDB itself
 * (times already to the second) the rule changes nothing. Records written before the reader first reached the end
 * of the shard (before a restart, say) keep the stream's own time, the only bound known for them.
 *
 * @example
 * const times = new StreamRecordTimes();
 * const sentAt = Date.now();
 * const out = await streams.send(new GetRecordsCommand({ ShardIterator, Limit: 1000 }));
 * const created = (out.Records ?? []).map((r) => times.creationSeconds(r.dynamodb?.ApproximateCreationDateTime));
 * times.afterRead(sentAt, out.Records?.length ?? 0, 1000);
 */
export class StreamRecordTimes {
  /**
   * @param writtenAfterMs a moment every record not yet read was written after, e.g. when a DescribeStream that
   *   did not list the shard yet was sent. @default none known
   */
  constructor(private writtenAfterMs = -Infinity) {}

  /**
   * The record's creation time in epoch seconds (as Lambda hands it to the function), from the stream's own value.
   *
   * @example times.creationSeconds(new Date('2026-12-04T12:00:00Z')) // 12:00:41 in epoch seconds, once the reader
   * // has read the shard to its end at 12:00:41.3 and then finds this record
   */
  creationSeconds(reported: Date | number | string | undefined): number | undefined {
    const reportedMs = reported === undefined ? undefined : toMillis(reported);
    if (reportedMs === undefined && this.writtenAfterMs === -Infinity) return undefined;
    return Math.floor(Math.max(reportedMs ?? -Infinity, this.writtenAfterMs) / 1000);
  }

  /**
   * Call after each GetRecords with when it was sent and how many records it returned: a call that returned fewer
   * than its `Limit` read the shard to its end, so every later record was written after `sentAtMs`.
   *
   * @example times.afterRead(sentAt, out.Records?.length ?? 0, 1000);
   */
  afterRead(sentAtMs: number, returned: number, limit: number): void {
    if (returned < limit) this.writtenAfterMs = Math.max(this.writtenAfterMs, sentAtMs);
  }
}

function toMillis(value: Date | number | string): number {
  if (value instanceof Date) return value.getTime();
  // the SDK parses the wire value into a Date; a number here is epoch seconds, as in Lambda's event
  if (typeof value === 'number') return value * 1000;
  return new Date(value).getTime();
}
