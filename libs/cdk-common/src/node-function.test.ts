import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { describe, expect, it } from 'vitest';
import { stackEnvironment } from './environment';
import { nodeFunctionDefaults } from './node-function';
import { findWorkspaceRoot } from './workspace-root';

describe('nodeFunctionDefaults', () => {
  it('bundles a handler with the local esbuild (no Docker) into an ESM asset on Node.js 22 arm64', () => {
    const stack = new Stack(new App(), 'Fn', { env: stackEnvironment({}) });
    const entry = join(import.meta.dirname, 'fixtures', 'echo-handler.ts');
    new NodejsFunction(stack, 'Echo', { ...nodeFunctionDefaults(), entry });

    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      LoggingConfig: { LogFormat: 'JSON' },
      TracingConfig: { Mode: 'Active' },
      Code: { S3Bucket: Match.anyValue(), S3Key: Match.stringLikeRegexp('\\.zip$') },
    });
  });
});

describe('nodeFunctionDefaults bundling of the AWS SDK', () => {
  const stack = new Stack(new App(), 'Sdk', { env: stackEnvironment({}) });
  new NodejsFunction(stack, 'Sender', {
    ...nodeFunctionDefaults(),
    entry: join(import.meta.dirname, 'fixtures', 'sdk-handler.ts'),
  });
  const assembly = (stack.node.root as App).synth();
  const [fn] = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
  const zip = String((fn?.Properties as { Code: { S3Key: string } }).Code.S3Key);
  const assetDir = join(assembly.directory, `asset.${zip.replace(/\.zip$/, '')}`);
  const bundle = readFileSync(join(assetDir, 'index.mjs'), 'utf8');

  // Booleans, not toContain: a failure would print the whole 300 KB bundle.
  it('bundles the AWS SDK the lock file pins instead of importing the Lambda runtime copy', () => {
    expect(bundle.match(/\bfrom\s*["'`](@aws-sdk|@smithy)\/[^"'`]*/g) ?? []).toEqual([]);
    expect(bundle.includes('"AmazonSQS"'), 'the SQS client').toBe(true);
    expect(bundle.includes('"SendMessage"'), 'the SendMessage operation').toBe(true);
  });

  it('loads with no node_modules beside it (nothing left for the runtime to provide)', () => {
    const alone = mkdtempSync(join(tmpdir(), 'bundle-alone-'));
    copyFileSync(join(assetDir, 'index.mjs'), join(alone, 'index.mjs'));
    const loaded = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', "const m = await import('./index.mjs'); console.log(typeof m.handler);"],
      {
        cwd: alone,
        env: { PATH: process.env.PATH ?? '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
        encoding: 'utf8',
      },
    );
    rmSync(alone, { recursive: true, force: true });
    expect({ status: loaded.status, stdout: loaded.stdout.trim(), stderr: loaded.stderr }).toEqual({
      status: 0,
      stdout: 'function',
      stderr: '',
    });
  });

  it.each(['ReceiveMessage', 'DeleteMessageBatch', 'PurgeQueue', 'ChangeMessageVisibility'])(
    'tree-shakes the SDK: the %s operation, never sent, is left out',
    (operation) => {
      expect(bundle.includes(`"${operation}"`)).toBe(false);
    },
  );

  it('ships the bundle and its source map only (no metafile unless the bundles benchmark asks)', () => {
    expect(readdirSync(assetDir).sort()).toEqual(['index.mjs', 'index.mjs.map']);
  });
});

describe('stackEnvironment', () => {
  it.each([
    [{}, { account: '000000000000', region: 'us-east-1' }],
    [
      { CDK_DEFAULT_ACCOUNT: '123456789012', CDK_DEFAULT_REGION: 'eu-west-1' },
      { account: '123456789012', region: 'eu-west-1' },
    ],
    [{ AWS_REGION: 'ap-south-1' }, { account: '000000000000', region: 'ap-south-1' }],
  ])('resolves %j to %j', (env, expected) => {
    expect(stackEnvironment(env)).toEqual(expected);
  });
});

describe('findWorkspaceRoot', () => {
  it('finds the folder holding nx.json and package-lock.json', () => {
    expect(findWorkspaceRoot()).toBe(join(import.meta.dirname, '..', '..', '..'));
  });

  it('says which folder it searched from when there is no workspace above it', () => {
    expect(() => findWorkspaceRoot('/')).toThrow(
      'No workspace root (a folder with package-lock.json and nx.json) at or above /.',
    );
  });
});
