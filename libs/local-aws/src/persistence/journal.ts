import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { LocalAwsError } from '../errors';

/**
 * The journal file of a service could not be read: a line other than the last is not JSON.
 *
 * @example new JournalCorruptError('.local/edge/sqs.jsonl', 12)
 */
export class JournalCorruptError extends LocalAwsError {
  constructor(
    readonly path: string,
    readonly line: number,
  ) {
    super(
      `The journal ${path} has a line that is not JSON at line ${line} (only a torn last line, from a crash mid-write, is skipped). Move the file away to start that service empty, or restore it from a copy.`,
    );
  }
}

/**
 * An append-only JSON-lines journal: each record is written to the file before the call that caused it is
 * answered, so a crash of the process loses nothing it acknowledged (the OS keeps what was written; `fsync: true`
 * also survives a crash of the machine). {@link Journal.rewrite} compacts it atomically (temporary file + rename).
 * Hand-written: a few lines of `node:fs` need no database.
 *
 * @example
 * const journal = new Journal<{ op: string }>('.local/edge/sqs.jsonl');
 * const records = journal.read();
 * journal.rewrite(records); // compacted, open for appends
 * journal.append({ op: 'deleted' });
 */
export class Journal<R> {
  private fd: number | undefined;
  private appendedSinceRewrite = 0;

  constructor(
    readonly path: string,
    private readonly options: { readonly fsync?: boolean } = {},
  ) {}

  /** Records appended since the last rewrite (a caller compacts when this grows). */
  get appended(): number {
    return this.appendedSinceRewrite;
  }

  /** Every record of the file in order; a torn last line (a crash in the middle of an append) is skipped. */
  read(): R[] {
    if (!existsSync(this.path)) return [];
    const lines = readFileSync(this.path, 'utf8').split('\n');
    const records: R[] = [];
    lines.forEach((line, index) => {
      if (line.trim() === '') return;
      try {
        records.push(JSON.parse(line) as R);
      } catch {
        const isLast = lines.slice(index + 1).every((l) => l.trim() === '');
        if (!isLast) throw new JournalCorruptError(this.path, index + 1);
      }
    });
    return records;
  }

  /** Replaces the file with `records` (written to a temporary file, synced, renamed) and opens it for appends. */
  rewrite(records: readonly R[]): void {
    this.close();
    mkdirSync(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.tmp`;
    writeFileSync(temporary, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    const fd = openSync(temporary, 'r+');
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temporary, this.path);
    this.fd = openSync(this.path, 'a');
    this.appendedSinceRewrite = 0;
  }

  /** Appends one record; it is in the file when this returns. */
  append(record: R): void {
    this.fd ??= openSync(this.path, 'a');
    writeSync(this.fd, `${JSON.stringify(record)}\n`);
    if (this.options.fsync) fsyncSync(this.fd);
    this.appendedSinceRewrite += 1;
  }

  /** Closes the file (appends reopen it). */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
