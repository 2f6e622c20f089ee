import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, CfnWaitConditionHandle, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { assemblyStacks, checkDeployableAssembly } from './assembly';
import { stackEnvironment } from './environment';
import { UndeployableAssemblyError } from './errors';

/** A real cloud assembly (synthesized by aws-cdk-lib) of one stack `S` in `env`, or environment-agnostic. */
function assemblyFor(env: NodeJS.ProcessEnv | 'agnostic'): string {
  const outdir = mkdtempSync(join(tmpdir(), 'assembly-'));
  const app = new App({ outdir });
  const stack = new Stack(app, 'S', env === 'agnostic' ? {} : { env: stackEnvironment(env) });
  new CfnWaitConditionHandle(stack, 'Resource');
  app.synth();
  return outdir;
}

const ACCOUNT = '123456789012';

describe('assemblyStacks', () => {
  it('lists each stack of the assembly with the account and region it was synthesized for', () => {
    const dir = assemblyFor({ CDK_DEFAULT_ACCOUNT: ACCOUNT, CDK_DEFAULT_REGION: 'eu-west-1' });
    expect(assemblyStacks(dir)).toEqual([{ stackName: 'S', account: ACCOUNT, region: 'eu-west-1' }]);
  });
});

describe('checkDeployableAssembly', () => {
  it('accepts an assembly synthesized for the account and region being deployed to', () => {
    const env = { CDK_DEFAULT_ACCOUNT: ACCOUNT, CDK_DEFAULT_REGION: 'eu-west-1' };
    expect(checkDeployableAssembly(assemblyFor(env), env)).toEqual([
      { stackName: 'S', account: ACCOUNT, region: 'eu-west-1' },
    ]);
  });

  it.each<[string, NodeJS.ProcessEnv | 'agnostic', NodeJS.ProcessEnv, RegExp]>([
    [
      'the placeholder account (synthesized without credentials)',
      {},
      {},
      /stack S was synthesized for account "000000000000", the placeholder .* set CDK_DEFAULT_ACCOUNT and CDK_DEFAULT_REGION/,
    ],
    [
      'an environment-agnostic stack',
      'agnostic',
      {},
      /stack S was synthesized for account "unknown-account"/,
    ],
    [
      'another account than CDK_DEFAULT_ACCOUNT',
      { CDK_DEFAULT_ACCOUNT: ACCOUNT, CDK_DEFAULT_REGION: 'eu-west-1' },
      { CDK_DEFAULT_ACCOUNT: '210987654321' },
      /stack S was synthesized for account 123456789012, but CDK_DEFAULT_ACCOUNT is 210987654321\. Synthesize for/,
    ],
    [
      'another region than CDK_DEFAULT_REGION',
      { CDK_DEFAULT_ACCOUNT: ACCOUNT, CDK_DEFAULT_REGION: 'eu-west-1' },
      { CDK_DEFAULT_ACCOUNT: ACCOUNT, CDK_DEFAULT_REGION: 'us-east-2' },
      /stack S was synthesized for region eu-west-1, but CDK_DEFAULT_REGION is us-east-2/,
    ],
  ])('refuses an assembly made for %s, naming the fix', (_case, synthEnv, deployEnv, message) => {
    const dir = assemblyFor(synthEnv);
    expect(() => checkDeployableAssembly(dir, deployEnv)).toThrow(UndeployableAssemblyError);
    expect(() => checkDeployableAssembly(dir, deployEnv)).toThrow(message);
  });

  it('refuses a folder with no assembly, naming the synth target', () => {
    const empty = mkdtempSync(join(tmpdir(), 'assembly-'));
    expect(() => checkDeployableAssembly(empty, {})).toThrow(
      /its manifest.json cannot be read .* Run the app's synth target first/,
    );
  });
});
