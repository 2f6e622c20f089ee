import { describe, expect, it } from 'vitest';
import { parseNxSynthOutput } from './assembly';

// the task lines `nx run-many -t synth --outputStyle=static` prints (Nx 23), one per app
const ran = (app: string) =>
  `> nx run ${app}:synth\n\n> cdk synth --quiet --output cdk.out\n\nBundling asset …\n`;
const cached = (app: string, note: string) =>
  `> nx run ${app}:synth  [${note}]\n\n> cdk synth --quiet --output cdk.out\n`;

describe('parseNxSynthOutput', () => {
  it.each([
    ['every app synthesized', ran('a') + ran('b'), { synthesized: ['a', 'b'], fromCache: [] }],
    [
      'one app from the cache, restored',
      cached('a', 'local cache') + ran('b'),
      { synthesized: ['b'], fromCache: ['a'] },
    ],
    [
      'both from the cache, outputs already in place',
      cached('a', 'existing outputs match the cache, left as is') + cached('b', 'local cache'),
      { synthesized: [], fromCache: ['a', 'b'] },
    ],
  ])('tells apps synthesized from apps the cache answered: %s', (_case, output, expected) => {
    expect(
      parseNxSynthOutput(`\n NX   Running target synth for 2 projects:\n\n${output}`, ['a', 'b']),
    ).toEqual(expected);
  });

  it('does not take an app whose name another app name starts with for that app', () => {
    expect(parseNxSynthOutput(cached('users-service-v2', 'local cache'), ['users-service'])).toEqual({
      synthesized: [],
      fromCache: [],
    });
  });

  it('ignores the summary that names the slowest task', () => {
    const summary =
      '\n Recommendations:\n    - Speed up or split the longest tasks on the critical path:\n        a:synth    7m 3s\n';

    expect(parseNxSynthOutput(ran('b') + summary, ['a', 'b'])).toEqual({ synthesized: ['b'], fromCache: [] });
  });
});
