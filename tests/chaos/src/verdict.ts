import type { LoadResult } from './load';
import { sleep } from './load';
import { messagesInFlight, observe, type Endpoints, type Observed } from './system';

/**
 * One scenario's figures, as the README's chaos table shows them.
 *
 * @example console.table([figures]);
 */
export interface Figures {
  readonly scenario: string;
  /** Users answered 201. */
  readonly answered: number;
  /** UserCreated events committed in the users table for the scenario's users. */
  readonly committed: number;
  /** Committed events without their email or without their audit record. */
  readonly lost: number;
  /** Emails beyond one per committed event. */
  readonly duplicatedEmails: number;
  /** Audit records beyond one per committed event. */
  readonly duplicatedAudits: number;
  /**
   * Duplicated emails beyond the possible duplicates the email consumer logged for their event: guarantee 3 allows
   * one extra email per crashed invocation, and each must be logged, so an event whose worker crashed twice after
   * SendEmail may have three emails and two logs.
   */
  readonly uncountedDuplicates: number;
  /** Possible duplicates the email consumer logged (retaken marks of dead invocations) for this scenario's events. */
  readonly possibleDuplicates: number;
  /** Emails or audit records, anywhere, of an event that is not committed. */
  readonly effectsWithoutCommit: number;
  /** Users answered 201 whose event is not in the table (DynamoDB Local losing acknowledged writes). */
  readonly answeredButNotCommitted: number;
  /** Connections broken after the request was sent (the client could not know the outcome). */
  readonly connectionsBroken: number;
  /** Of those, users that had been created: the retry with the same Idempotency-Key got the replayed 201. */
  readonly brokenButCreated: number;
  /** Seconds from the end of the load (or of the fault) until every committed event had its effects. */
  readonly recoverySeconds: number;
}

/**
 * Waits until every committed event of the scenario has an email and an audit record and no message is left in the
 * consumers' queues (so a late redelivery, a duplicate's source, has happened before the count). Returns the
 * state and how long that took.
 *
 * @example const { observed, ms } = await settle(() => endpoints, 'baseline');
 */
export async function settle(
  endpoints: () => Endpoints | undefined,
  scenario: string,
  timeoutMs = 120_000,
): Promise<{ observed: Observed; ms: number }> {
  const started = Date.now();
  for (;;) {
    const current = endpoints();
    if (current) {
      try {
        const observed = await observe(current);
        const mine = [...observed.committed].filter(([, email]) => email.startsWith(`chaos-${scenario}-`));
        const complete = mine.every(
          ([id]) => (observed.emails.get(id) ?? 0) > 0 && (observed.audits.get(id) ?? 0) > 0,
        );
        if (complete && (await messagesInFlight(current)) === 0)
          return { observed, ms: Date.now() - started };
        if (Date.now() - started > timeoutMs) return { observed, ms: Date.now() - started };
      } catch {
        // the system is restarting: ask again
      }
    }
    await sleep(500);
  }
}

/**
 * Judges a scenario from the state the system settled in.
 *
 * @example const figures = judge('baseline', observed, load, possibleDuplicateIds, ms);
 */
export function judge(
  scenario: string,
  observed: Observed,
  load: LoadResult,
  possibleDuplicateIds: readonly string[],
  recoveryMs: number,
): Figures {
  const mine = [...observed.committed].filter(([, email]) => email.startsWith(`chaos-${scenario}-`));
  const committedEmails = new Set(mine.map(([, email]) => email));
  const counted = new Map<string, number>();
  for (const id of possibleDuplicateIds) counted.set(id, (counted.get(id) ?? 0) + 1);
  let lost = 0;
  let duplicatedEmails = 0;
  let duplicatedAudits = 0;
  let uncountedDuplicates = 0;
  for (const [id] of mine) {
    const emails = observed.emails.get(id) ?? 0;
    const audits = observed.audits.get(id) ?? 0;
    if (emails === 0 || audits === 0) lost += 1;
    duplicatedEmails += Math.max(0, emails - 1);
    duplicatedAudits += Math.max(0, audits - 1);
    uncountedDuplicates += Math.max(0, emails - 1 - (counted.get(id) ?? 0));
  }
  const effectsWithoutCommit =
    [...observed.emails.keys()].filter((id) => !observed.committed.has(id)).length +
    [...observed.audits.keys()].filter((id) => !observed.committed.has(id)).length;
  return {
    scenario,
    answered: load.created.size,
    committed: mine.length,
    lost,
    duplicatedEmails,
    duplicatedAudits,
    uncountedDuplicates,
    possibleDuplicates: mine.reduce((sum, [id]) => sum + (counted.get(id) ?? 0), 0),
    effectsWithoutCommit,
    answeredButNotCommitted: [...load.created.keys()].filter((email) => !committedEmails.has(email)).length,
    connectionsBroken: load.connectionsBroken,
    brokenButCreated: load.brokenButCreated,
    recoverySeconds: Math.round(recoveryMs / 100) / 10,
  };
}

/**
 * Collects the event ids the email consumer logged as possible duplicates, from its function output lines.
 *
 * @example functionLog: (name, line) => possibleDuplicates.take(line)
 */
export class PossibleDuplicateLog {
  readonly eventIds: string[] = [];

  take(line: string): void {
    if (!line.includes('Possible duplicate effect')) return;
    const json = line.slice(line.indexOf('{'));
    try {
      const entry = JSON.parse(json) as { eventId?: unknown };
      if (typeof entry.eventId === 'string') this.eventIds.push(entry.eventId);
    } catch {
      // not a JSON log line
    }
  }
}
