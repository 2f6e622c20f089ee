// What the users-service benches share: the machine load before and after (the machine is shared, so figures are
// read beside it), a stub of AWS, every app synthesized once into a temporary folder, and the events chained through
// the flow from the deployed bundles themselves (the API's request, the outbox item it writes, the stream event the
// relay reads, the PutEvents entry it sends, the queue event a consumer reads).
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createUserRequest,
  outboxItemOf,
  ownFunctions,
  putEventsEntryOf,
  queueEventOf,
  roleOf,
  streamEventOf,
  type FunctionRun,
} from './function-runs.ts';
import { startStubAws, type StubAws } from './stub-aws.ts';
import { synthesizeApps, type SynthesizedApps, type SynthesizedFunction } from './synth-apps.ts';

/** The machine's load averages (os.loadavg, 1 / 5 / 15 min). */
export function machineLoad(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');
}

/** What a bench runs against; `finish()` prints the load at the end and removes what `setUpBench` made. */
export interface BenchSetup {
  readonly aws: StubAws;
  /** The temporary folder the apps were synthesized into. */
  readonly tmp: string;
  /** The apps' own functions (CDK's helper functions left out). */
  readonly functions: readonly SynthesizedFunction[];
  readonly resources: SynthesizedApps['resources'];
  /** How long the synthesis took, in milliseconds. */
  readonly synthMs: number;
  finish(): Promise<void>;
}

/**
 * Prints the load at the start, starts the stub of AWS and synthesizes every app against it.
 *
 * @param name names the temporary folder (`bench-<name>-…`).
 * @param options `metafile: true` keeps esbuild's metafile beside each bundle.
 */
export async function setUpBench(name: string, options: { metafile?: boolean } = {}): Promise<BenchSetup> {
  console.log(`Machine load (os.loadavg 1/5/15 min) at start: ${machineLoad()}`);
  const aws = await startStubAws();
  const tmp = mkdtempSync(join(tmpdir(), `bench-${name}-`));
  const started = performance.now();
  const { functions, resources } = synthesizeApps(tmp, aws.endpoint, options);
  return {
    aws,
    tmp,
    functions: ownFunctions(functions),
    resources,
    synthMs: performance.now() - started,
    finish: async () => {
      console.log(`\nMachine load at end: ${machineLoad()}`);
      await aws.close();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** The events of one user's sign-up through the flow, each taken from what the function before it sent. */
export interface FlowEvents {
  readonly apiFn: SynthesizedFunction;
  readonly relayFn: SynthesizedFunction;
  readonly apiRun: FunctionRun;
  readonly relayRun: FunctionRun;
  readonly outboxItem: Record<string, unknown>;
  readonly streamEvent: unknown;
  readonly entry: Record<string, string>;
  readonly queueEvent: unknown;
}

/**
 * Runs the API on a sign-up request, the relay on the stream event of the outbox item the API wrote, and returns
 * the queue event of the PutEvents entry the relay sent, with the runs and every event in between.
 *
 * @param run runs one function's deployed bundle on one event.
 */
export async function chainThroughFlow(
  functions: readonly SynthesizedFunction[],
  run: (fn: SynthesizedFunction, event: unknown) => Promise<FunctionRun>,
): Promise<FlowEvents> {
  const apiFn = functions.find((fn) => roleOf(fn) === 'api');
  const relayFn = functions.find((fn) => roleOf(fn) === 'relay');
  if (!apiFn || !relayFn) throw new Error('The users service synthesized no API or no relay function.');
  const apiRun = await run(apiFn, createUserRequest());
  const outboxItem = outboxItemOf(apiRun.callsPerInvocation);
  const streamEvent = streamEventOf(outboxItem);
  const relayRun = await run(relayFn, streamEvent);
  const entry = putEventsEntryOf(relayRun.callsPerInvocation);
  return {
    apiFn,
    relayFn,
    apiRun,
    relayRun,
    outboxItem,
    streamEvent,
    entry,
    queueEvent: queueEventOf(entry),
  };
}
