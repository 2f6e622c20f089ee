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
      'No workspace root (a folder with package-lock.json and nx.json) above /.',
    );
  });
});
