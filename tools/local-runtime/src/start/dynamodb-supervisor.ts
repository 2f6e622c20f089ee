import { startDynamoDbLocal } from '@outboxed/dynamodb-local';
import type { DynamoDbLocal } from '@outboxed/dynamodb-local';
import { LocalRuntimeError } from '../errors';

/** DynamoDB Local's JVM takes seconds to start, more beside `cdk synth` on a small machine. */
export const DYNAMODB_READY_TIMEOUT_MS = 120_000;

/**
 * The DynamoDB Local the runtime runs on: the one now running (a restart fault replaces it), and `failed`, which
 * settles when it dies while the runtime is not stopping.
 *
 * @example const supervisor = new DynamoDbSupervisor(ddb, dbPath, () => disposers.stopping); await supervisor.failed;
 */
export class DynamoDbSupervisor {
  readonly failed: Promise<Error>;
  private fail: (error: Error) => void = () => undefined;
  private running: DynamoDbLocal;

  constructor(
    first: DynamoDbLocal,
    private readonly dbPath: string,
    private readonly stopping: () => boolean,
  ) {
    this.failed = new Promise<Error>((settle) => (this.fail = settle));
    this.running = first;
    this.watch(first);
  }

  /** The DynamoDB Local now running. */
  get current(): DynamoDbLocal {
    return this.running;
  }

  /** Stops the running DynamoDB Local (its data kept) and starts another on the same port and data. */
  async replace(): Promise<void> {
    const previous = this.running;
    await previous.stop();
    this.running = await startDynamoDbLocal({
      port: previous.port,
      dbPath: this.dbPath,
      readyTimeoutMs: DYNAMODB_READY_TIMEOUT_MS,
    });
    this.watch(this.running);
  }

  /** Stops the DynamoDB Local now running. */
  stop(): Promise<void> {
    return this.running.stop();
  }

  private watch(running: DynamoDbLocal): void {
    void running.exited.then((code) => {
      if (this.stopping()) return;
      this.fail(
        new LocalRuntimeError(
          `DynamoDB Local stopped unexpectedly (exit code ${code}); the local runtime cannot go on without it.`,
        ),
      );
    });
  }
}
