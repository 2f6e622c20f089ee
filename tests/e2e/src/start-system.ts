import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { findWorkspaceRoot, startLocalRuntime } from '@outboxed/local-runtime';
import type { LocalRuntime, StartLocalRuntimeOptions } from '@outboxed/local-runtime';

/** The workspace the end-to-end tests run: its apps' synthesized stacks, on the local runtime. */
export const workspaceRoot = findWorkspaceRoot(import.meta.dirname);

/** The apps every end-to-end test runs together. */
export const SYSTEM_APPS = ['users-service', 'email-consumer', 'audit-consumer'];

/** The running system of one test file: the runtime, and `stop()` that stops it and deletes its data. */
export interface RunningSystem {
  readonly runtime: LocalRuntime;
  stop(): Promise<void>;
}

/**
 * Starts the whole system for one test file, as `npm start` does but on free ports: the three apps synthesized
 * into `tmp/<name>-assemblies` (each file its own, so files running at the same time never share one), a fresh data
 * folder `tmp/<name>-*` deleted by `stop()`, the stream polled every 100 ms. `options` add to or override these
 * (log sinks, property overrides).
 *
 * @example const { runtime, stop } = await startSystem('e2e-trace', { functionLog: (fn, line) => lines.push(line) });
 */
export async function startSystem(
  name: string,
  options: Partial<StartLocalRuntimeOptions> = {},
): Promise<RunningSystem> {
  mkdirSync(join(workspaceRoot, 'tmp'), { recursive: true });
  const dataDir = mkdtempSync(join(workspaceRoot, 'tmp', `${name}-`));
  try {
    const runtime = await startLocalRuntime({
      workspaceRoot,
      apps: SYSTEM_APPS,
      assemblyOutDir: join(workspaceRoot, 'tmp', `${name}-assemblies`),
      dataDir,
      edgePort: 0,
      dynamoDbPort: 0,
      apiPort: 0,
      streamPollIntervalMs: 100,
      ...options,
    });
    return {
      runtime,
      stop: async () => {
        await runtime.stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}
