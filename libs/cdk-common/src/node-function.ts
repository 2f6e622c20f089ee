import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { findWorkspaceRoot } from './workspace-root';

/** The Lambda runtime every function of the workspace uses. */
export const NODE_RUNTIME = Runtime.NODEJS_22_X;

/**
 * Defaults for every `NodejsFunction` in the workspace: Node.js 22 on arm64, JSON logs, X-Ray active,
 * bundled by the local esbuild as ESM (no Docker), from the monorepo root with its lock file, the AWS SDK
 * left out (the runtime provides it). Spread them first and override what a function needs.
 *
 * @example new NodejsFunction(this, 'Api', { ...nodeFunctionDefaults(), entry: join(here, 'handler.ts') });
 */
export function nodeFunctionDefaults(): Omit<NodejsFunctionProps, 'entry'> {
  const root = findWorkspaceRoot();
  return {
    runtime: NODE_RUNTIME,
    architecture: Architecture.ARM_64,
    memorySize: 256,
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
      mainFields: ['module', 'main'],
      minify: true,
      sourceMap: true,
      sourcesContent: false,
      externalModules: ['@aws-sdk/*'],
      banner: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  };
}
