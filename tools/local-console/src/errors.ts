/**
 * Base class of every error the local console throws.
 *
 * @example try { await startConsole({ runtime, journal }); } catch (e) { if (e instanceof LocalConsoleError) console.error(e.message); }
 */
export class LocalConsoleError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * The browser the console's tests drive (Debian's Chromium) is not installed.
 *
 * @example throw new BrowserNotFoundError('/usr/bin/chromium');
 */
export class BrowserNotFoundError extends LocalConsoleError {
  constructor(readonly executablePath: string) {
    super(
      `No Chromium at ${executablePath}: the console's browser tests drive Debian's Chromium with playwright-core. ` +
        'Install it with `bash scripts/install-chromium.sh` (apt-get install chromium), or set CHROMIUM_PATH to a Chromium executable.',
    );
  }
}

/**
 * A console request names something that does not exist (a queue, a schema version, a message).
 *
 * @example throw new NotFoundError('dead-letter queue', 'arn:aws:sqs:…:x');
 */
export class NotFoundError extends LocalConsoleError {
  constructor(
    readonly what: string,
    readonly id: string,
  ) {
    super(`No ${what} "${id}" in the running system; reload the console to see the current list.`);
  }
}
