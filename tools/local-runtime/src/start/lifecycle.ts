/**
 * Milliseconds each start phase took, filled by {@link PhaseTimer.time}.
 *
 * @example const timer = new PhaseTimer(); await timer.time('deploy', () => deploy()); timer.timings.deploy;
 */
export class PhaseTimer {
  private readonly measured: Record<string, number> = {};

  /** Each phase's duration so far, by phase name. */
  get timings(): Readonly<Record<string, number>> {
    return this.measured;
  }

  /** Runs `work` and records how long it took under `phase`, whether it succeeds or fails. */
  async time<T>(phase: string, work: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
      return await work();
    } finally {
      this.measured[phase] = Date.now() - started;
    }
  }
}

/**
 * The stop path of a start: each step that starts something adds what stops it, and {@link Disposers.disposeAll}
 * runs them in reverse order (the last started stops first), each once, a failing one not stopping the others.
 *
 * @example const disposers = new Disposers(); disposers.add(() => server.stop()); await disposers.disposeAll();
 */
export class Disposers {
  private readonly pending: (() => Promise<void>)[] = [];
  private disposing = false;

  /** True once {@link Disposers.disposeAll} was called: what stops from then on is expected to stop. */
  get stopping(): boolean {
    return this.disposing;
  }

  /** Adds the disposer of something just started. */
  add(dispose: () => Promise<void> | void): void {
    this.pending.push(async () => dispose());
  }

  /** Runs every disposer not yet run, the last added first. Safe to call twice. */
  async disposeAll(): Promise<void> {
    this.disposing = true;
    for (const dispose of this.pending.splice(0).reverse()) await dispose().catch(() => undefined);
  }
}
