import { describe, expect, it } from 'vitest';
import { guideCommand, guideCommands, shellWords } from './guide-commands';

describe('guideCommands', () => {
  it('lists the command lines of bash blocks only, without comments', () => {
    const markdown = [
      '# Guide',
      '```bash',
      '# a comment line',
      'npx nx g thing   # trailing comment',
      '',
      'npm start',
      '```',
      '```',
      'not a command (no language)',
      '```',
      '```ts',
      'const notACommand = 1;',
      '```',
    ].join('\n');

    expect(guideCommands(markdown)).toEqual(['npx nx g thing', 'npm start']);
  });
});

describe('guideCommand', () => {
  it.each([
    ['none', []],
    ['several', ['npx nx g a', 'npx nx g b']],
  ])('fails when the guide has %s starting with the prefix', (_case, commands) => {
    expect(() => guideCommand('npx nx g ', commands)).toThrow(
      /commands starting with "npx nx g "; expected 1/,
    );
  });
});

describe('shellWords', () => {
  it.each([
    ['a b  c', ['a', 'b', 'c']],
    [
      `npx nx g a --filter '{"x":[{"suffix":"@e.com"}]}'`,
      ['npx', 'nx', 'g', 'a', '--filter', '{"x":[{"suffix":"@e.com"}]}'],
    ],
    ['say "two words"', ['say', 'two words']],
  ])('splits %j', (line, expected) => {
    expect(shellWords(line)).toEqual(expected);
  });
});
