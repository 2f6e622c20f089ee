import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { eventCatalog } from '../catalog.ts';
import { CONTRACTS_ROOT } from '../codegen/paths.ts';
import { USERS_SCHEMA_REGISTRY_NAME, USERS_SERVICE_PARAMETERS } from '../constants.ts';
import { eventPattern } from '../event-pattern.ts';
import { discoverExpectations, discoverPublications } from '../expectations/discover.ts';
import type { DiscoveredExpectations } from '../expectations/discover.ts';
import type { CatalogConsumer, CatalogEvent, CatalogInput } from './catalog-input.ts';
import { CatalogInputError } from './errors.ts';

/** The app owning the bus and the schema registry whose names `USERS_SERVICE_PARAMETERS` publishes. */
const BUS_OWNER = 'users-service';

/**
 * The catalog's input from the workspace: every contract of `eventCatalog`, each producer's
 * `apps/<app>/src/contract-publications.ts` and each consumer's `apps/<app>/src/contract-expectations.ts` under
 * `workspaceRoot`, each consumer's rule pattern as the consumer kit derives it (`eventPattern` of its
 * subscriptions' contracts), and the bus's names from the constants.
 *
 * @example const input = await readCatalogInput(workspaceRoot);
 */
export async function readCatalogInput(workspaceRoot: string): Promise<CatalogInput> {
  const [publications, expectations, version] = await Promise.all([
    discoverPublications(workspaceRoot),
    discoverExpectations(workspaceRoot),
    contractsVersion(),
  ]);
  return {
    title: 'outboxed events',
    version,
    bus: { owner: BUS_OWNER, registryName: USERS_SCHEMA_REGISTRY_NAME, parameters: USERS_SERVICE_PARAMETERS },
    contracts: eventCatalog,
    producers: publications.map((p) => ({
      project: p.project,
      file: p.file,
      publishes: p.publications.publishes.map(identity),
    })),
    consumers: expectations.map(consumerOf),
  };
}

const identity = (e: CatalogEvent): CatalogEvent => ({
  source: e.source,
  detailType: e.detailType,
  version: e.version,
});

function consumerOf({ project, file, expectations }: DiscoveredExpectations): CatalogConsumer {
  const contracts = expectations.subscriptions.map((s) => s.contract);
  if (contracts.length === 0) {
    throw new CatalogInputError(
      file,
      'subscribes to nothing, so it has no rule on the bus. Fix: add a subscription ({ contract, reads }) or remove the file.',
    );
  }
  return {
    project,
    file,
    subscriptions: expectations.subscriptions.map((s) => ({
      event: identity(s.contract),
      reads: s.reads,
      readsIfPresent: s.readsIfPresent ?? [],
    })),
    rulePattern: eventPattern(contracts),
  };
}

async function contractsVersion(): Promise<string> {
  const manifest = JSON.parse(await readFile(join(CONTRACTS_ROOT, 'package.json'), 'utf8')) as {
    version?: unknown;
  };
  return typeof manifest.version === 'string' ? manifest.version : '0.0.0';
}
