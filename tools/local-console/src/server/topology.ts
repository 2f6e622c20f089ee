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
  const { nodes, byPhysical } = collectNodes(stacks);
  const builder = topologyBuilder(byPhysical);
  for (const stack of stacks) {
    for (const resource of stack.resources.values()) {
      const p = resource.properties as Record<string, unknown>;
      switch (resource.type) {
        case 'AWS::ApiGatewayV2::Integration': {
          const fn = findFunction(p.IntegrationUri, builder.find);
          builder.edge(builder.find(p.ApiId), fn, 'request', fn ? [`http:${fn.ref}`] : []);
          break;
        }
        case 'AWS::Lambda::EventSourceMapping':
          mappingEdges(builder, p);
          break;
        case 'AWS::Events::Rule':
          ruleEdges(builder, resource, p);
          break;
        case 'AWS::SQS::Queue':
          queueEdges(builder, resource, p);
          break;
        case 'AWS::Lambda::Function':
          functionEdges(resource, builder.find, builder.edge, builder.dlqs, builder.relayQueues);
          break;
      }
    }
  }
  const { edges, dlqs, functionQueues, relayQueues } = builder;
  const typed = nodes.map((n) => (dlqs.has(n.id) ? { ...n, kind: 'dlq' as const } : n));
  const linked = new Set(edges.flatMap((e) => [e.from, e.to]));
  return { nodes: typed.filter((n) => linked.has(n.id)), edges, functionQueues, relayQueues };
}

/** The nodes of the running stacks, and each node by every physical id it has (ref, ARN, URL, name). */
function collectNodes(stacks: readonly DeployedStack[]): {
  nodes: TopologyNode[];
  byPhysical: Map<string, TopologyNode>;
} {
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
  return { nodes, byPhysical };
}

type RelayQueues = Map<string, { kind: 'relay-poison' | 'relay-on-failure'; redriveFunction: string }>;

/** What the edge-finding steps share: the node lookup, the edges so far, the DLQs and the queues found. */
interface TopologyBuilder {
  readonly find: (value: unknown) => TopologyNode | undefined;
  readonly edge: (
    from: TopologyNode | undefined,
    to: TopologyNode | undefined,
    label: string,
    counters: string[],
    queueArn?: string,
  ) => void;
  readonly edges: TopologyEdge[];
  readonly dlqs: Set<string>;
  readonly functionQueues: Map<string, string>;
  readonly relayQueues: RelayQueues;
}

function topologyBuilder(byPhysical: ReadonlyMap<string, TopologyNode>): TopologyBuilder {
  const edges: TopologyEdge[] = [];
  return {
    find: (value) => (typeof value === 'string' ? byPhysical.get(value) : undefined),
    edge: (from, to, label, counters, queueArn) => {
      if (from && to && !edges.some((e) => e.from === from.id && e.to === to.id))
        edges.push({ from: from.id, to: to.id, label, counters, ...(queueArn ? { queueArn } : {}) });
    },
    edges,
    dlqs: new Set(),
    functionQueues: new Map(),
    relayQueues: new Map(),
  };
}

/** An event source mapping: queue → consumer, or stream → relay, and the mapping's on-failure destination. */
function mappingEdges(b: TopologyBuilder, p: Record<string, unknown>): void {
  const source = b.find(p.EventSourceArn);
  const fn = findFunction(p.FunctionName, b.find);
  if (!fn || !source) return;
  if (source.kind === 'queue') {
    b.functionQueues.set(fn.ref, source.arn ?? '');
    b.edge(
      source,
      fn,
      'consume',
      ['applied', 'duplicate', 'rejected', 'failed'].map((o) => `consumer:${fn.ref}:${o}`),
    );
  } else b.edge(source, fn, 'stream', [`stream:${fn.arn ?? fn.ref}`]);
  const onFailure = b.find(
    (p.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined)?.OnFailure?.Destination,
  );
  if (onFailure) {
    b.dlqs.add(onFailure.id);
    b.edge(fn, onFailure, 'on failure', []);
  }
}

/** A rule: bus → rule → each target, and each target's DLQ. */
function ruleEdges(b: TopologyBuilder, resource: DeployedResource, p: Record<string, unknown>): void {
  const rule = b.find(resource.identity.ref);
  const bus = b.find(p.EventBusName);
  const name = resource.identity.ref.split('|').pop() ?? '';
  b.edge(bus, rule, 'match', [`rule:${name}`]);
  for (const target of (p.Targets as { Arn?: unknown; DeadLetterConfig?: { Arn?: unknown } }[] | undefined) ??
    []) {
    const to = b.find(target.Arn);
    b.edge(rule, to, 'deliver', [`deliver:${String(target.Arn)}`], to?.kind === 'queue' ? to.arn : undefined);
    const dlq = b.find(target.DeadLetterConfig?.Arn);
    if (dlq) {
      b.dlqs.add(dlq.id);
      b.edge(rule, dlq, 'dead letter', []);
    }
  }
}

/** A queue with a redrive policy: queue → its DLQ. */
function queueEdges(b: TopologyBuilder, resource: DeployedResource, p: Record<string, unknown>): void {
  const policy = p.RedrivePolicy as { deadLetterTargetArn?: unknown } | undefined;
  const dlq = b.find(policy?.deadLetterTargetArn);
  if (!dlq) return;
  b.dlqs.add(dlq.id);
  b.edge(b.find(resource.identity.ref), dlq, 'dead letter', [`sqs-dlq:${dlq.ref.split('/').pop() ?? ''}`]);
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
  relayQueues: RelayQueues,
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
