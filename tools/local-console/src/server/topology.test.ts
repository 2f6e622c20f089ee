import type { DeployedStack } from '@outboxed/local-runtime';
import { REDRIVE_ENV } from '@outboxed/outbox';
import { describe, expect, it } from 'vitest';
import { readTopology } from './topology';

const ARN = 'arn:aws:sqs:us-east-1:000000000000';
const resource = (
  logicalId: string,
  type: string,
  ref: string,
  properties: Record<string, unknown> = {},
  attributes: Record<string, unknown> = {},
) => [logicalId, { logicalId, type, properties, identity: { ref, attributes }, metadata: {} }] as const;
const stack = (stackName: string, resources: ReturnType<typeof resource>[]): DeployedStack =>
  ({
    plan: { input: { stackName } },
    resources: new Map(resources),
    outputs: {},
  }) as unknown as DeployedStack;

// A producer (API → function → table → stream → relay → bus, with the relay's redrive function and queues) and a
// consumer (rule → queue → function, DLQ, mailbox), as the deployed templates resolve them.
const stacks = [
  stack('Users', [
    resource('Api1', 'AWS::ApiGatewayV2::Api', 'api1'),
    resource('Integration1', 'AWS::ApiGatewayV2::Integration', 'i1', {
      ApiId: 'api1',
      IntegrationUri: 'arn:aws:lambda:us-east-1:000000000000:function:Users-ApiFn',
    }),
    resource(
      'ApiFn',
      'AWS::Lambda::Function',
      'Users-ApiFn',
      { Environment: { Variables: { TABLE_NAME: 'users' } } },
      { Arn: 'arn:aws:lambda:us-east-1:000000000000:function:Users-ApiFn' },
    ),
    resource('Table', 'AWS::DynamoDB::Table', 'users', {}, { StreamArn: 'arn:stream/users' }),
    resource(
      'RelayFn',
      'AWS::Lambda::Function',
      'Users-Relay',
      { Environment: { Variables: { EVENT_BUS_NAME: 'bus', POISON_QUEUE_URL: 'http://edge/poison' } } },
      { Arn: 'arn:fn:relay' },
    ),
    resource('Mapping', 'AWS::Lambda::EventSourceMapping', 'uuid-1', {
      EventSourceArn: 'arn:stream/users',
      FunctionName: 'Users-Relay',
      DestinationConfig: { OnFailure: { Destination: `${ARN}:on-failure` } },
    }),
    resource('Poison', 'AWS::SQS::Queue', 'http://edge/poison', {}, { Arn: `${ARN}:poison` }),
    resource('OnFailure', 'AWS::SQS::Queue', 'http://edge/on-failure', {}, { Arn: `${ARN}:on-failure` }),
    resource('RedriveFn', 'AWS::Lambda::Function', 'Users-Redrive', {
      Environment: {
        Variables: {
          [REDRIVE_ENV.poisonQueueUrl]: 'http://edge/poison',
          [REDRIVE_ENV.onFailureQueueUrl]: 'http://edge/on-failure',
          [REDRIVE_ENV.eventBusName]: 'bus',
        },
      },
    }),
    resource('Bus', 'AWS::Events::EventBus', 'bus', {}, { Arn: 'arn:bus' }),
  ]),
  stack('Email', [
    resource('Rule', 'AWS::Events::Rule', 'bus|email-rule', {
      EventBusName: 'bus',
      Targets: [{ Arn: `${ARN}:email` }],
    }),
    resource(
      'Queue',
      'AWS::SQS::Queue',
      'http://edge/email',
      { RedrivePolicy: { deadLetterTargetArn: `${ARN}:email-dlq`, maxReceiveCount: 5 } },
      { Arn: `${ARN}:email` },
    ),
    resource('Dlq', 'AWS::SQS::Queue', 'http://edge/email-dlq', {}, { Arn: `${ARN}:email-dlq` }),
    resource('EmailFn', 'AWS::Lambda::Function', 'Email-Fn', {
      Environment: { Variables: { DEAD_LETTER_QUEUE_URL: 'http://edge/email-dlq', TEMPLATE: 'welcome' } },
    }),
    resource('EmailMapping', 'AWS::Lambda::EventSourceMapping', 'uuid-2', {
      EventSourceArn: `${ARN}:email`,
      FunctionName: 'Email-Fn',
    }),
    resource('Template', 'AWS::SES::Template', 'welcome'),
    resource('Unlinked', 'AWS::SQS::Queue', 'http://edge/unused', {}, { Arn: `${ARN}:unused` }),
  ]),
];

describe('readTopology', () => {
  it('draws API → function → table → relay → bus → rule → queue → consumer, DLQs and mailbox from the templates', () => {
    const topology = readTopology(stacks);

    expect(topology.edges.map((e) => `${e.from} -${e.label}-> ${e.to}`).sort()).toEqual(
      [
        'Users/Api1 -request-> Users/ApiFn',
        'Users/ApiFn -writes-> Users/Table',
        'Users/Table -stream-> Users/RelayFn',
        'Users/RelayFn -on failure-> Users/OnFailure',
        'Users/RelayFn -PutEvents-> Users/Bus',
        'Users/RelayFn -poison-> Users/Poison',
        'Users/Poison -redrive-> Users/RedriveFn',
        'Users/OnFailure -redrive-> Users/RedriveFn',
        'Users/RedriveFn -republish-> Users/Bus',
        'Users/Bus -match-> Email/Rule',
        'Email/Rule -deliver-> Email/Queue',
        'Email/Queue -dead letter-> Email/Dlq',
        'Email/Queue -consume-> Email/EmailFn',
        'Email/EmailFn -rejected-> Email/Dlq',
        'Email/EmailFn -email-> Email/Template',
      ].sort(),
    );
    const kinds = Object.fromEntries(topology.nodes.map((n) => [n.id, n.kind]));
    expect(kinds).toMatchObject({
      'Email/Dlq': 'dlq',
      'Users/Poison': 'dlq',
      'Users/OnFailure': 'dlq',
      'Email/Queue': 'queue',
      'Email/Template': 'mailbox',
    });
    expect(kinds['Email/Unlinked']).toBeUndefined();
  });

  it('names the counters of each edge and the queue each consumer reads, and the relay queues its redrive function drains', () => {
    const topology = readTopology(stacks);
    const counters = (from: string, to: string) =>
      topology.edges.find((e) => e.from === from && e.to === to)?.counters;

    expect(counters('Email/Rule', 'Email/Queue')).toEqual([`deliver:${ARN}:email`]);
    expect(counters('Users/Table', 'Users/RelayFn')).toEqual(['stream:arn:fn:relay']);
    expect(counters('Users/Bus', 'Email/Rule')).toEqual(['rule:email-rule']);
    expect(topology.functionQueues).toEqual(new Map([['Email-Fn', `${ARN}:email`]]));
    expect(topology.relayQueues).toEqual(
      new Map([
        ['http://edge/poison', { kind: 'relay-poison', redriveFunction: 'Users-Redrive' }],
        ['http://edge/on-failure', { kind: 'relay-on-failure', redriveFunction: 'Users-Redrive' }],
      ]),
    );
  });
});
