import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CheckpointStore } from './types';

/**
 * Checkpoints kept in a JSON file, so a restarted runtime resumes each stream where it stopped (as Lambda's mappings
 * do) instead of replaying the persisted table's stream from its start.
 *
 * @example const checkpoints = fileCheckpoints('.local/esm-checkpoints.json'); // later: checkpoints.flush()
 */
export function fileCheckpoints(path: string): CheckpointStore & { flush(): void } {
  const map = new Map<string, string>(
    existsSync(path) ? Object.entries(JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>) : [],
  );
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    mkdirSync(dirname(path), { recursive: true });
    // temporary file + rename: a crash mid-write leaves the previous checkpoints, never a torn file
    writeFileSync(`${path}.tmp`, JSON.stringify(Object.fromEntries(map), null, 2));
    renameSync(`${path}.tmp`, path);
  };
  return {
    get: (key) => map.get(key),
    set: (key, value) => {
      map.set(key, value);
      timer ??= setTimeout(flush, 500);
    },
    flush,
  };
}
