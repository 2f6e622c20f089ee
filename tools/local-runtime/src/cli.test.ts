import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from './cli';

describe('runCli', () => {
  afterEach(() => vi.restoreAllMocks());

  it.each([['x'], ['-1'], ['70000'], ['4000.5']])(
    'rejects --console-port %s before starting anything',
    async (port) => {
      const errors: string[] = [];
      vi.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
      const started = vi.fn();

      const code = await runCli(['start', `--console-port=${port}`], { started });

      expect(code).toBe(2);
      expect(errors).toEqual([`--console-port must be a port number (0 = a free port), not "${port}".`]);
      expect(started).not.toHaveBeenCalled();
    },
  );

  it('lists --console-port and --no-console in its usage', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));

    expect(await runCli(['--help'])).toBe(0);

    expect(lines.join('\n')).toContain('[--console-port 4000 | --no-console]');
  });
});
