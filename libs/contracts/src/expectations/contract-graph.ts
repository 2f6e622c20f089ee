import { discoverExpectations, discoverPublications } from './discover.ts';

/**
 * One event type at one version, as a graph node names it.
 *
 * @example { source: 'outboxed.users', detailType: 'UserCreated', version: 2 }
 */
export interface GraphEvent {
  readonly source: string;
  readonly detailType: string;
  readonly version: number;
}

/**
 * An app and the events it publishes (producers) or reads (consumers: the version it reads each as).
 *
 * @example { project: 'email-consumer', file: 'apps/email-consumer/src/contract-expectations.ts', events: [{ source, detailType, version: 1 }] }
 */
export interface GraphNode {
  readonly project: string;
  readonly file: string;
  readonly events: readonly GraphEvent[];
}

/**
 * Who publishes and who reads which event types in a workspace: what the Nx plugin turns into consumer → producer
 * edges, and what the catalog documents.
 *
 * @example const { producers, consumers } = await describeContractGraph(workspaceRoot);
 */
export interface ContractGraph {
  readonly producers: readonly GraphNode[];
  readonly consumers: readonly GraphNode[];
}

/**
 * Reads every app's publications and expectations files into a `ContractGraph` (sorted, so its JSON is stable).
 *
 * @example const graph = await describeContractGraph(workspaceRoot);
 */
export async function describeContractGraph(workspaceRoot: string): Promise<ContractGraph> {
  const event = (c: GraphEvent): GraphEvent => ({
    source: c.source,
    detailType: c.detailType,
    version: c.version,
  });
  const producers = (await discoverPublications(workspaceRoot)).map((p) => ({
    project: p.project,
    file: p.file,
    events: p.publications.publishes.map(event),
  }));
  const consumers = (await discoverExpectations(workspaceRoot)).map((c) => ({
    project: c.project,
    file: c.file,
    events: c.expectations.subscriptions.map((s) => event(s.contract)),
  }));
  return { producers, consumers };
}

/**
 * The major of an event type, by the convention of this workspace: a breaking change is published as a new
 * detail-type `<Name>V<N>` (major N) beside `<Name>` (major 1), so rules that match one major never match another.
 * (Not `<Name>.v<N>`: the registry pins version N of a schema under `<source>@<Name>.v<N>`.)
 *
 * @example majorOf('UserCreatedV2'); // { family: 'UserCreated', major: 2 }
 */
export function majorOf(detailType: string): { readonly family: string; readonly major: number } {
  const match = /^(?<family>.+[a-z])V(?<major>[2-9]|[1-9][0-9]+)$/.exec(detailType);
  const { family, major } = match?.groups ?? {};
  return family && major ? { family, major: Number(major) } : { family: detailType, major: 1 };
}

/**
 * What the producers should hear from the contract graph:
 * - `unread`: an event type a producer publishes beside a newer major of it (a transition window) that no consumer
 *   reads any more, so the producer can stop publishing it;
 * - `unpublished`: an event type a consumer reads that no producer of the workspace publishes (a producer dropped
 *   a major too early, or the consumer names the wrong one).
 *
 * @example for (const u of readersReport(graph).unread) console.log(`${u.producer} can stop publishing ${u.detailType}`);
 */
export function readersReport(graph: ContractGraph): {
  readonly unread: readonly { producer: string; file: string; source: string; detailType: string }[];
  readonly unpublished: readonly { consumer: string; file: string; source: string; detailType: string }[];
} {
  const key = (e: { source: string; detailType: string }) => `${e.source}\u0000${e.detailType}`;
  const read = new Set(graph.consumers.flatMap((c) => c.events.map(key)));
  const published = new Set(graph.producers.flatMap((p) => p.events.map(key)));
  const unread = graph.producers.flatMap((p) =>
    p.events
      .filter((e) => {
        const { family, major } = majorOf(e.detailType);
        const newer = p.events.some(
          (o) =>
            o.source === e.source &&
            majorOf(o.detailType).family === family &&
            majorOf(o.detailType).major > major,
        );
        return newer && !read.has(key(e));
      })
      .map((e) => ({ producer: p.project, file: p.file, source: e.source, detailType: e.detailType })),
  );
  const unpublished =
    graph.producers.length === 0
      ? []
      : graph.consumers.flatMap((c) =>
          c.events
            .filter((e) => !published.has(key(e)))
            .map((e) => ({ consumer: c.project, file: c.file, source: e.source, detailType: e.detailType })),
        );
  return { unread, unpublished };
}
