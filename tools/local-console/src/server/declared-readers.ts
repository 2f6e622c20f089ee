import { discoverExpectations } from '@outboxed/contracts/tooling';
import type { SchemaReader } from './schemas';

/**
 * Who reads which event version as the apps declare it (each app's `src/contract-expectations.ts`), for the Schemas
 * view; empty outside a workspace with apps.
 *
 * @example await startConsole({ runtime, journal, declaredReaders: () => declaredReaders(workspaceRoot) });
 */
export async function declaredReaders(workspaceRoot: string): Promise<SchemaReader[]> {
  const found = await discoverExpectations(workspaceRoot).catch(() => []);
  return found.flatMap(({ file, expectations }) =>
    expectations.subscriptions.map((s) => ({
      consumer: expectations.consumer,
      detailType: s.contract.detailType,
      readsAs: s.contract.version,
      source: file,
    })),
  );
}
