import { describe, expect, it } from 'vitest';
import type { LoadResult } from './load';
import type { Observed } from './system';
import { judge } from './verdict';

const load: LoadResult = {
  created: new Map([['chaos-email-crash-1@example.com', 'u1']]),
  refused: {},
  connectionsRefused: 0,
  connectionsBroken: 0,
  brokenButCreated: 0,
  serverErrors: 0,
};

/** One committed event `e1`, with `emails` welcome emails and one audit record. */
function observed(emails: number): Observed {
  return {
    committed: new Map([['e1', 'chaos-email-crash-1@example.com']]),
    emails: new Map([['e1', emails]]),
    audits: new Map([['e1', 1]]),
  };
}

describe('the chaos verdict counts duplicates as guarantee 3 allows them: one per crashed invocation, each logged', () => {
  it('guarantee 3: an event whose worker crashed twice after SendEmail has three emails and two logged possible duplicates: none uncounted', () => {
    const f = judge('email-crash', observed(3), load, ['e1', 'e1'], 0);

    expect(f).toMatchObject({ duplicatedEmails: 2, possibleDuplicates: 2, uncountedDuplicates: 0, lost: 0 });
  });

  it('guarantee 3: three emails with one logged possible duplicate leave one duplicate uncounted', () => {
    const f = judge('email-crash', observed(3), load, ['e1'], 0);

    expect(f).toMatchObject({ duplicatedEmails: 2, possibleDuplicates: 1, uncountedDuplicates: 1 });
  });

  it('guarantee 3: a second email with no logged possible duplicate is uncounted; a log of another event does not count for it', () => {
    const f = judge('email-crash', observed(2), load, ['e-other'], 0);

    expect(f).toMatchObject({ duplicatedEmails: 1, possibleDuplicates: 0, uncountedDuplicates: 1 });
  });

  it('guarantee 3: a logged possible duplicate whose effect was not repeated (a crash before SendEmail) is no duplicate', () => {
    const f = judge('email-crash', observed(1), load, ['e1'], 0);

    expect(f).toMatchObject({ duplicatedEmails: 0, possibleDuplicates: 1, uncountedDuplicates: 0 });
  });

  it('guarantee 2: an event without its email is lost, and an effect of an uncommitted event is counted', () => {
    const f = judge(
      'email-crash',
      {
        ...observed(0),
        audits: new Map([
          ['e1', 1],
          ['e-uncommitted', 1],
        ]),
      },
      load,
      [],
      0,
    );

    expect(f).toMatchObject({ lost: 1, effectsWithoutCommit: 1, committed: 1, answered: 1 });
  });
});
