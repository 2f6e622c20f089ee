import { pathToFileURL } from 'node:url';

/**
 * Where a CLI writes; tests pass collectors.
 *
 * @example const io: CliIo = { out: (l) => lines.push(l), err: (l) => errors.push(l) };
 */
export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/**
 * The process's stdout/stderr.
 *
 * @example processIo.out('done');
 */
export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/**
 * Runs `main` when `moduleUrl` is the script node was started with, setting the exit code from its result and
 * turning any thrown error into its message on stderr and exit code 1.
 *
 * @example runIfMain(import.meta.url, (argv) => codegen(argv));
 */
export function runIfMain(moduleUrl: string, main: (argv: string[], io: CliIo) => Promise<number>): void {
  const script = process.argv[1];
  if (!script || pathToFileURL(script).href !== moduleUrl) return;
  main(process.argv.slice(2), processIo).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      processIo.err(error instanceof Error ? error.message : String(error));
      process.exitCode = 1;
    },
  );
}
