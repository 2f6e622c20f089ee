import { LOCAL_ACCOUNT, LOCAL_REGION } from '../template/intrinsics';
import type { DeployedStack } from '../template/deploy';
import type { StreamMappingConfig } from './dynamodb-stream-mapping';
import type { SqsMappingConfig } from './sqs-mapping';

/**
 * The event source mappings of the deployed stacks, by kind of source.
 *
 * @example const { streams, queues } = collectEventSourceMappings(stacks, queueUrls);
 */
export interface CollectedMappings {
  readonly streams: StreamMappingConfig[];
  readonly queues: SqsMappingConfig[];
  /** What the runtime runs differently from AWS or not at all, one line per mapping and property, for the log. */
  readonly notes: string[];
}

/**
 * Reads every enabled `AWS::Lambda::EventSourceMapping` of the deployed stacks into a poller configuration. The
 * function is named by its ARN (a template's `FunctionName` is usually the function's name, its `Ref`), as the
 * on-failure record carries it. Sources other than DynamoDB streams and SQS queues, and settings the pollers do not
 * emulate, are named in `notes` rather than skipped silently.
 *
 * @example const { streams, queues } = collectEventSourceMappings(stacks, queueUrls);
 */
export function collectEventSourceMappings(
  stacks: readonly DeployedStack[],
  queueUrls: ReadonlyMap<string, string>,
): CollectedMappings {
  const streams: StreamMappingConfig[] = [];
  const queues: SqsMappingConfig[] = [];
  const notes: string[] = [];
  const functionArns = new Map<string, string>();
  for (const stack of stacks)
    for (const resource of stack.resources.values())
      if (resource.type === 'AWS::Lambda::Function' && typeof resource.identity.attributes.Arn === 'string')
        functionArns.set(resource.identity.ref, resource.identity.attributes.Arn);
  for (const stack of stacks) {
    for (const resource of stack.resources.values()) {
      if (resource.type !== 'AWS::Lambda::EventSourceMapping') continue;
      const p = resource.properties;
      if (p.Enabled === false) continue;
      const source = String(p.EventSourceArn ?? '');
      const where = `${stack.plan.input.stackName}/${resource.logicalId}`;
      const common = {
        uuid: resource.identity.ref,
        functionArn: functionArn(String(p.FunctionName), functionArns),
        filterPatterns: (
          (p.FilterCriteria as { Filters?: { Pattern?: string }[] } | undefined)?.Filters ?? []
        ).map((f) => String(f.Pattern)),
        reportBatchItemFailures: ((p.FunctionResponseTypes as string[] | undefined) ?? []).includes(
          'ReportBatchItemFailures',
        ),
        ...(p.MaximumBatchingWindowInSeconds !== undefined
          ? { maximumBatchingWindowInSeconds: Number(p.MaximumBatchingWindowInSeconds) }
          : {}),
      };
      if (source.includes(':dynamodb:')) {
        const destination = (p.DestinationConfig as { OnFailure?: { Destination?: string } } | undefined)
          ?.OnFailure?.Destination;
        if (Number(p.ParallelizationFactor ?? 1) > 1)
          notes.push(
            `${where}: ParallelizationFactor ${String(p.ParallelizationFactor)} runs as 1 (one batch per shard at a time; per-key order is kept either way)`,
          );
        if (p.TumblingWindowInSeconds !== undefined)
          notes.push(`${where}: TumblingWindowInSeconds is not emulated (the function gets no window state)`);
        if (destination && !destination.includes(':sqs:'))
          notes.push(
            `${where}: on-failure destination ${destination} is not run locally (only SQS destinations are); discarded records are only logged`,
          );
        streams.push({
          ...common,
          eventSourceArn: source,
          batchSize: Number(p.BatchSize ?? 100),
          startingPosition: p.StartingPosition === 'LATEST' ? 'LATEST' : 'TRIM_HORIZON',
          bisectBatchOnFunctionError: p.BisectBatchOnFunctionError === true,
          maximumRetryAttempts: Number(p.MaximumRetryAttempts ?? -1),
          maximumRecordAgeInSeconds: Number(p.MaximumRecordAgeInSeconds ?? -1),
          ...(destination?.includes(':sqs:') ? { onFailureDestinationArn: destination } : {}),
        });
      } else if (!source.includes(':sqs:')) {
        notes.push(
          `${where}: the event source ${source || '(none)'} is not run locally (only DynamoDB streams and SQS queues are)`,
        );
      } else {
        const name = source.split(':').at(-1) as string;
        const url = queueUrls.get(source) ?? `http://localhost/000000000000/${name}`;
        const concurrency = (p.ScalingConfig as { MaximumConcurrency?: number } | undefined)
          ?.MaximumConcurrency;
        if (concurrency && concurrency > 4)
          notes.push(`${where}: ScalingConfig.MaximumConcurrency ${concurrency} runs as 4 pollers`);
        queues.push({
          ...common,
          queueArn: source,
          queueUrl: url,
          batchSize: Number(p.BatchSize ?? 10),
          ...(concurrency ? { maximumConcurrency: Math.min(concurrency, 4) } : {}),
        });
      }
    }
  }
  return { streams, queues, notes };
}

/** A `FunctionName` (name, ARN or partial ARN) as the function's ARN. */
function functionArn(functionName: string, byName: ReadonlyMap<string, string>): string {
  if (functionName.startsWith('arn:')) return functionName;
  // `my-function`, `my-function:alias` or `123456789012:function:my-function`
  const name = /function:([^:]+)/.exec(functionName)?.[1] ?? (functionName.split(':')[0] as string);
  return byName.get(name) ?? `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${name}`;
}
