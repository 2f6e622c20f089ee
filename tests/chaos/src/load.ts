import type { Endpoints } from './system';

/**
 * What the clients saw: the status of each user's final answer and the transport errors met on the way.
 *
 * @example const { created } = await createUsers(() => endpoints, 'baseline', 20, 5);
 */
export interface LoadResult {
  /** email → user id, for each user answered 201. */
  readonly created: ReadonlyMap<string, string>;
  /** Final statuses other than 201, by status. */
  readonly refused: Readonly<Record<number, number>>;
  /** Connections refused (nothing was sent: the API was down). */
  readonly connectionsRefused: number;
  /** Connections broken after the request was sent: the client cannot know whether the user was created. */
  readonly connectionsBroken: number;
  /**
   * Users whose request met a broken connection although the user had been created: the retry (same key) was
   * answered by a replay (`idempotent-replayed: true`). Without the key, that retry would have got a 409.
   */
  readonly brokenButCreated: number;
  /** 5xx answers, each retried with the same Idempotency-Key. */
  readonly serverErrors: number;
}

/** The chaos suite's addresses: `chaos-<scenario>-<n>@example.com`, so each scenario reads back its own users. */
export const emailOf = (scenario: string, n: number): string => `chaos-${scenario}-${n}@example.com`;

/**
 * Creates `count` users with `concurrency` clients, the way a careful client does: each request carries an
 * Idempotency-Key, and a transport error or a 5xx is retried with the same key (the API replays the first answer),
 * reading the API's address again each time (a restarted runtime may listen elsewhere), until `deadlineMs`.
 *
 * @example const result = await createUsers(() => endpoints, 'baseline', 20, 5);
 */
export async function createUsers(
  endpoints: () => Endpoints | undefined,
  scenario: string,
  count: number,
  concurrency: number,
  onCreated: (created: number) => void = () => undefined,
  deadlineMs = 180_000,
): Promise<LoadResult> {
  const created = new Map<string, string>();
  const refused: Record<number, number> = {};
  let connectionsRefused = 0;
  let connectionsBroken = 0;
  let brokenButCreated = 0;
  let serverErrors = 0;
  const deadline = Date.now() + deadlineMs;
  let next = 0;
  const client = async () => {
    for (;;) {
      const n = next++;
      if (n >= count) return;
      const email = emailOf(scenario, n);
      const key = `chaos-${scenario}-${n}`;
      let broken = false;
      for (;;) {
        if (Date.now() > deadline)
          throw new Error(`user ${n} of ${scenario} got no answer before the deadline`);
        const api = endpoints()?.api;
        if (!api) {
          await sleep(200);
          continue;
        }
        let response: Response;
        try {
          response = await fetch(`${api}users`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'idempotency-key': key },
            body: JSON.stringify({ email, name: `Chaos ${n}` }),
          });
        } catch (error) {
          const code = (error as { cause?: { code?: string } }).cause?.code;
          if (code === 'ECONNREFUSED') connectionsRefused += 1;
          else {
            connectionsBroken += 1;
            broken = true;
          }
          await sleep(200);
          continue;
        }
        if (response.status >= 500) {
          serverErrors += 1;
          await response.body?.cancel();
          await sleep(200);
          continue;
        }
        if (response.status === 201) {
          if (broken && response.headers.get('idempotent-replayed') === 'true') brokenButCreated += 1;
          created.set(email, ((await response.json()) as { id: string }).id);
          onCreated(created.size);
        } else {
          refused[response.status] = (refused[response.status] ?? 0) + 1;
          await response.body?.cancel();
        }
        break;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  return { created, refused, connectionsRefused, connectionsBroken, brokenButCreated, serverErrors };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
