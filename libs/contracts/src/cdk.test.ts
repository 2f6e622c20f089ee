import { App, Stack } from 'aws-cdk-lib';
import type { CfnRegistry } from 'aws-cdk-lib/aws-eventschemas';
import { Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { EventSchemas } from './cdk.ts';
import { userCreated, userCreatedV1, userCreatedVersions } from './user-created.ts';
import { userCreatedNextMajor } from './testing.ts';

const stackFactory = () =>
  new Stack(new App(), 'Schemas', { env: { account: '123456789012', region: 'eu-west-1' } });

describe('EventSchemas', () => {
  it('publishes a new major beside the pinned versions of the old one, whose names differ only in punctuation', () => {
    const stack = stackFactory();

    new EventSchemas(stack, 'Schemas', { contracts: [...userCreatedVersions, userCreatedNextMajor] });

    const names = Object.values(Template.fromStack(stack).findResources('AWS::EventSchemas::Schema')).map(
      (r) => r.Properties.SchemaName,
    );
    expect(names).toEqual([
      'outboxed.users@UserCreated',
      ...userCreatedVersions.map((c) => `outboxed.users@UserCreated.v${c.version}`),
      'outboxed.users@UserCreatedV2',
      'outboxed.users@UserCreatedV2.v1',
    ]);
  });

  it('creates the registry and publishes every UserCreated version as JSONSchemaDraft4, canonical and pinned', () => {
    const stack = stackFactory();

    const published = new EventSchemas(stack, 'Schemas');

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EventSchemas::Registry', 1);
    template.hasResourceProperties('AWS::EventSchemas::Registry', { RegistryName: 'outboxed-users' });
    const schemas = Object.values(template.findResources('AWS::EventSchemas::Schema')).map((r) => ({
      ...r.Properties,
      RegistryName: 'resolved',
      Content: JSON.parse(r.Properties.Content),
    }));
    expect(schemas).toEqual([
      {
        RegistryName: 'resolved',
        SchemaName: 'outboxed.users@UserCreated',
        Type: 'JSONSchemaDraft4',
        Content: userCreated.schema,
        Description: 'UserCreated from outboxed.users, latest version',
      },
      ...userCreatedVersions.map((contract) => ({
        RegistryName: 'resolved',
        SchemaName: `outboxed.users@UserCreated.v${contract.version}`,
        Type: 'JSONSchemaDraft4',
        Content: contract.schema,
        Description: `UserCreated from outboxed.users, version ${contract.version}, pinned`,
      })),
    ]);
    for (const resource of Object.values(template.findResources('AWS::EventSchemas::Schema'))) {
      expect(resource.Properties.RegistryName).toEqual({
        'Fn::GetAtt': [registryId(published), 'RegistryName'],
      });
    }
  });

  it('publishes into an existing registry without creating one', () => {
    const stack = stackFactory();

    const schemas = new EventSchemas(stack, 'Schemas', {
      registryName: 'shared-registry',
      useExistingRegistry: true,
      contracts: [userCreatedV1],
    });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EventSchemas::Registry', 0);
    template.resourceCountIs('AWS::EventSchemas::Schema', 2);
    template.hasResourceProperties('AWS::EventSchemas::Schema', {
      RegistryName: 'shared-registry',
      SchemaName: 'outboxed.users@UserCreated.v1',
    });
    expect(stack.resolve(schemas.registryArn)).toEqual({
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':schemas:eu-west-1:123456789012:registry/shared-registry'],
      ],
    });
  });

  it('grants read access to the registry and its schemas', () => {
    const stack = stackFactory();
    const role = new Role(stack, 'Codegen', { assumedBy: new ServicePrincipal('codebuild.amazonaws.com') });

    const published = new EventSchemas(stack, 'Schemas');
    published.grantRead(role);

    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    const statements = Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: [
          'schemas:DescribeRegistry',
          'schemas:ListSchemas',
          'schemas:ListSchemaVersions',
          'schemas:DescribeSchema',
          'schemas:ExportSchema',
        ],
        Resource: [
          { 'Fn::GetAtt': [registryId(published), 'RegistryArn'] },
          {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':schemas:eu-west-1:123456789012:schema/',
                { 'Fn::GetAtt': [registryId(published), 'RegistryName'] },
                '/*',
              ],
            ],
          },
        ],
      },
    ]);
  });

  it.each([
    [{ registryName: 'has spaces' }, /registryName "has spaces" is not a valid registry name/],
    [{ registryName: 'x'.repeat(65) }, /is not a valid registry name: use 1-64 characters/],
    [{ contracts: [] }, /contracts is empty/],
    [{ contracts: [userCreatedV1, userCreatedV1] }, /lists outboxed.users@UserCreated v1 twice/],
  ])('rejects invalid props %j at synth', (props, message) => {
    expect(() => new EventSchemas(stackFactory(), 'Schemas', props)).toThrow(message);
  });
});

function registryId(schemas: EventSchemas): string {
  return Stack.of(schemas).getLogicalId(schemas.registry as CfnRegistry);
}
