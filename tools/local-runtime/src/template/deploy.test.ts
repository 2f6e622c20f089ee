import { describe, expect, it } from 'vitest';
import { ImportValueNotSupportedError, MissingSsmParameterError, TemplateResolutionError } from '../errors';
import { deployStacks } from './deploy';
import type { ProvisionRequest } from './deploy';
import { generatePhysicalName } from './names';
import { orderStacks, planStack, unsupportedResources } from './stack-plan';
import type { StackInput } from './stack-plan';
import type { CfnTemplate } from './types';

const stack = (stackName: string, template: CfnTemplate, app = 'app'): StackInput => ({
  app,
  stackName,
  template,
  assemblyDir: 'cdk.out',
});

const deployOne = async (template: CfnTemplate, provisioned: ProvisionRequest[] = []) => {
  const [deployed] = await deployStacks([planStack(stack('Users', template))], {
    provisioners: {
      'AWS::SQS::Queue': async (request) => {
        provisioned.push(request);
      },
    },
  });
  if (!deployed) throw new Error('no stack deployed');
  return deployed;
};

const queueWith = (property: unknown): CfnTemplate => ({
  Parameters: {
    Stage: { Type: 'String', Default: 'dev' },
    Csv: { Type: 'CommaDelimitedList', Default: 'a,b,c' },
  },
  Conditions: {
    IsDev: { 'Fn::Equals': [{ Ref: 'Stage' }, 'dev'] },
    IsProd: { 'Fn::Not': [{ Condition: 'IsDev' }] },
    Both: { 'Fn::And': [{ Condition: 'IsDev' }, { 'Fn::Equals': ['x', 'x'] }] },
    Either: { 'Fn::Or': [{ Condition: 'IsProd' }, { Condition: 'IsDev' }] },
  },
  Mappings: { Sizes: { dev: { batch: 5 } } },
  Resources: {
    Dlq: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'dead-letters' } },
    Queue: { Type: 'AWS::SQS::Queue', Properties: { Tags: [{ Key: 'probe', Value: property }] } },
  },
});

describe('deployStacks (template loader)', () => {
  it.each([
    ['Ref to a resource', { Ref: 'Dlq' }, 'http://localhost/000000000000/dead-letters'],
    ['Ref to a parameter', { Ref: 'Stage' }, 'dev'],
    ['Ref to AWS::Region', { Ref: 'AWS::Region' }, 'us-east-1'],
    ['Ref to AWS::AccountId', { Ref: 'AWS::AccountId' }, '000000000000'],
    ['Ref to AWS::StackName', { Ref: 'AWS::StackName' }, 'Users'],
    ['Ref to AWS::Partition', { Ref: 'AWS::Partition' }, 'aws'],
    ['Ref to AWS::URLSuffix', { Ref: 'AWS::URLSuffix' }, 'amazonaws.com'],
    [
      'Fn::GetAtt as a list',
      { 'Fn::GetAtt': ['Dlq', 'Arn'] },
      'arn:aws:sqs:us-east-1:000000000000:dead-letters',
    ],
    ['Fn::GetAtt as a dotted string', { 'Fn::GetAtt': 'Dlq.QueueName' }, 'dead-letters'],
    ['Fn::Join', { 'Fn::Join': ['-', ['a', { Ref: 'Stage' }, 'b']] }, 'a-dev-b'],
    ['Fn::Join over Fn::Split', { 'Fn::Join': ['+', { 'Fn::Split': [',', 'x,y'] }] }, 'x+y'],
    [
      'Fn::Sub string form',
      { 'Fn::Sub': '${AWS::StackName}-${Stage}-${Dlq.QueueName}-${!Literal}' },
      'Users-dev-dead-letters-${Literal}',
    ],
    [
      'Fn::Sub list form',
      { 'Fn::Sub': ['${A}/${Dlq}', { A: { Ref: 'Stage' } }] },
      'dev/http://localhost/000000000000/dead-letters',
    ],
    ['Fn::Select', { 'Fn::Select': [1, { Ref: 'Csv' }] }, 'b'],
    ['Fn::Select over Fn::Split', { 'Fn::Select': [2, { 'Fn::Split': ['/', 'a/b/c'] }] }, 'c'],
    ['Fn::If true branch', { 'Fn::If': ['IsDev', 'yes', 'no'] }, 'yes'],
    ['Fn::If false branch', { 'Fn::If': ['IsProd', 'yes', 'no'] }, 'no'],
    ['Fn::If with Fn::And', { 'Fn::If': ['Both', 'yes', 'no'] }, 'yes'],
    ['Fn::If with Fn::Or', { 'Fn::If': ['Either', 'yes', 'no'] }, 'yes'],
    ['Fn::FindInMap', { 'Fn::FindInMap': ['Sizes', { Ref: 'Stage' }, 'batch'] }, 5],
    ['Fn::Base64', { 'Fn::Base64': 'hi' }, 'aGk='],
    ['Fn::GetAZs', { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] }, 'us-east-1a'],
    ['Fn::ToJsonString', { 'Fn::ToJsonString': { a: { Ref: 'Stage' } } }, '{"a":"dev"}'],
  ])('resolves %s', async (_name, property, expected) => {
    const provisioned: ProvisionRequest[] = [];

    await deployOne(queueWith(property), provisioned);

    const queue = provisioned.find((p) => p.logicalId === 'Queue');
    expect(queue?.properties).toEqual({ Tags: [{ Key: 'probe', Value: expected }] });
  });

  it('drops a property that resolves to AWS::NoValue', async () => {
    const provisioned: ProvisionRequest[] = [];

    await deployOne(queueWith({ 'Fn::If': ['IsProd', 'x', { Ref: 'AWS::NoValue' }] }), provisioned);

    expect(provisioned.find((p) => p.logicalId === 'Queue')?.properties).toEqual({
      Tags: [{ Key: 'probe' }],
    });
  });

  it('skips a resource whose condition is false', async () => {
    const deployed = await deployOne({
      Conditions: { Never: { 'Fn::Equals': ['a', 'b'] } },
      Resources: { Queue: { Type: 'AWS::SQS::Queue', Condition: 'Never' } },
    });

    expect([...deployed.resources.keys()]).toEqual([]);
  });

  it('names an unnamed resource like CloudFormation, the same on every run', async () => {
    const deployed = await deployOne({ Resources: { Queue: { Type: 'AWS::SQS::Queue' } } });

    const name = generatePhysicalName('Users', 'Queue', 80);
    expect(name).toMatch(/^Users-Queue-[A-Z0-9]{12}$/);
    expect(deployed.resources.get('Queue')?.identity).toEqual({
      ref: `http://localhost/000000000000/${name}`,
      attributes: {
        Arn: `arn:aws:sqs:us-east-1:000000000000:${name}`,
        QueueName: name,
        QueueUrl: `http://localhost/000000000000/${name}`,
      },
    });
  });

  it('creates resources after what they reference, whatever the template order', async () => {
    const provisioned: ProvisionRequest[] = [];

    await deployOne(
      {
        Resources: {
          Queue: {
            Type: 'AWS::SQS::Queue',
            Properties: { RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['Dlq', 'Arn'] } } },
          },
          Dlq: { Type: 'AWS::SQS::Queue', DependsOn: 'Other' },
          Other: { Type: 'AWS::SQS::Queue' },
        },
      },
      provisioned,
    );

    expect(provisioned.map((p) => p.logicalId)).toEqual(['Other', 'Dlq', 'Queue']);
  });

  it('resolves Ref and Fn::GetAtt on ignored resources to placeholders', async () => {
    const provisioned: ProvisionRequest[] = [];

    await deployOne(
      {
        Resources: {
          Role: { Type: 'AWS::IAM::Role' },
          Queue: {
            Type: 'AWS::SQS::Queue',
            Properties: { Tags: [{ Key: 'role', Value: { 'Fn::GetAtt': ['Role', 'Arn'] } }] },
          },
        },
      },
      provisioned,
    );

    expect(provisioned[0]?.properties).toEqual({
      Tags: [
        { Key: 'role', Value: `arn:aws:iam::000000000000:role/${generatePhysicalName('Users', 'Role')}` },
      ],
    });
  });

  it.each([
    [
      'Fn::ImportValue',
      { 'Fn::ImportValue': 'BusArn' },
      ImportValueNotSupportedError,
      /no CloudFormation exports by design/,
    ],
    [
      'an unknown intrinsic',
      { 'Fn::Cidr': ['10.0.0.0/16', 1, 8] },
      TemplateResolutionError,
      /Fn::Cidr is not supported/,
    ],
    [
      'a Ref to nothing',
      { Ref: 'Missing' },
      TemplateResolutionError,
      /Ref Missing: no parameter, resource or pseudo parameter/,
    ],
    [
      'an unknown attribute',
      { 'Fn::GetAtt': ['Dlq', 'Nope'] },
      TemplateResolutionError,
      /no attribute Nope for Dlq/,
    ],
    [
      'an undefined condition',
      { 'Fn::If': ['Nope', 1, 2] },
      TemplateResolutionError,
      /condition Nope is not defined/,
    ],
    [
      'Fn::Select out of range',
      { 'Fn::Select': [9, ['a']] },
      TemplateResolutionError,
      /index 9 is out of range/,
    ],
  ])('rejects %s', async (_name, property, errorType, message) => {
    await expect(deployOne(queueWith(property))).rejects.toThrow(errorType);
    await expect(deployOne(queueWith(property))).rejects.toThrow(message);
  });

  it('rejects a dependency cycle between resources', () => {
    const template: CfnTemplate = {
      Resources: {
        A: { Type: 'AWS::SQS::Queue', Properties: { X: { Ref: 'B' } } },
        B: { Type: 'AWS::SQS::Queue', Properties: { X: { Ref: 'A' } } },
      },
    };

    expect(() => planStack(stack('Users', template))).toThrow('circular dependency: A → B → A');
  });
});

describe('SSM parameter references between stacks', () => {
  const producer = stack(
    'Users',
    {
      Resources: {
        Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'users-bus' } },
        BusName: {
          Type: 'AWS::SSM::Parameter',
          Properties: { Name: '/outboxed/users/event-bus-name', Type: 'String', Value: { Ref: 'Bus' } },
        },
      },
    },
    'users-service',
  );
  const consumer = stack(
    'Email',
    {
      Parameters: {
        BusNameParameter: {
          Type: 'AWS::SSM::Parameter::Value<String>',
          Default: '/outboxed/users/event-bus-name',
        },
        BootstrapVersion: {
          Type: 'AWS::SSM::Parameter::Value<String>',
          Default: '/cdk-bootstrap/hnb659fds/version',
        },
      },
      Resources: {
        Rule: { Type: 'AWS::Events::Rule', Properties: { EventBusName: { Ref: 'BusNameParameter' } } },
      },
    },
    'email-consumer',
  );

  it('orders the stack that reads a parameter after the stack that creates it', () => {
    const ordered = orderStacks([planStack(consumer), planStack(producer)]);

    expect(ordered.map((p) => p.input.stackName)).toEqual(['Users', 'Email']);
  });

  it('resolves the parameter to the value the producer stack wrote', async () => {
    const requests: ProvisionRequest[] = [];

    await deployStacks(orderStacks([planStack(consumer), planStack(producer)]), {
      provisioners: {
        'AWS::Events::Rule': async (r) => {
          requests.push(r);
        },
      },
    });

    expect(requests[0]?.properties).toEqual({ EventBusName: 'users-bus' });
  });

  it('fails naming the parameter when no selected stack creates it', async () => {
    const deploying = deployStacks([planStack(consumer)], { provisioners: {} });

    await expect(deploying).rejects.toThrow(MissingSsmParameterError);
    await expect(deployStacks([planStack(consumer)], { provisioners: {} })).rejects.toThrow(
      'Stack Email: template parameter BusNameParameter reads SSM parameter "/outboxed/users/event-bus-name", but no stack of the selected apps creates it.',
    );
  });
});

describe('planStack (resource support)', () => {
  it('reports each unsupported resource by logical id and type, and lists ignored ones with their reason', () => {
    const plan = planStack(
      stack('Users', {
        Resources: {
          Activity: { Type: 'AWS::StepFunctions::Activity' },
          Role: { Type: 'AWS::IAM::Role' },
          Custom: { Type: 'Custom::Thing' },
          Table: { Type: 'AWS::DynamoDB::Table' },
        },
      }),
    );

    expect(unsupportedResources([plan])).toEqual([
      { app: 'app', stackName: 'Users', logicalId: 'Activity', type: 'AWS::StepFunctions::Activity' },
      { app: 'app', stackName: 'Users', logicalId: 'Custom', type: 'Custom::Thing' },
    ]);
    expect(plan.resources.map((r) => [r.logicalId, r.support, r.reason])).toEqual([
      ['Activity', 'unsupported', undefined],
      ['Role', 'ignored', 'permissions are not enforced locally'],
      ['Custom', 'unsupported', undefined],
      ['Table', 'supported', undefined],
    ]);
  });
});
