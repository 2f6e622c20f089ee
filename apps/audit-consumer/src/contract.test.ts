import { EventBridgeClient, TestEventPatternCommand } from '@aws-sdk/client-eventbridge';
import { stackEnvironment } from '@outboxed/cdk-common';
import {
  checkConsumerExpectations,
  exampleUserCreatedEvent,
  exampleUserCreatedV1Event,
} from '@outboxed/contracts';
import { startEdge } from '@outboxed/local-aws';
import type { Edge } from '@outboxed/local-aws';
import type { UserCreatedEvent } from '@outboxed/contracts';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectations } from './contract-expectations';
import { AuditConsumerStack } from './stack';

describe('audit-consumer contract', () => {
  let edge: Edge;
  let events: EventBridgeClient;
  const stack = new AuditConsumerStack(new App(), 'AuditConsumer', { env: stackEnvironment({}) });
  const [rule] = Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule'));
  const pattern = JSON.stringify(rule?.Properties.EventPattern);

  beforeAll(async () => {
    edge = await startEdge();
    events = new EventBridgeClient({
      endpoint: edge.endpoint,
      region: edge.region,
      credentials: edge.credentials,
    });
  });
  afterAll(async () => {
    events.destroy();
    await edge.stop();
  });

  const matches = async (event: unknown) =>
    (await events.send(new TestEventPatternCommand({ EventPattern: pattern, Event: JSON.stringify(event) })))
      .Result;

  it.each([
    ['UserCreated v1', exampleUserCreatedV1Event()],
    ['UserCreated v2', exampleUserCreatedEvent()],
  ])('its rule pattern matches the contracts example %s event', async (_name, event) => {
    expect(await matches(event)).toBe(true);
  });

  it.each([
    [
      'another detail-type of the users service',
      exampleUserCreatedEvent({ 'detail-type': 'UserDeleted' as UserCreatedEvent['detail-type'] }),
    ],
    [
      'UserCreated from another source',
      exampleUserCreatedEvent({ source: 'outboxed.orders' as UserCreatedEvent['source'] }),
    ],
  ])('its rule pattern rejects %s', async (_name, event) => {
    expect(await matches(event)).toBe(false);
  });

  it('its expectations hold against the current schemas', () => {
    expect(checkConsumerExpectations(expectations)).toEqual([]);
  });
});
