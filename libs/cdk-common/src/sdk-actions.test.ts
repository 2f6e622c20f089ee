import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CdkCommonError } from './errors';
import { iamActionsFor, sdkCommandsSent } from './sdk-actions';

describe('sdkCommandsSent', () => {
  it('lists the commands the sources send, not those named in comments or tests', () => {
    const folder = mkdtempSync(join(tmpdir(), 'sdk-actions-'));
    writeFileSync(
      join(folder, 'handler.ts'),
      [
        '/**',
        ' * @example await sqs.send(new DeleteMessageCommand({ QueueUrl }));',
        ' */',
        'await events.send(new PutEventsCommand({ Entries }));',
        '// new ScanCommand({})',
        'await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody }));',
      ].join('\n'),
    );
    writeFileSync(join(folder, 'handler.test.ts'), 'await ddb.send(new GetItemCommand({}));');

    expect(sdkCommandsSent([folder])).toEqual(['PutEventsCommand', 'SendMessageCommand']);
  });
});

describe('iamActionsFor', () => {
  it('maps each command to its IAM action, a transaction to its items’ PutItem', () => {
    expect(iamActionsFor(['TransactWriteItemsCommand', 'GetItemCommand', 'PutEventsCommand'])).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'events:PutEvents',
    ]);
  });

  it('rejects a command it has no action for, saying where to add it', () => {
    expect(() => iamActionsFor(['PublishCommand'])).toThrow(
      new CdkCommonError(
        'iamActionsFor: no IAM action known for PublishCommand; add it to ACTION_OF_COMMAND in libs/cdk-common/src/sdk-actions.ts.',
      ),
    );
  });
});
