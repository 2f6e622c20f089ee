import { REDRIVE_ENV } from '@outboxed/outbox';
import type { DeployedResource, DeployedStack } from '@outboxed/local-runtime';
import type { FlowNode } from '../model';

const NODE_KINDS: Readonly<Record<string, FlowNode['kind']>> = {
  'AWS::ApiGatewayV2::Api': 'api',
  'AWS::Lambda::Function': 'function',
  'AWS::DynamoDB::Table': 'table',
  'AWS::Events::EventBus': 'bus',
  'AWS::Events::Rule': 'rule',
  'AWS::SQS::Queue': 'queue',
  'AWS::SES::Template': 'mailbox',
};

/** A node of the topology with the physical ids the journal's counters use. */
export interface TopologyNode extends FlowNode {
  /** `Ref` of the resource (function name, table name, queue URL, bus name, `bus|rule`). */
  readonly ref: string;
  /** ARN, when the resource has one. */
  readonly arn?: string;
}

/** An edge of the topology; `counter` names the journal counter(s) that count what goes along it. */
export interface TopologyEdge {
  readonly from: string;
  readonly to: string;
  readonly label: string;
  readonly counters: readonly string[];
  /** The queue ARN whose unconsumed events give the edge's oldest age. */
  readonly queueArn?: string;
}

/**
 * The system's topology read from the deployed (synthesized) templates: API → function → table → stream → relay →
 * bus → rules → queues → consumers → DLQs, mailbox and tables, with the journal counters of each edge.
 *
 * @example const { nodes, edges } = readTopology(runtime.stacks);
 */
export interface Topology {
  readonly nodes: readonly TopologyNode[];
  readonly edges: readonly TopologyEdge[];
  /** Function name → the queue ARN its SQS event source mapping reads. */
  readonly functionQueues: ReadonlyMap<string, string>;
  /** The relay's poison and on-failure queues, by queue URL, with the redrive function that drains them. */
  readonly relayQueues: ReadonlyMap<
    string,
    { readonly kind: 'relay-poison' | 'relay-on-failure'; readonly redriveFunction: string }
  >;
}

/**
 * Reads the topology of the running stacks.
 *
 * @example readTopology(runtime.stacks).nodes.filter((n) => n.kind === 'queue');
 */
export function readTopology(stacks: readonly DeployedStack[]): Topology {
  const nodes: TopologyNode[] = [];
  const byPhysical = new Map<string, TopologyNode>();
  for (const stack of stacks) {
    const stackName = stack.plan.input.stackName;
    for (const resource of stack.resources.values()) {
      const kind = NODE_KINDS[resource.type];
      if (!kind) continue;
      const arn =
        typeof resource.identity.attributes.Arn === 'string' ? resource.identity.attributes.Arn : undefined;
      const node: TopologyNode = {
        id: `${stackName}/${resource.logicalId}`,
        kind,
        label: resource.logicalId.replace(/[0-9A-F]{8}$/, ''),
        stack: stackName,
        ref: resource.identity.ref,
        ...(arn ? { arn } : {}),
      };
      nodes.push(node);
      for (const value of [resource.identity.ref, ...Object.values(resource.identity.attributes)]) {
        if (typeof value === 'string' && value !== '') byPhysical.set(value, node);
      }
      if (kind === 'rule') byPhysical.set(resource.identity.ref.split('|').pop() ?? '', node);
    }
  }
  const find = (value: unknown) => (typeof value === 'string' ? byPhysical.get(value) : undefined);
  const edges: TopologyEdge[] = [];
  const dlqs = new Set<string>();
  const functionQueues = new Map<string, string>();
  const relayQueues = new Map<
    string,
    { kind: 'relay-poison' | 'relay-on-failure'; redriveFunction: string }
  >();
  const edge = (
    from: TopologyNode | undefined,
    to: TopologyNode | undefined,
    label: string,
    counters: string[],
    queueArn?: string,
  ) => {
    if (from && to && !edges.some((e) => e.from === from.id && e.to === to.id))
      edges.push({ from: from.id, to: to.id, label, counters, ...(queueArn ? { queueArn } : {}) });
  };
  for (const stack of stacks) {
    for (const resource of stack.resources.values()) {
      const p = resource.properties as Record<string, unknown>;
      switch (resource.type) {
        case 'AWS::ApiGatewayV2::Integration': {
          const fn = findFunction(p.IntegrationUri, find);
          edge(find(p.ApiId), fn, 'request', fn ? [`http:${fn.ref}`] : []);
          break;
        }
        case 'AWS::Lambda::EventSourceMapping': {
          const source = find(p.EventSourceArn);
          const fn = findFunction(p.FunctionName, find);
          if (!fn || !source) break;
          if (source.kind === 'queue') {
            functionQueues.set(fn.ref, source.arn ?? '');
            edge(
              source,
              fn,
              'consume',
              ['applied', 'duplicate', 'rejected', 'failed'].map((o) => `consumer:${fn.ref}:${o}`),
            );
          } else edge(source, fn, 'stream', [`stream:${fn.arn ?? fn.ref}`]);
          const onFailure = find(
            (p.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined)?.OnFailure
              ?.Destination,
          );
          if (onFailure) {
            dlqs.add(onFailure.id);
            edge(fn, onFailure, 'on failure', []);
          }
          break;
        }
        case 'AWS::Events::Rule': {
          const rule = find(resource.identity.ref);
          const bus = find(p.EventBusName);
          const name = resource.identity.ref.split('|').pop() ?? '';
          edge(bus, rule, 'match', [`rule:${name}`]);
          for (const target of (p.Targets as
            { Arn?: unknown; DeadLetterConfig?: { Arn?: unknown } }[] | undefined) ?? []) {
            const to = find(target.Arn);
            edge(
              rule,
              to,
              'deliver',
              [`deliver:${String(target.Arn)}`],
              to?.kind === 'queue' ? to.arn : undefined,
            );
            const dlq = find(target.DeadLetterConfig?.Arn);
            if (dlq) {
              dlqs.add(dlq.id);
              edge(rule, dlq, 'dead letter', []);
            }
          }
          break;
        }
        case 'AWS::SQS::Queue': {
          const policy = p.RedrivePolicy as { deadLetterTargetArn?: unknown } | undefined;
          const dlq = find(policy?.deadLetterTargetArn);
          if (dlq) {
            dlqs.add(dlq.id);
            edge(find(resource.identity.ref), dlq, 'dead letter', [
              `sqs-dlq:${dlq.ref.split('/').pop() ?? ''}`,
            ]);
          }
          break;
        }
        case 'AWS::Lambda::Function':
          functionEdges(resource, find, edge, dlqs, relayQueues);
          break;
      }
    }
  }
  const typed = nodes.map((n) => (dlqs.has(n.id) ? { ...n, kind: 'dlq' as const } : n));
  const linked = new Set(edges.flatMap((e) => [e.from, e.to]));
  return { nodes: typed.filter((n) => linked.has(n.id)), edges, functionQueues, relayQueues };
}

function findFunction(
  value: unknown,
  find: (v: unknown) => TopologyNode | undefined,
): TopologyNode | undefined {
  const direct = find(value);
  if (direct) return direct;
  // an integration URI wraps the function ARN: arn:aws:apigateway:…:lambda:path/…/functions/<function ARN>/invocations
  const match = typeof value === 'string' ? /functions\/(.+)\/invocations/.exec(value) : null;
  return match ? find(match[1]) : undefined;
}

function functionEdges(
  resource: DeployedResource,
  find: (v: unknown) => TopologyNode | undefined,
  edge: (
    from: TopologyNode | undefined,
    to: TopologyNode | undefined,
    label: string,
    counters: string[],
  ) => void,
  dlqs: Set<string>,
  relayQueues: Map<string, { kind: 'relay-poison' | 'relay-on-failure'; redriveFunction: string }>,
): void {
  const fn = find(resource.identity.ref);
  const variables =
    (resource.properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
  const poison = variables[REDRIVE_ENV.poisonQueueUrl];
  const onFailure = variables[REDRIVE_ENV.onFailureQueueUrl];
  const isRedrive = typeof poison === 'string' && typeof onFailure === 'string';
  if (isRedrive && fn) {
    relayQueues.set(poison, { kind: 'relay-poison', redriveFunction: fn.ref });
    relayQueues.set(onFailure, { kind: 'relay-on-failure', redriveFunction: fn.ref });
  }
  for (const [name, value] of Object.entries(variables)) {
    const to = find(value);
    if (!to || to.id === fn?.id) continue;
    if (isRedrive) {
      // the redrive function reads its queues and republishes to the bus
      if (to.kind === 'queue') {
        dlqs.add(to.id);
        edge(to, fn, 'redrive', []);
      } else if (to.kind === 'bus') edge(fn, to, 'republish', []);
      continue;
    }
    if (/POISON|DEAD_LETTER|DLQ/i.test(name) && to.kind === 'queue') {
      dlqs.add(to.id);
      edge(
        fn,
        to,
        name === 'DEAD_LETTER_QUEUE_URL' ? 'rejected' : 'poison',
        fn ? [`consumer:${fn.ref}:rejected`] : [],
      );
    } else if (to.kind === 'bus') edge(fn, to, 'PutEvents', [`put:${to.ref}`]);
    else if (to.kind === 'mailbox') edge(fn, to, 'email', ['ses.sent']);
    else if (to.kind === 'table') edge(fn, to, /IDEMPOTENCY/i.test(name) ? 'idempotency' : 'writes', []);
    else edge(fn, to, name.toLowerCase().replace(/_/g, ' '), []);
  }
}
