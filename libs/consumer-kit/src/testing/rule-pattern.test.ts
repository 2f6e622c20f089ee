import { join } from 'node:path';
import { stackEnvironment } from '@outboxed/cdk-common';
import { defineExpectations, userCreatedV2 } from '@outboxed/contracts';
import { exampleUserCreatedEvent } from '@outboxed/contracts/testing';
import { Stack } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventConsumer } from '../construct/event-consumer';
import type { EventPatternTester } from './rule-pattern';
import { consumerRulePattern, eventsOffRoute, startEventPatternTester } from './rule-pattern';

const entry = join(import.meta.dirname, '..', 'construct', 'fixtures', 'handler.ts');
const contentFilter = { data: { name: [{ prefix: 'A' }] } };

describe('rule pattern checks', () => {
  const {
    pattern,
    routing,
    contentFilter: filter,
  } = consumerRulePattern((app) => {
    const stack = new Stack(app, 'Consumer', { env: stackEnvironment({}) });
    new EventConsumer(stack, 'Consumer', {
      expectations: defineExpectations({
        consumer: 'fixture-consumer',
        subscriptions: [{ contract: userCreatedV2, reads: [] }],
      }),
      entry,
      contentFilter,
    });
    return stack;
  });
  let tester: EventPatternTester;
  beforeAll(async () => {
    tester = await startEventPatternTester();
  });
  afterAll(() => tester?.stop());

  it('reads the synthesized rule pattern and splits its routing from its content filter', () => {
    const route = { source: [userCreatedV2.source], 'detail-type': [userCreatedV2.detailType] };
    expect({ pattern, routing, filter }).toEqual({
      pattern: { ...route, detail: contentFilter },
      routing: route,
      filter: contentFilter,
    });
  });

  it('names the events off the route: another detail-type of the source, the detail-type from another source', () => {
    const example = exampleUserCreatedEvent();
    expect(eventsOffRoute(example)).toEqual([
      ['another detail-type of outboxed.users', { ...example, 'detail-type': 'SomethingElseHappened' }],
      ['UserCreated from another source', { ...example, source: 'outboxed.elsewhere' }],
    ]);
  });

  it.each<[string, object, boolean]>([
    ['the example event', exampleUserCreatedEvent(), true],
    ...eventsOffRoute(exampleUserCreatedEvent()).map(([name, event]): [string, object, boolean] => [
      name,
      event,
      false,
    ]),
  ])('matches tells whether the routing matches %s', async (_name, event, expected) => {
    expect(await tester.matches(routing, event)).toBe(expected);
  });

  it('matches applies the content filter of the whole pattern', async () => {
    const example = exampleUserCreatedEvent();
    const named = (name: string) => ({
      ...example,
      detail: { ...example.detail, data: { ...example.detail.data, name } },
    });
    expect([
      await tester.matches(pattern, named('Ada')),
      await tester.matches(pattern, named('Bob')),
    ]).toEqual([true, false]);
  });

  it('matches rejects a pattern EventBridge rejects', async () => {
    await expect(tester.matches({ source: 'not-an-array' }, exampleUserCreatedEvent())).rejects.toThrow();
  });
});
