export { startConsole } from './server/console-server';
export type { ConsoleRuntime, RunningConsole, StartConsoleOptions } from './server/console-server';
export { ConsoleJournal } from './server/journal';
export type { ConsoleJournalOptions } from './server/journal';
export { declaredReaders } from './server/declared-readers';
export type { SchemaReader } from './server/schemas';
export { LocalConsoleError } from './errors';
