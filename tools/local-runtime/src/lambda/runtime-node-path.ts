import { createRequire } from 'node:module';
import { basename, dirname } from 'node:path';

/**
 * The `node_modules` folder that holds the AWS SDK for JavaScript v3 the runtime itself uses, given to every worker as
 * `NODE_PATH`. Lambda's Node.js runtimes include the SDK and put it on `NODE_PATH` ("Building Lambda functions with
 * Node.js": the runtime includes the AWS SDK for JavaScript v3), so bundles leave it out (`NodejsFunction` marks
 * `@aws-sdk/*` external by default). With this, a function of a cloud assembly synthesized anywhere, inside this
 * workspace or not, finds `require('@aws-sdk/client-…')` as on Lambda. Only clients installed here resolve, and only
 * from CommonJS (`NODE_PATH` does not apply to ES module imports).
 *
 * @example env.NODE_PATH = runtimeNodePath(); // '<workspace>/node_modules'
 */
export function runtimeNodePath(): string {
  let dir = dirname(createRequire(import.meta.url).resolve('@aws-sdk/client-sqs'));
  while (basename(dir) !== 'node_modules' && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
