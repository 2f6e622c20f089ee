import type { DeployedStack } from '../template/deploy';
import { formatDimensions } from './metric-store';
import type { MetricSpec } from './types';

/**
 * The resources whose metrics the runtime can observe, by the physical names alarms use as dimension values.
 *
 * @example const known = localResources(stacks); known.functions.has('Users-ApiFunction-X');
 */
export interface LocalResources {
  readonly functions: ReadonlySet<string>;
  /** Queue name → queue URL. */
  readonly queues: ReadonlyMap<string, string>;
  /** HTTP API id → its stage name. */
  readonly apis: ReadonlyMap<string, string>;
  /** Rule name → its event bus name. */
  readonly rules: ReadonlyMap<string, string>;
}

/**
 * Collects {@link LocalResources} from the deployed stacks.
 *
 * @example localResources(runtime.stacks).queues.get('Orders-Dlq-X') // 'http://127.0.0.1:4566/000000000000/Orders-Dlq-X'
 */
export function localResources(stacks: readonly DeployedStack[]): LocalResources {
  const functions = new Set<string>();
  const queues = new Map<string, string>();
  const apis = new Map<string, string>();
  const rules = new Map<string, string>();
  const all = stacks.flatMap((s) => [...s.resources.values()]);
  for (const r of all) {
    if (r.type === 'AWS::Lambda::Function') functions.add(r.identity.ref);
    if (r.type === 'AWS::SQS::Queue')
      queues.set(
        String(r.identity.attributes.QueueName),
        String(r.identity.attributes.QueueUrl ?? r.identity.ref),
      );
    if (r.type === 'AWS::ApiGatewayV2::Api') apis.set(r.identity.ref, '$default');
    if (r.type === 'AWS::Events::Rule') {
      const [bus, name] = r.identity.ref.includes('|')
        ? r.identity.ref.split('|')
        : ['default', r.identity.ref];
      rules.set(String(name), String(bus));
    }
  }
  for (const r of all)
    if (r.type === 'AWS::ApiGatewayV2::Stage' && typeof r.properties.ApiId === 'string')
      apis.set(r.properties.ApiId, String(r.properties.StageName ?? '$default'));
  return { functions, queues, apis, rules };
}

interface ServiceMetrics {
  /** Metric names the runtime records for this namespace, and how. */
  readonly metrics: Readonly<Record<string, string>>;
  /** The dimension sets it records them with (sorted names joined by `+`). */
  readonly dimensionSets: readonly string[];
}

/**
 * The AWS metrics the runtime records from what it observes, and the dimension sets it records them with.
 *
 * @example Object.keys(LOCAL_AWS_METRICS['AWS/SQS'].metrics) // ['ApproximateNumberOfMessagesVisible', …]
 */
export const LOCAL_AWS_METRICS: Readonly<Record<string, ServiceMetrics>> = {
  'AWS/Lambda': {
    metrics: {
      Invocations: 'each invocation by an event source mapping, the edge or an HTTP API',
      Errors: '1 per failed invocation, 0 per successful one',
      Duration: 'milliseconds of each invocation',
      IteratorAge: 'age of the last record of each stream batch when it is invoked',
    },
    dimensionSets: ['', 'FunctionName'],
  },
  'AWS/SQS': {
    metrics: {
      ApproximateNumberOfMessagesVisible: 'GetQueueAttributes, polled',
      ApproximateNumberOfMessagesNotVisible: 'GetQueueAttributes, polled',
      ApproximateNumberOfMessagesDelayed: 'GetQueueAttributes, polled',
      ApproximateAgeOfOldestMessage:
        'seconds since the oldest message still in the queue was sent, among those its mapping received (SentTimestamp); 0 when empty',
    },
    dimensionSets: ['QueueName'],
  },
  'AWS/ApiGateway': {
    metrics: {
      Count: 'each request',
      '4xx': '1 per 4xx response, 0 otherwise',
      '5xx': '1 per 5xx response, 0 otherwise',
      Latency: 'milliseconds of each request',
    },
    dimensionSets: ['ApiId', 'ApiId+Stage'],
  },
  'AWS/Events': {
    metrics: {
      Invocations: 'each delivery to a rule target',
      FailedInvocations: 'each delivery that failed for good (sent to the DLQ or dropped)',
      InvocationsSentToDlq: 'each delivery sent to the target DLQ',
    },
    dimensionSets: ['RuleName', 'EventBusName+RuleName'],
  },
};

/** Why some AWS metrics the stacks alarm on have no local source. */
const NOT_PRODUCED: Readonly<Record<string, string>> = {
  'AWS/Lambda Throttles':
    "the local runtime never throttles: an invocation waits for one of its function's 4 workers",
  'AWS/SES Reputation.BounceRate': 'the local SES accepts every email and nothing bounces',
  'AWS/SES Reputation.ComplaintRate': 'the local SES accepts every email and nobody complains',
};

/**
 * Whether the runtime can produce a metric: `{ produced: true }`; `{ produced: false, reason }` when it never
 * produces that metric (the alarm is not evaluated locally); or `{ produced: true, neverFires }` when it produces the
 * metric but never with these dimensions (a dimension names nothing that runs: the alarm would never fire, on AWS
 * either). Custom namespaces (EMF) are checked when the functions emit.
 *
 * @example localSource(metric, known) // { produced: true }
 */
export function localSource(
  metric: MetricSpec,
  known: LocalResources,
): { produced: true; neverFires?: string } | { produced: false; reason: string } {
  if (!metric.namespace.startsWith('AWS/')) return { produced: true };
  const service = LOCAL_AWS_METRICS[metric.namespace];
  if (!service || !(metric.metricName in service.metrics)) {
    const why = NOT_PRODUCED[`${metric.namespace} ${metric.metricName}`];
    return {
      produced: false,
      reason: `no local source produces ${metric.namespace} ${metric.metricName} (${
        why ??
        `the runtime records metrics of ${Object.keys(LOCAL_AWS_METRICS).join(', ')} and the functions' EMF metrics`
      })`,
    };
  }
  const set = Object.keys(metric.dimensions).sort().join('+');
  if (!service.dimensionSets.includes(set))
    return {
      produced: true,
      neverFires: `${metric.namespace} ${metric.metricName} is recorded with dimensions ${service.dimensionSets
        .map((s) => `{${s || 'none'}}`)
        .join(' or ')}, not {${set || 'none'}}`,
    };
  const d = metric.dimensions;
  const unknown = (what: string, value: string | undefined, names: Iterable<string>) =>
    `no ${what} named ${value ?? '(none)'} runs locally (${what}s: ${[...names].join(', ') || 'none'})`;
  if (d.FunctionName !== undefined && !known.functions.has(d.FunctionName))
    return { produced: true, neverFires: unknown('function', d.FunctionName, known.functions) };
  if (d.QueueName !== undefined && !known.queues.has(d.QueueName))
    return { produced: true, neverFires: unknown('queue', d.QueueName, known.queues.keys()) };
  if (d.ApiId !== undefined) {
    const stage = known.apis.get(d.ApiId);
    if (stage === undefined)
      return { produced: true, neverFires: unknown('HTTP API', d.ApiId, known.apis.keys()) };
    if (d.Stage !== undefined && d.Stage !== stage)
      return { produced: true, neverFires: `HTTP API ${d.ApiId} has the stage ${stage}, not ${d.Stage}` };
  }
  if (d.RuleName !== undefined) {
    const bus = known.rules.get(d.RuleName);
    if (bus === undefined)
      return {
        produced: true,
        neverFires: `${unknown('rule', d.RuleName, known.rules.keys())}${d.RuleName.includes('|') ? `: EventBridge publishes RuleName as the rule's name, while the Ref of a rule on a custom bus is "<bus>|<rule>"` : ''}`,
      };
    if (d.EventBusName !== undefined && d.EventBusName !== bus)
      return { produced: true, neverFires: `rule ${d.RuleName} is on the bus ${bus}, not ${d.EventBusName}` };
  }
  return { produced: true };
}

/**
 * A metric as the live log names it.
 *
 * @example describeMetric({ namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', dimensions: { QueueName: 'dlq' } }) // 'AWS/SQS ApproximateNumberOfMessagesVisible {QueueName=dlq}'
 */
export function describeMetric(metric: Pick<MetricSpec, 'namespace' | 'metricName' | 'dimensions'>): string {
  return `${metric.namespace} ${metric.metricName} {${formatDimensions(metric.dimensions)}}`;
}
