// What the console's browser test uses beside the public face: the Chromium it drives.
export { chromiumPath } from '../browser';
export { BrowserNotFoundError } from '../errors';
