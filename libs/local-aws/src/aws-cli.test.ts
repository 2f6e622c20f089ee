import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEdge, type Edge } from './edge';

const run = promisify(execFile);

/**
 * The AWS CLI against the edge. The CLI is optional on a developer machine: when `aws` is not installed the test
 * asserts that it really is absent (ENOENT), so a broken CLI never passes silently.
 */
describe('the AWS CLI (--endpoint-url) against every emulated service', () => {
  let edge: Edge;

  beforeAll(async () => {
    edge = await startEdge();
  });
  afterAll(() => edge.stop());

  async function aws(...args: string[]): Promise<unknown> {
    const { stdout } = await run(
      'aws',
      ['--endpoint-url', edge.endpoint, '--region', edge.region, '--output', 'json', ...args],
      {
        env: {
          ...process.env,
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
          AWS_CONFIG_FILE: '/nonexistent',
          AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
          AWS_PAGER: '',
        },
      },
    );
    return stdout.trim() === '' ? {} : (JSON.parse(stdout) as unknown);
  }

  async function cliInstalled(): Promise<boolean> {
    try {
      await run('aws', ['--version']);
      return true;
    } catch (error) {
      expect((error as NodeJS.ErrnoException).code).toBe('ENOENT');
      return false;
    }
  }

  it('drives EventBridge, SQS, SES v2, the Schema Registry and SSM', async () => {
    if (!(await cliInstalled())) return;

    // independent commands run concurrently: each CLI start costs about a second
    const [queue, put, email, registry] = (await Promise.all([
      aws('sqs', 'create-queue', '--queue-name', 'cli'),
      aws(
        'events',
        'put-events',
        '--entries',
        JSON.stringify([{ Source: 'cli', DetailType: 'T', Detail: '{}' }]),
      ),
      aws(
        'sesv2',
        'send-email',
        '--from-email-address',
        'cli@example.com',
        '--destination',
        JSON.stringify({ ToAddresses: ['to@example.com'] }),
        '--content',
        JSON.stringify({ Simple: { Subject: { Data: 'Hi' }, Body: { Text: { Data: 'Body' } } } }),
      ),
      aws('schemas', 'create-registry', '--registry-name', 'cli-registry'),
      aws('ssm', 'put-parameter', '--name', '/cli/p', '--value', 'v', '--type', 'String'),
    ])) as [
      { QueueUrl: string },
      { FailedEntryCount: number },
      { MessageId: string },
      { RegistryName: string },
      unknown,
    ];
    const [, parameter] = (await Promise.all([
      aws('sqs', 'send-message', '--queue-url', queue.QueueUrl, '--message-body', 'from the cli'),
      aws('ssm', 'get-parameter', '--name', '/cli/p'),
    ])) as [unknown, { Parameter: { Value: string } }];
    const received = (await aws('sqs', 'receive-message', '--queue-url', queue.QueueUrl)) as {
      Messages: { Body: string }[];
    };

    expect(received.Messages.map((m) => m.Body)).toEqual(['from the cli']);
    expect(put.FailedEntryCount).toBe(0);
    expect((await edge.mailbox.list()).map((m) => m.messageId)).toEqual([email.MessageId]);
    expect(registry.RegistryName).toBe('cli-registry');
    expect(parameter.Parameter.Value).toBe('v');
  });
});
