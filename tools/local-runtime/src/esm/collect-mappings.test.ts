import { describe, expect, it } from 'vitest';
import type { DeployedResource, DeployedStack } from '../template/deploy';
import { collectEventSourceMappings } from './collect-mappings';

const streamArn = 'arn:aws:dynamodb:us-east-1:000000000000:table/Users/stream/2026-12-04T00:00:00.000';
const queueArn = 'arn:aws:sqs:us-east-1:000000000000:Stack-Queue-X';

function resource(
  logicalId: string,
  type: string,
  properties: Record<string, unknown>,
  ref: string,
  arn?: string,
) {
  return [
    logicalId,
    { logicalId, type, properties, metadata: {}, identity: { ref, attributes: arn ? { Arn: arn } : {} } },
  ] as const satisfies readonly [string, DeployedResource];
}

function stack(...resources: (readonly [string, DeployedResource])[]): DeployedStack {
  return {
    plan: { input: { stackName: 'Stack' } } as DeployedStack['plan'],
    resources: new Map(resources),
    outputs: {},
  };
}

describe('collectEventSourceMappings', () => {
  // Retaining discarded records for a DynamoDB event source in Lambda (services-dynamodb-errors): the example
  // invocation record's requestContext.functionArn is the function's ARN, though templates name it by its Ref
  it.each([
    ['its Ref (the name)', 'Stack-Relay-ABC'],
    ['a qualified name', 'Stack-Relay-ABC:live'],
    ['its ARN', 'arn:aws:lambda:us-east-1:000000000000:function:Stack-Relay-ABC'],
  ])('names the function by its ARN when the template names it by %s', (_how, functionName) => {
    const deployed = stack(
      resource(
        'Relay',
        'AWS::Lambda::Function',
        {},
        'Stack-Relay-ABC',
        'arn:aws:lambda:us-east-1:000000000000:function:Stack-Relay-ABC',
      ),
      resource(
        'RelayStream',
        'AWS::Lambda::EventSourceMapping',
        { FunctionName: functionName, EventSourceArn: streamArn, StartingPosition: 'LATEST' },
        'uuid-1',
      ),
    );

    const { streams } = collectEventSourceMappings([deployed], new Map());

    expect(streams.map((s) => s.functionArn)).toEqual([
      'arn:aws:lambda:us-east-1:000000000000:function:Stack-Relay-ABC',
    ]);
  });

  // Lambda parameters for Amazon DynamoDB event source mappings (services-ddb-params): the documented defaults
  it('reads a stream mapping with the documented defaults, and an SQS mapping with its queue URL', () => {
    const deployed = stack(
      resource(
        'Stream',
        'AWS::Lambda::EventSourceMapping',
        { FunctionName: 'Fn', EventSourceArn: streamArn, StartingPosition: 'TRIM_HORIZON' },
        'uuid-1',
      ),
      resource(
        'Queue',
        'AWS::Lambda::EventSourceMapping',
        { FunctionName: 'Fn', EventSourceArn: queueArn, FunctionResponseTypes: ['ReportBatchItemFailures'] },
        'uuid-2',
      ),
      resource(
        'Off',
        'AWS::Lambda::EventSourceMapping',
        { FunctionName: 'Fn', EventSourceArn: queueArn, Enabled: false },
        'uuid-3',
      ),
    );

    const { streams, queues } = collectEventSourceMappings(
      [deployed],
      new Map([[queueArn, 'http://127.0.0.1:4566/000000000000/Stack-Queue-X']]),
    );

    expect(streams).toEqual([
      {
        uuid: 'uuid-1',
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:Fn',
        filterPatterns: [],
        reportBatchItemFailures: false,
        eventSourceArn: streamArn,
        batchSize: 100,
        startingPosition: 'TRIM_HORIZON',
        bisectBatchOnFunctionError: false,
        maximumRetryAttempts: -1,
        maximumRecordAgeInSeconds: -1,
      },
    ]);
    expect(queues).toEqual([
      {
        uuid: 'uuid-2',
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:Fn',
        filterPatterns: [],
        reportBatchItemFailures: true,
        queueArn,
        queueUrl: 'http://127.0.0.1:4566/000000000000/Stack-Queue-X',
        batchSize: 10,
      },
    ]);
  });

  it('names, rather than skips silently, the sources and settings it does not run', () => {
    const deployed = stack(
      resource(
        'Kinesis',
        'AWS::Lambda::EventSourceMapping',
        {
          FunctionName: 'Fn',
          EventSourceArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/s',
          StartingPosition: 'LATEST',
        },
        'uuid-1',
      ),
      resource(
        'Stream',
        'AWS::Lambda::EventSourceMapping',
        {
          FunctionName: 'Fn',
          EventSourceArn: streamArn,
          StartingPosition: 'LATEST',
          ParallelizationFactor: 4,
          TumblingWindowInSeconds: 60,
          DestinationConfig: { OnFailure: { Destination: 'arn:aws:sns:us-east-1:000000000000:topic' } },
        },
        'uuid-2',
      ),
      resource(
        'Queue',
        'AWS::Lambda::EventSourceMapping',
        { FunctionName: 'Fn', EventSourceArn: queueArn, ScalingConfig: { MaximumConcurrency: 50 } },
        'uuid-3',
      ),
    );

    const { streams, queues, notes } = collectEventSourceMappings([deployed], new Map());

    expect(notes).toEqual([
      'Stack/Kinesis: the event source arn:aws:kinesis:us-east-1:000000000000:stream/s is not run locally (only DynamoDB streams and SQS queues are)',
      'Stack/Stream: ParallelizationFactor 4 runs as 1 (one batch per shard at a time; per-key order is kept either way)',
      'Stack/Stream: TumblingWindowInSeconds is not emulated (the function gets no window state)',
      'Stack/Stream: on-failure destination arn:aws:sns:us-east-1:000000000000:topic is not run locally (only SQS destinations are); discarded records are only logged',
      'Stack/Queue: ScalingConfig.MaximumConcurrency 50 runs as 4 pollers',
    ]);
    expect(streams.map((s) => s.onFailureDestinationArn)).toEqual([undefined]);
    expect(queues.map((q) => q.maximumConcurrency)).toEqual([4]);
  });
});
