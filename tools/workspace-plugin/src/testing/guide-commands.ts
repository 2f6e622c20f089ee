import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceRoot } from './workspace-copy';

/**
 * The new-team guide whose commands the tests run.
 *
 * @example readFileSync(GUIDE_PATH, 'utf8');
 */
export const GUIDE_PATH = join(workspaceRoot, 'docs', 'adding-a-consumer.md');

/**
 * Every command line of the guide's fenced `bash` blocks, in order, without comments.
 *
 * @example guideCommands().filter((c) => c.startsWith('npx nx g '));
 */
export function guideCommands(markdown: string = readFileSync(GUIDE_PATH, 'utf8')): string[] {
  const blocks = [...markdown.matchAll(/^```bash\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? '');
  return blocks
    .flatMap((block) => block.split('\n'))
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/**
 * Splits a command line as a POSIX shell would for the simple quoting the guide uses (single and double quotes,
 * no escapes or expansions): `npx nx g a --filter '{"x":[1]}'` → `['npx', 'nx', 'g', 'a', '--filter', '{"x":[1]}']`.
 *
 * @example shellWords("a 'b c'"); // ['a', 'b c']
 */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  for (const match of line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) {
    words.push(match[1] ?? match[2] ?? match[3] ?? '');
  }
  return words;
}

/**
 * The one guide command that starts with `prefix`; throws when the guide has none or several.
 *
 * @example const generate = guideCommand('npx nx g ');
 */
export function guideCommand(prefix: string, commands: readonly string[] = guideCommands()): string {
  const found = commands.filter((c) => c.startsWith(prefix));
  if (found.length !== 1) {
    throw new Error(
      `docs/adding-a-consumer.md has ${found.length} commands starting with "${prefix}"; expected 1.`,
    );
  }
  return found[0] as string;
}
