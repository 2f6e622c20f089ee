import { stackEnvironment } from '@outboxed/cdk-common';
import { consumerRulePattern, eventsOffRoute, startEventPatternTester } from '@outboxed/consumer-kit/testing';
import type { EventPatternTester } from '@outboxed/consumer-kit/testing';
import {
  checkConsumerExpectations,
  exampleUserCreatedEvent,
  exampleUserCreatedV1Event,
  userCreatedNextMajor,
} from '@outboxed/contracts/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectations } from './contract-expectations';
import { EmailConsumerStack } from './stack';

describe('email-consumer contract', () => {
  const { pattern } = consumerRulePattern(
    (app) =>
      new EmailConsumerStack(app, 'EmailConsumer', {
        env: stackEnvironment({}),
        senderAddress: 'welcome@outboxed.example',
      }),
  );
  let tester: EventPatternTester;
  beforeAll(async () => {
    tester = await startEventPatternTester();
  });
  afterAll(() => tester?.stop());

  it.each([
    ['UserCreated v1', exampleUserCreatedV1Event()],
    ['the latest UserCreated', exampleUserCreatedEvent()],
  ])('its rule pattern matches the contracts example %s event', async (_name, event) => {
    expect(await tester.matches(pattern, event)).toBe(true);
  });

  it.each(eventsOffRoute(exampleUserCreatedEvent()))('its rule pattern rejects %s', async (_name, event) => {
    expect(await tester.matches(pattern, event)).toBe(false);
  });

  it('guarantee 7: its rule pattern rejects a new major of UserCreated it does not read', async () => {
    const nextMajor = { ...exampleUserCreatedEvent(), 'detail-type': userCreatedNextMajor.detailType };

    expect(await tester.matches(pattern, nextMajor)).toBe(false);
  });

  it('its expectations hold against the current schemas', () => {
    expect(checkConsumerExpectations(expectations)).toEqual([]);
  });
});
