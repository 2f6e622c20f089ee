import { spawnSync } from 'node:child_process';
import { JavaNotFoundError } from './errors';

/** The oldest Java major version the bundled DynamoDB Local jar runs on. */
export const MINIMUM_JAVA_VERSION = 17;

const INSTALL_HINT =
  'Install a Java runtime 17 or newer and put `java` on the PATH ' +
  '(Debian/Ubuntu: `sudo apt-get install openjdk-17-jre-headless`; macOS: `brew install openjdk@17`).';

/**
 * Parses the major version out of `java -version` output (`openjdk version "17.0.15"`, `"1.8.0_392"`).
 *
 * @example parseJavaMajorVersion('openjdk version "17.0.15" 2025-04-15') // 17
 */
export function parseJavaMajorVersion(output: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(output);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}

/**
 * Checks that Java 17+ is installed, throwing a {@link JavaNotFoundError} that says how to install it.
 *
 * @example assertJavaAvailable(); // throws when `java` is missing or too old
 */
export function assertJavaAvailable(javaCommand = 'java'): number {
  const result = spawnSync(javaCommand, ['-version'], { encoding: 'utf8' });
  if (result.error) {
    throw new JavaNotFoundError(
      `DynamoDB Local needs Java ${MINIMUM_JAVA_VERSION}+, but \`${javaCommand}\` could not be run (${result.error.message}). ${INSTALL_HINT}`,
      { cause: result.error },
    );
  }
  const version = parseJavaMajorVersion(`${result.stderr}${result.stdout}`);
  if (version === undefined || version < MINIMUM_JAVA_VERSION) {
    throw new JavaNotFoundError(
      `DynamoDB Local needs Java ${MINIMUM_JAVA_VERSION}+, but \`${javaCommand} -version\` reports ${version ?? 'an unknown version'}. ${INSTALL_HINT}`,
    );
  }
  return version;
}
