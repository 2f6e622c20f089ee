import { existsSync } from 'node:fs';
import { BrowserNotFoundError } from './errors';

/** Where Debian's `chromium` package installs the browser. */
export const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/**
 * The Chromium the console's browser tests drive (playwright-core never downloads one): `CHROMIUM_PATH`, else
 * Debian's `/usr/bin/chromium`.
 *
 * @throws BrowserNotFoundError naming the install script when it is missing.
 * @example const browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox'] });
 */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  const path = env.CHROMIUM_PATH ?? DEBIAN_CHROMIUM;
  if (!existsSync(path)) throw new BrowserNotFoundError(path);
  return path;
}
