import type { RawProjectGraphDependency } from '@nx/devkit';
import { DependencyType } from '@nx/devkit';
import { ContractGraphError } from '../errors';

/**
 * One event of the contract graph: its EventBridge `Source`, `DetailType` and the contract version (what a producer
 * publishes, or the version a consumer reads events as).
 *
 * @example { source: 'outboxed.users', detailType: 'UserCreated', version: 2 }
 */
export interface ContractGraphEvent {
  readonly source: string;
  readonly detailType: string;
  readonly version: number;
}

/**
 * A producer or consumer of the contract graph: the app (`project`, its folder under `apps/`, which is its Nx project
 * name), the file that declares it, and its events.
 *
 * @example { project: 'email-consumer', file: 'apps/email-consumer/src/contract-expectations.ts', events: [...] }
 */
export interface ContractGraphParty {
  readonly project: string;
  readonly file: string;
  readonly events: readonly ContractGraphEvent[];
}

/**
 * What `node --import tsx libs/contracts/src/cli/contract-graph.ts` prints: who publishes and who consumes which event.
 *
 * @example const graph: ContractGraph = { producers: [], consumers: [] };
 */
export interface ContractGraph {
  readonly producers: readonly ContractGraphParty[];
  readonly consumers: readonly ContractGraphParty[];
}

/** The command that prints the contract graph, relative to the workspace root. */
export const CONTRACT_GRAPH_CLI = ['--import', 'tsx', 'libs/contracts/src/cli/contract-graph.ts'] as const;

function isEvent(value: unknown): value is ContractGraphEvent {
  const e = value as Partial<ContractGraphEvent> | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.source === 'string' &&
    typeof e.detailType === 'string' &&
    typeof e.version === 'number'
  );
}

function parties(graph: Record<string, unknown>, key: 'producers' | 'consumers'): ContractGraphParty[] {
  const list = graph[key];
  if (!Array.isArray(list)) {
    throw new ContractGraphError(`"${key}" is ${JSON.stringify(list)}, not an array of parties`);
  }
  return list.map((party: unknown, index) => {
    const p = party as Partial<ContractGraphParty> | null;
    if (
      typeof p !== 'object' ||
      p === null ||
      typeof p.project !== 'string' ||
      typeof p.file !== 'string' ||
      !Array.isArray(p.events) ||
      !p.events.every(isEvent)
    ) {
      throw new ContractGraphError(
        `${key}[${index}] is ${JSON.stringify(party)}, not { project, file, events: [{ source, detailType, version }] }`,
      );
    }
    return { project: p.project, file: p.file, events: p.events };
  });
}

/**
 * Parses and checks the contract graph CLI's output.
 *
 * @example parseContractGraph('{"producers":[],"consumers":[]}'); // { producers: [], consumers: [] }
 */
export function parseContractGraph(output: string): ContractGraph {
  let parsed: unknown;
  try {
    parsed = JSON.parse(output);
  } catch (error) {
    throw new ContractGraphError(`it is not JSON (${(error as Error).message})`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ContractGraphError(`it is ${JSON.stringify(parsed)}, not an object`);
  }
  const graph = parsed as Record<string, unknown>;
  return { producers: parties(graph, 'producers'), consumers: parties(graph, 'consumers') };
}

/**
 * The project-graph edges the contracts imply: each consumer depends on every producer that publishes an event type
 * it subscribes to (same `Source` and `DetailType`, any version: a consumer receives every compatible version). Only
 * projects Nx knows are linked; an app never depends on itself. Sorted and free of duplicates.
 *
 * The edges are `implicit` (no source file), not `static` ones bound to the consumer's expectations file: Nx keeps a
 * file's static edges from its cache until that file itself changes, but these edges also change when a producer's
 * publications (or the contracts) change, and a static edge would then go stale. Implicit edges are derived afresh on
 * every project-graph computation (from the cached contract graph, see `loadContractGraph`).
 *
 * @example contractGraphDependencies(graph, new Set(['users-service', 'email-consumer']));
 * // [{ source: 'email-consumer', target: 'users-service', type: 'implicit' }]
 */
export function contractGraphDependencies(
  graph: ContractGraph,
  projects: ReadonlySet<string>,
): RawProjectGraphDependency[] {
  const edges = new Map<string, RawProjectGraphDependency>();
  for (const consumer of graph.consumers) {
    if (!projects.has(consumer.project)) continue;
    for (const event of consumer.events) {
      for (const producer of graph.producers) {
        const publishes = producer.events.some(
          (p) => p.source === event.source && p.detailType === event.detailType,
        );
        if (!publishes || producer.project === consumer.project || !projects.has(producer.project)) continue;
        edges.set(`${consumer.project} ${producer.project}`, {
          source: consumer.project,
          target: producer.project,
          type: DependencyType.implicit,
        });
      }
    }
  }
  return [...edges.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, edge]) => edge);
}
