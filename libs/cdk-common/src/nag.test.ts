import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Code, Function as LambdaFunction, Tracing } from 'aws-cdk-lib/aws-lambda';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import {
  acknowledgedNagFindings,
  acknowledgeFunctionBaseline,
  acknowledgeNag,
  applyAwsSolutionsChecks,
  synthesizeNagFindings,
} from './nag';
import { NODE_RUNTIME } from './node-function';

function appWithQueue(configure: (queue: Queue) => void) {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'nag-')) });
  applyAwsSolutionsChecks(app);
  const queue = new Queue(new Stack(app, 'S'), 'Q', { enforceSSL: true });
  configure(queue);
  return app;
}

describe('synthesizeNagFindings', () => {
  it('reports each unacknowledged AwsSolutions finding with its rule and construct path', () => {
    const app = appWithQueue(() => undefined);
    expect(synthesizeNagFindings(app)).toEqual([
      {
        rule: 'AwsSolutions-SQS3',
        path: 'S/Q/Resource',
        description: expect.stringMatching(/^The SQS queue is not used as a dead-letter queue \(DLQ\)/),
      },
    ]);
  });

  it('returns no findings once the finding is acknowledged with a reason', () => {
    const app = appWithQueue((queue) =>
      Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This queue is itself a DLQ.' }),
    );
    expect(synthesizeNagFindings(app)).toEqual([]);
  });
});

describe('acknowledgeNag', () => {
  it('lists the acknowledged finding in the validation report, on its resource, with its reason', () => {
    const app = appWithQueue((queue) =>
      acknowledgeNag(queue, { rule: 'AwsSolutions-SQS3', reason: 'This queue is itself a DLQ.' }),
    );
    expect(acknowledgedNagFindings(app)).toEqual([
      {
        rule: 'AwsSolutions-SQS3',
        path: 'S/Q/Resource',
        acknowledgedAt: 'S/Q',
        reason: 'This queue is itself a DLQ.',
      },
    ]);
  });
});

describe('acknowledgeFunctionBaseline', () => {
  function appWithFunction(acknowledge: boolean) {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'nag-')) });
    applyAwsSolutionsChecks(app);
    const fn = new LambdaFunction(new Stack(app, 'S'), 'Fn', {
      runtime: NODE_RUNTIME,
      handler: 'index.handler',
      code: Code.fromInline('export const handler = async () => undefined;'),
      tracing: Tracing.ACTIVE,
    });
    if (acknowledge) {
      acknowledgeFunctionBaseline(fn, {
        scopedTo: 'nothing else',
        otherWildcardActions: ['s3:ListAllMyBuckets'],
      });
    }
    return app;
  }

  it('acknowledges the findings every workspace function carries, leaving none unacknowledged', () => {
    expect(synthesizeNagFindings(appWithFunction(false)).map((f) => f.rule)).not.toEqual([]);
    expect(synthesizeNagFindings(appWithFunction(true))).toEqual([]);
  });

  it('names the wildcard actions and what every other action is scoped to in the IAM5 reason', () => {
    const iam5 = acknowledgedNagFindings(appWithFunction(true)).find((f) =>
      f.rule.startsWith('AwsSolutions-IAM5'),
    );
    expect(iam5?.reason).toBe(
      'xray:PutTraceSegments, xray:PutTelemetryRecords and s3:ListAllMyBuckets support no resource-level permissions; every other action is scoped to nothing else.',
    );
  });
});
