import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { findWorkspaceRoot } from './workspace-root';

/** The Lambda runtime every function of the workspace uses. */
export const NODE_RUNTIME = Runtime.NODEJS_22_X;

/**
 * The function memory every workspace function gets unless it says otherwise, in MB. Chosen from `npm run bench
 * bundles` and `npm run bench cost` (see the README's "Cost and scale"): every function's handler work is a few
 * milliseconds of CPU between network waits, so a larger size shortens mostly the cold start while it multiplies
 * the GB-seconds of every warm invocation.
 */
const DEFAULT_MEMORY_SIZE_MB = 256;

/**
 * Set to `1` at synth, it makes every function's asset carry esbuild's metafile (`index.meta.json`): the bytes each
 * input file puts in the bundle. Only `npm run bench bundles` sets it.
 *
 * @example BUNDLE_METAFILE=1 node --import tsx src/main.ts
 */
export const BUNDLE_METAFILE_ENV = 'BUNDLE_METAFILE';

/**
 * Defaults for every `NodejsFunction` in the workspace: Node.js 22 on arm64, JSON logs, X-Ray active,
 * bundled by the local esbuild as ESM (no Docker), from the monorepo root with its lock file, the AWS SDK
 * bundled and tree-shaken at the version the lock file pins (what the tests run is what deploys, not whichever copy the Lambda runtime carries, which AWS updates on its own schedule). Spread them
 * first and override what a function needs.
 *
 * @example new NodejsFunction(this, 'Api', { ...nodeFunctionDefaults(), entry: join(here, 'handler.ts') });
 */
export function nodeFunctionDefaults(): Omit<NodejsFunctionProps, 'entry'> {
  const root = findWorkspaceRoot();
  return {
    runtime: NODE_RUNTIME,
    architecture: Architecture.ARM_64,
    memorySize: DEFAULT_MEMORY_SIZE_MB,
    timeout: Duration.seconds(30),
    loggingFormat: LoggingFormat.JSON,
    tracing: Tracing.ACTIVE,
    projectRoot: root,
    depsLockFilePath: join(root, 'package-lock.json'),
    handler: 'handler',
    bundling: {
      forceDockerBundling: false,
      format: OutputFormat.ESM,
      target: 'node22',
      // The ES builds of the AWS SDK and Powertools first: they tree-shake (the CommonJS builds do not).
      mainFields: ['module', 'main'],
      minify: true,
      sourceMap: true,
      sourcesContent: false,
      // Empty, not omitted: NodejsFunction leaves `@aws-sdk/*` out of the bundle by default.
      externalModules: [],
      // CommonJS dependencies inside the ESM bundle need a `require`.
      banner: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
      // `npm run bench bundles` sets it to read, per function, what fills the bundle; a deployed asset has no metafile.
      metafile: process.env[BUNDLE_METAFILE_ENV] === '1',
    },
  };
}
