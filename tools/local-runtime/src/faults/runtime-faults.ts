import type { DynamoDbLocal } from '@outboxed/dynamodb-local';
import type { Edge, EdgeFaultPlan } from '@outboxed/local-aws';
import { LocalRuntimeError } from '../errors';
import type { RuntimeLog } from '../esm/types';

/**
 * The faults a running local runtime can inject, besides those its edge injects from its plan
 * (PutEvents, SQS and SES errors and throttling, a worker crash before or after SendEmail or PutEvents).
 *
 * @example
 * await runtime.faults.pauseDynamoDb(5_000);            // every DynamoDB call waits 5 s
 * runtime.faults.set({ seed: 7, ses: { errorRate: 1 } }); // SES fails until the plan changes
 */
export interface RuntimeFaults {
  /** Replaces the edge's fault plan (seeded). */
  set(plan: EdgeFaultPlan): void;
  /** What was injected so far, e.g. `{ 'crash.ses:SendEmail.after': 2, 'dynamodb.pause': 1 }`. */
  readonly counts: Readonly<Record<string, number>>;
  /** Freezes DynamoDB Local's JVM (SIGSTOP) for `ms`, then lets it go on (SIGCONT): calls wait, none fail by itself. */
  pauseDynamoDb(ms: number): Promise<void>;
  /** Stops DynamoDB Local (SIGTERM, its data kept) and starts it again on the same port and data. */
  restartDynamoDb(): Promise<void>;
}

/** What the runtime gives its fault controls. */
export interface RuntimeFaultDeps {
  readonly edge: Edge;
  readonly log: RuntimeLog;
  /** The DynamoDB Local now running. */
  readonly dynamoDb: () => DynamoDbLocal;
  /** Stops the current DynamoDB Local and starts another on the same port and data. */
  readonly replaceDynamoDb: () => Promise<void>;
}

/**
 * Builds {@link RuntimeFaults} over a running edge and DynamoDB Local.
 *
 * @example const faults = runtimeFaults({ edge, log, dynamoDb: () => ddb, replaceDynamoDb });
 */
export function runtimeFaults(deps: RuntimeFaultDeps): RuntimeFaults {
  const own: Record<string, number> = {};
  const bump = (key: string) => (own[key] = (own[key] ?? 0) + 1);
  return {
    set: (plan) => deps.edge.faults.set(plan),
    get counts() {
      return { ...deps.edge.faults.counts, ...own };
    },
    pauseDynamoDb: async (ms) => {
      if (!Number.isFinite(ms) || ms < 0)
        throw new LocalRuntimeError(`pauseDynamoDb(ms): ms is ${ms}; give a number of milliseconds ≥ 0.`);
      const pid = deps.dynamoDb().pid;
      if (pid === undefined)
        throw new LocalRuntimeError('DynamoDB Local has no process id to pause: it did not start.');
      bump('dynamodb.pause');
      deps.log({
        kind: 'fault.dynamodb',
        message: `fault: DynamoDB Local paused for ${ms} ms`,
        details: { ms },
      });
      process.kill(pid, 'SIGSTOP');
      try {
        await new Promise((r) => setTimeout(r, ms));
      } finally {
        process.kill(pid, 'SIGCONT');
      }
      deps.log({ kind: 'fault.dynamodb', message: 'fault: DynamoDB Local resumed', details: { ms } });
    },
    restartDynamoDb: async () => {
      bump('dynamodb.restart');
      deps.log({
        kind: 'fault.dynamodb',
        message: 'fault: DynamoDB Local restarting on the same data',
        details: {},
      });
      await deps.replaceDynamoDb();
      deps.log({ kind: 'fault.dynamodb', message: 'fault: DynamoDB Local answering again', details: {} });
    },
  };
}
