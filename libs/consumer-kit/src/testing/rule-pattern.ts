import { EventBridgeClient, TestEventPatternCommand } from '@aws-sdk/client-eventbridge';
import { startEdge } from '@outboxed/local-aws';
import type { ConsumerStackFactory } from './consumer-stack';
import { consumerTemplate } from './consumer-stack';

/** The consumer's synthesized rule pattern, whole and split into its routing and its content filter. */
export interface ConsumerRulePattern {
  /** The whole `EventPattern` of the rule, content filter included. */
  readonly pattern: Readonly<Record<string, unknown>>;
  /** The pattern without its `detail` content filter: the source and detail-type routing. */
  readonly routing: Readonly<Record<string, unknown>>;
  /** The `detail` content filter, if the rule has one. */
  readonly contentFilter: unknown;
}

/**
 * The rule pattern of the stack `build` creates, read from its synthesized template (the stack must have exactly one
 * `AWS::Events::Rule`).
 *
 * @example const { pattern } = consumerRulePattern((app) => new AuditConsumerStack(app, 'AuditConsumer', { env }));
 */
export function consumerRulePattern(build: ConsumerStackFactory): ConsumerRulePattern {
  const template = consumerTemplate(build);
  template.resourceCountIs('AWS::Events::Rule', 1);
  const [rule] = Object.values(template.findResources('AWS::Events::Rule'));
  const pattern = rule?.Properties.EventPattern as Record<string, unknown>;
  const { detail: contentFilter, ...routing } = pattern;
  return { pattern, routing, contentFilter };
}

/** EventBridge's `TestEventPattern` on the local edge; {@link startEventPatternTester} starts one. */
export interface EventPatternTester {
  /** Whether `pattern` matches `event`; rejects when EventBridge rejects the pattern or the event. */
  matches(pattern: unknown, event: unknown): Promise<boolean>;
  /** Stops the edge. */
  stop(): Promise<void>;
}

/**
 * Starts the local edge (`startEdge()` of `@outboxed/local-aws`, EventBridge's wire protocol) and tests rule patterns
 * against events through the real `EventBridgeClient`'s `TestEventPattern`. Start it in `beforeAll`, stop it in
 * `afterAll`.
 *
 * @example const tester = await startEventPatternTester(); expect(await tester.matches(pattern, event)).toBe(true);
 */
export async function startEventPatternTester(): Promise<EventPatternTester> {
  const edge = await startEdge();
  const events = new EventBridgeClient({
    endpoint: edge.endpoint,
    region: edge.region,
    credentials: edge.credentials,
  });
  return {
    async matches(pattern, event) {
      const { Result } = await events.send(
        new TestEventPatternCommand({ EventPattern: JSON.stringify(pattern), Event: JSON.stringify(event) }),
      );
      if (typeof Result !== 'boolean')
        throw new Error(`TestEventPattern returned no Result (got ${String(Result)}).`);
      return Result;
    },
    async stop() {
      events.destroy();
      await edge.stop();
    },
  };
}

/**
 * `example` moved off the consumer's route, one way each, with a name for `it.each`: the same source with another
 * detail-type, and the same detail-type from another source. A consumer's rule pattern must reject both.
 *
 * @example it.each(eventsOffRoute(exampleUserCreatedEvent()))('its rule pattern rejects %s', …);
 */
export function eventsOffRoute(example: {
  readonly source: string;
  readonly 'detail-type': string;
}): [name: string, event: object][] {
  return [
    [`another detail-type of ${example.source}`, { ...example, 'detail-type': 'SomethingElseHappened' }],
    [`${example['detail-type']} from another source`, { ...example, source: 'outboxed.elsewhere' }],
  ];
}
