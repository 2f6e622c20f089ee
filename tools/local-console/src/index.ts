export { ConsoleJournal, shortName } from './server/journal';
export type { ConsoleJournalOptions, FlowCounters } from './server/journal';
export { startConsole } from './server/console-server';
export type { ConsoleRuntime, RunningConsole, StartConsoleOptions } from './server/console-server';
export { readTopology } from './server/topology';
export type { Topology, TopologyNode, TopologyEdge } from './server/topology';
export { diffJson } from './server/schemas';
export type { JsonChange, RegistrySchema, SchemaReader } from './server/schemas';
export { declaredReaders } from './server/declared-readers';
export { bundleUi } from './server/bundle';
export { chromiumPath } from './browser';
export { LocalConsoleError, BrowserNotFoundError, NotFoundError } from './errors';
export type {
  JournalEntry,
  TraceIds,
  TraceOutcome,
  TraceStep,
  TraceSummary,
  FlowNode,
  FlowEdge,
  DeadLetterQueue,
  DeadLetter,
} from './model';
