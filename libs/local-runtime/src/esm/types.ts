/** One line of the runtime's live log: ids, counts and reasons, never payloads. */
export interface RuntimeLogEvent {
  readonly kind: string;
  readonly message: string;
  readonly details?: Readonly<Record<string, string | number | boolean | undefined>>;
}

/** Receives the live log. */
export type RuntimeLog = (event: RuntimeLogEvent) => void;

/** A compiled event filter (Lambda event filtering uses EventBridge's pattern syntax). */
export interface RecordFilter {
  matches(value: unknown): boolean;
}

/** Compiles one `FilterCriteria.Filters[].Pattern`. */
export type CompileFilter = (pattern: string) => RecordFilter;

/** Invokes a function by ARN or name; throws `FunctionInvocationError` when it fails. */
export type Invoke = (functionArn: string, event: unknown) => Promise<unknown>;

/** Where an event source mapping keeps its position in each shard. */
export interface CheckpointStore {
  get(key: string): string | undefined;
  set(key: string, sequenceNumber: string): void;
}

/**
 * Checkpoints kept in memory.
 *
 * @example const checkpoints = memoryCheckpoints();
 */
export function memoryCheckpoints(): CheckpointStore {
  const map = new Map<string, string>();
  return { get: (k) => map.get(k), set: (k, v) => void map.set(k, v) };
}
