/**
 * One line of the runtime's live log: ids, counts and reasons, never payloads.
 *
 * @example log({ kind: 'http.request', message: 'POST /users → 201 (40 ms)' });
 */
export interface RuntimeLogEvent {
  readonly kind: string;
  readonly message: string;
  readonly details?: Readonly<Record<string, string | number | boolean | undefined>>;
}

/**
 * Receives the live log.
 *
 * @example const log: RuntimeLog = (e) => console.log(e.message);
 */
export type RuntimeLog = (event: RuntimeLogEvent) => void;

/**
 * A compiled event filter (Lambda event filtering uses EventBridge's pattern syntax).
 *
 * @example compileEventPattern('{"eventName":["INSERT"]}').matches(record)
 */
export interface RecordFilter {
  matches(value: unknown): boolean;
}

/**
 * Compiles one `FilterCriteria.Filters[].Pattern`.
 *
 * @example const compileFilter: CompileFilter = compileEventPattern;
 */
export type CompileFilter = (pattern: string) => RecordFilter;

/**
 * Invokes a function by ARN or name; throws `FunctionInvocationError` when it fails.
 *
 * @example const invoke: Invoke = (arn, event) => registry.invoke(arn, event);
 */
export type Invoke = (functionArn: string, event: unknown) => Promise<unknown>;

/**
 * Where an event source mapping keeps its position in each shard.
 *
 * @example checkpoints.set(`${uuid}/${shardId}`, sequenceNumber);
 */
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
