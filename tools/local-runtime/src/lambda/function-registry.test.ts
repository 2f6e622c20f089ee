import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProvisioningError } from '../errors';
import type { ProvisionRequest } from '../template/deploy';
import { planStack } from '../template/stack-plan';
import { FunctionRegistry } from './function-registry';

const warnings: string[] = [];
const registry = new FunctionRegistry(
  { AWS_REGION: 'us-east-1' },
  () => undefined,
  mkdtempSync(join(tmpdir(), 'inline-')),
  (m) => warnings.push(m),
);
afterEach(async () => {
  await registry.stop();
  warnings.length = 0;
});

const request = (
  properties: Record<string, unknown>,
  metadata?: Record<string, unknown>,
): ProvisionRequest => {
  const plan = planStack({
    app: 'app',
    stackName: 'Users',
    template: { Resources: {} },
    assemblyDir: join(import.meta.dirname, '..', 'fixtures'),
  });
  return {
    plan,
    logicalId: 'Fn1234ABCD',
    type: 'AWS::Lambda::Function',
    resource: { Type: 'AWS::Lambda::Function', ...(metadata ? { Metadata: metadata } : {}) },
    properties,
    identity: {
      ref: `fn-${Object.keys(properties).length}-${metadata ? 'a' : 'b'}`,
      attributes: { Arn: 'arn:aws:lambda:us-east-1:000000000000:function:x' },
    },
  };
};

describe('FunctionRegistry.provision', () => {
  it('runs the asset its `aws:asset:path` metadata names, invoked by name or ARN', async () => {
    await registry.provision(
      request(
        { Runtime: 'nodejs22.x', Handler: 'index.handler', Timeout: 5 },
        { 'aws:asset:path': 'behaviours' },
      ),
    );

    const result = await registry.invoke('arn:aws:lambda:us-east-1:000000000000:function:fn-3-a', {
      value: 'hi',
    });

    expect(result).toMatchObject({ echo: 'hi', functionName: 'fn-3-a' });
    expect(registry.displayNames.get('fn-3-a')).toBe('Fn');
  });

  it('runs inline code (Code.ZipFile)', async () => {
    await registry.provision(
      request({
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        Code: { ZipFile: 'exports.handler = async () => "inline";' },
      }),
    );

    await expect(registry.invoke('fn-3-b', {})).resolves.toBe('inline');
  });

  it('fails naming the function when it has neither asset metadata nor inline code', async () => {
    const provisioning = registry.provision(
      request({ Runtime: 'nodejs22.x', Handler: 'index.handler', Code: { S3Bucket: 'b', S3Key: 'k' } }),
    );

    await expect(provisioning).rejects.toThrow(ProvisioningError);
    await expect(
      registry.provision(request({ Runtime: 'nodejs22.x', Handler: 'index.handler', Code: {} })),
    ).rejects.toThrow(
      'Users/Fn1234ABCD (AWS::Lambda::Function) has neither an `aws:asset:path` metadata entry nor inline code',
    );
  });

  it('warns that a function of another runtime cannot run locally', async () => {
    await registry.provision(
      request({ Runtime: 'python3.12', Handler: 'index.handler' }, { 'aws:asset:path': 'behaviours' }),
    );

    expect(warnings).toEqual([
      'Users/Fn1234ABCD: runtime python3.12 cannot run locally (only Node.js functions do)',
    ]);
  });

  it('fails an invocation of a function that does not exist like Lambda does', async () => {
    await expect(registry.invoke('nope', {})).rejects.toMatchObject({
      errorType: 'ResourceNotFoundException',
      errorMessage: 'Function not found: nope',
    });
  });
});
