import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import {
  acknowledgedNagFindings,
  acknowledgeNag,
  applyAwsSolutionsChecks,
  synthesizeNagFindings,
} from './nag';

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
