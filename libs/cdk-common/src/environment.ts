import type { Environment } from 'aws-cdk-lib';

/** Account used when synthesizing without AWS credentials (tests, the local runtime). Never deployed to. */
export const OFFLINE_ACCOUNT = '000000000000';
/** Region used when none is configured. */
export const DEFAULT_REGION = 'us-east-1';

/**
 * The stack environment: the account and region the CDK CLI resolved from the usual AWS configuration
 * (`CDK_DEFAULT_ACCOUNT`/`CDK_DEFAULT_REGION`), or an offline placeholder so `synth` works with no credentials.
 *
 * @example new Stack(app, 'Users', { env: stackEnvironment() });
 */
export function stackEnvironment(env: NodeJS.ProcessEnv = process.env): Required<Environment> {
  return {
    account: env.CDK_DEFAULT_ACCOUNT ?? OFFLINE_ACCOUNT,
    region: env.CDK_DEFAULT_REGION ?? env.AWS_REGION ?? DEFAULT_REGION,
  };
}
