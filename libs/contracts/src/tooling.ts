/**
 * Tooling face of @outboxed/contracts: what the workspace's tools (local-console, workspace-plugin) and the
 * contracts CLIs need to find each app's expectations and publications and to read the contract graph. Not for
 * Lambda code: an app's production code needs only `@outboxed/contracts`.
 *
 * @example import { discoverExpectations } from '@outboxed/contracts/tooling';
 */
export { majorOf } from './expectations/contract-graph.ts';
export {
  discoverExpectations,
  discoverPublications,
  EXPECTATIONS_FILE,
  PUBLICATIONS_FILE,
} from './expectations/discover.ts';
export type { DiscoveredExpectations, DiscoveredPublications } from './expectations/discover.ts';
export type { ContractGraph, GraphEvent, GraphNode } from './expectations/contract-graph.ts';
