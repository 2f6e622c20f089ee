import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OFFLINE_ACCOUNT } from './environment';
import { UndeployableAssemblyError } from './errors';

/** What `checkDeployableAssembly` throws, for callers of the `./assembly` entry. */
export { UndeployableAssemblyError };

/**
 * A stack of a synthesized cloud assembly and the environment it was synthesized for.
 *
 * @example { stackName: 'EmailConsumer', account: '123456789012', region: 'eu-west-1' }
 */
export interface AssemblyStack {
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
}

interface Manifest {
  readonly artifacts?: Record<
    string,
    { readonly type?: string; readonly environment?: string; readonly properties?: { stackName?: string } }
  >;
}

/** The fix named by every refusal: synthesize again for the account and region being deployed to. */
const SYNTH_AGAIN =
  'Synthesize for the account and region you deploy to: set CDK_DEFAULT_ACCOUNT and CDK_DEFAULT_REGION (CI sets ' +
  'them from the assumed role) and run the deploy again, e.g. ' +
  '`CDK_DEFAULT_ACCOUNT=123456789012 CDK_DEFAULT_REGION=eu-west-1 npx nx deploy <app>`; synth is cached per ' +
  'account, region and context, so this synthesizes afresh.';

/**
 * The stacks of the cloud assembly in `assemblyDir` (its `manifest.json`) with their target account and region.
 *
 * @example assemblyStacks('apps/email-consumer/cdk.out'); // [{ stackName: 'EmailConsumer', account: '000000000000', region: 'us-east-1' }]
 */
export function assemblyStacks(assemblyDir: string): AssemblyStack[] {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(join(assemblyDir, 'manifest.json'), 'utf8')) as Manifest;
  } catch (cause) {
    throw new UndeployableAssemblyError(
      assemblyDir,
      `its manifest.json cannot be read (${(cause as Error).message})`,
      "Run the app's synth target first (`npx nx run <app>:synth`); `nx deploy <app>` does that for you.",
      { cause },
    );
  }
  return Object.entries(manifest.artifacts ?? {})
    .filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack')
    .map(([id, artifact]) => {
      const match = /^aws:\/\/([^/]+)\/([^/]+)$/.exec(artifact.environment ?? '');
      return {
        stackName: artifact.properties?.stackName ?? id,
        account: match?.[1] ?? 'unknown-account',
        region: match?.[2] ?? 'unknown-region',
      };
    });
}

/**
 * Checks that the cloud assembly in `assemblyDir` may be deployed, and returns its stacks: it has at least one
 * stack; no stack targets the offline placeholder account ({@link OFFLINE_ACCOUNT}, what `stackEnvironment()` uses
 * when synthesized without credentials) or an environment-agnostic one; and when `CDK_DEFAULT_ACCOUNT` /
 * `CDK_DEFAULT_REGION` name the deploy's target, every stack was synthesized for exactly that account and region.
 * Throws {@link UndeployableAssemblyError} naming the stack, the value found and the fix.
 *
 * @example checkDeployableAssembly('cdk.out', process.env); // before `cdk deploy --app cdk.out`
 */
export function checkDeployableAssembly(
  assemblyDir: string,
  env: NodeJS.ProcessEnv = process.env,
): AssemblyStack[] {
  const stacks = assemblyStacks(assemblyDir);
  if (stacks.length === 0) {
    throw new UndeployableAssemblyError(assemblyDir, 'it holds no CloudFormation stack', SYNTH_AGAIN);
  }
  for (const { stackName, account, region } of stacks) {
    if (account === OFFLINE_ACCOUNT || !/^\d{12}$/.test(account)) {
      throw new UndeployableAssemblyError(
        assemblyDir,
        `stack ${stackName} was synthesized for account ${JSON.stringify(account)}, the placeholder used when no ` +
          `credentials or CDK_DEFAULT_ACCOUNT were available at synth`,
        SYNTH_AGAIN,
      );
    }
    const wantedAccount = env['CDK_DEFAULT_ACCOUNT'];
    if (wantedAccount && wantedAccount !== account) {
      throw new UndeployableAssemblyError(
        assemblyDir,
        `stack ${stackName} was synthesized for account ${account}, but CDK_DEFAULT_ACCOUNT is ${wantedAccount}`,
        SYNTH_AGAIN,
      );
    }
    const wantedRegion = env['CDK_DEFAULT_REGION'];
    if (wantedRegion && wantedRegion !== region) {
      throw new UndeployableAssemblyError(
        assemblyDir,
        `stack ${stackName} was synthesized for region ${region}, but CDK_DEFAULT_REGION is ${wantedRegion}`,
        SYNTH_AGAIN,
      );
    }
  }
  return stacks;
}
