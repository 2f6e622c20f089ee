import type { EdgeLog } from './log';

/**
 * What an emulated service needs to know about the edge it runs in.
 *
 * @example const context: ServiceContext = { region: 'us-east-1', accountId: '000000000000', endpoint: () => url, log };
 */
export interface ServiceContext {
  readonly region: string;
  readonly accountId: string;
  /** The edge's base URL (`http://127.0.0.1:4566`), known once the server listens. */
  endpoint(): string;
  readonly log: EdgeLog;
}
