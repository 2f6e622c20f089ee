import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CdkCommonError } from './errors';

/**
 * The IAM action each AWS SDK v3 command of this workspace needs. `TransactWriteItems` has no IAM action of its
 * own: each item is authorized as its kind (`Put` → `dynamodb:PutItem`; the callers here build `Put` items only).
 */
const ACTION_OF_COMMAND: Readonly<Record<string, string>> = {
  GetItemCommand: 'dynamodb:GetItem',
  PutItemCommand: 'dynamodb:PutItem',
  PutCommand: 'dynamodb:PutItem',
  UpdateItemCommand: 'dynamodb:UpdateItem',
  DeleteItemCommand: 'dynamodb:DeleteItem',
  ScanCommand: 'dynamodb:Scan',
  QueryCommand: 'dynamodb:Query',
  TransactWriteItemsCommand: 'dynamodb:PutItem',
  GetRecordsCommand: 'dynamodb:GetRecords',
  GetShardIteratorCommand: 'dynamodb:GetShardIterator',
  PutEventsCommand: 'events:PutEvents',
  SendMessageCommand: 'sqs:SendMessage',
  ReceiveMessageCommand: 'sqs:ReceiveMessage',
  DeleteMessageCommand: 'sqs:DeleteMessage',
  ChangeMessageVisibilityCommand: 'sqs:ChangeMessageVisibility',
  SendEmailCommand: 'ses:SendEmail',
};

/**
 * The AWS SDK v3 commands the source files at `paths` (folders of `.ts` files, or single `.ts`/`.js` files) send (`new XxxCommand(`),
 * comments and tests excluded, sorted and unique. Point it at the code a function's handler runs, to compare with
 * its role.
 *
 * @example sdkCommandsSent([join(root, 'libs/outbox/src/relay')]) // ['PutEventsCommand', 'SendMessageCommand']
 */
export function sdkCommandsSent(paths: readonly string[]): string[] {
  const commands = new Set<string>();
  const files = paths.flatMap((path) =>
    /\.(ts|js)$/.test(path)
      ? [path]
      : readdirSync(path)
          .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
          .map((f) => join(path, f)),
  );
  for (const file of files) {
    const code = readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => !/^\s*(\/\/|\/?\*)/.test(line))
      .join('\n');
    for (const match of code.matchAll(/new (\w+Command)\(/g)) commands.add(match[1] as string);
  }
  return [...commands].sort();
}

/**
 * The IAM actions `commands` need, sorted and unique; throws for a command it has no action for (add it to the table).
 *
 * @example iamActionsFor(['PutEventsCommand']) // ['events:PutEvents']
 */
export function iamActionsFor(commands: readonly string[]): string[] {
  return [
    ...new Set(
      commands.map((command) => {
        const action = ACTION_OF_COMMAND[command];
        if (!action)
          throw new CdkCommonError(
            `iamActionsFor: no IAM action known for ${command}; add it to ACTION_OF_COMMAND in libs/cdk-common/src/sdk-actions.ts.`,
          );
        return action;
      }),
    ),
  ].sort();
}
