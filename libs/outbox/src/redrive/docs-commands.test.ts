import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { USER_CREATED_DETAIL_TYPE, USERS_EVENT_SOURCE } from '@outboxed/contracts';
import { exampleUserCreatedDetail } from '@outboxed/contracts/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPoisonMessage } from '../relay/poison';
import type { LocalStack, OutboxEventInput } from './fixtures/local-stack';
import { onFailureMessage, startLocalStack } from './fixtures/local-stack';
import type { RedriveReport } from './report';

const workspaceRoot = join(import.meta.dirname, '..', '..', '..', '..');
const guide = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'operating-the-relay.md'), 'utf8');

/** The redrive commands of the guide, in the order it gives them. */
const commands = [...guide.matchAll(/```bash\n([^`]*?)\n```/g)]
  .map((m) => m[1] as string)
  .filter((block) => block.startsWith('node --import tsx libs/outbox/src/redrive/cli.ts'));

/** Runs one of the guide's commands with bash, as an operator would, against the local stack. */
function runCommand(
  command: string,
  env: Record<string, string>,
): Promise<{ code: number; report: RedriveReport }> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      ['-c', command],
      { cwd: workspaceRoot, env: { ...process.env, ...env } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        try {
          resolve({ code, report: JSON.parse(stdout) as RedriveReport });
        } catch {
          reject(new Error(`the command printed no report (exit ${code}): ${stderr}`));
        }
      },
    );
  });
}

const user = (userId: string, email: string): OutboxEventInput => {
  const detail = exampleUserCreatedDetail({ data: { userId, email } });
  return {
    source: USERS_EVENT_SOURCE,
    type: USER_CREATED_DETAIL_TYPE,
    version: detail.metadata.version,
    aggregateType: 'User',
    aggregateId: userId,
    partitionKey: `USER#${userId}`,
    sequence: 1,
    data: { ...detail.data },
  };
};

let local: LocalStack;

beforeAll(async () => {
  local = await startLocalStack();
});

afterAll(async () => {
  await local?.stop();
});

describe('libs/outbox/docs/operating-the-relay.md', () => {
  it('gives three redrive commands: dry run, redrive, by event id', () => {
    expect(commands.map((c) => [c.includes('--dry-run'), c.includes('--event-id')])).toEqual([
      [true, false],
      [false, false],
      [false, true],
    ]);
  });

  it('guarantee 2: its commands redrive what exhausted its retries and a poison record fixed by hand, checked against the real contracts', async () => {
    const scenario = await local.arrange(USERS_EVENT_SOURCE);
    const [delivered, poisoned] = await local.write(scenario, [
      user('01JHB7N9Q3Z5W8X2C4V6T0R1SB', 'grace@example.com'),
      user('01JHB7N9Q3Z5W8X2C4V6T0R1SC', 'not-an-email'),
    ]);
    const good = delivered as NonNullable<typeof delivered>;
    const bad = poisoned as NonNullable<typeof poisoned>;
    const { shardId, records } = await local.streamRecords(scenario);
    await local.send(
      scenario.onFailureQueueUrl,
      onFailureMessage({
        shardId,
        streamArn: scenario.streamArn,
        first: records[0] as _Record,
        last: records[0] as _Record,
        batchSize: 1,
      }),
    );
    await local.send(
      scenario.poisonQueueUrl,
      buildPoisonMessage(
        records[1] as never,
        { reason: 'contract-violation', message: 'email', violations: [], eventId: bad.eventId },
        new Date(),
      ),
    );
    const env = {
      TABLE: scenario.name,
      EVENT_BUS: scenario.name,
      ON_FAILURE_QUEUE_URL: scenario.onFailureQueueUrl,
      POISON_QUEUE_URL: scenario.poisonQueueUrl,
      EVENT_ID: bad.eventId,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: local.ddb.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB_STREAMS: local.ddb.endpoint,
      AWS_ENDPOINT_URL_SQS: local.edge.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: local.edge.endpoint,
    };
    const [dryRun, redriveAll, byEventId] = commands as [string, string, string];

    const dry = await runCommand(dryRun, env);
    expect(dry.code).toBe(1);
    expect(dry.report.republished.map((r) => r.eventId)).toEqual([good.eventId]);
    expect(dry.report.failed.map((f) => [f.eventId, f.reason.split(':')[0]])).toEqual([
      [bad.eventId, 'contract-violation'],
    ]);
    expect(await local.publishedIds(scenario)).toEqual([]);

    const real = await runCommand(redriveAll, env);
    expect(real.code).toBe(1);
    expect(real.report.republished.map((r) => r.eventId)).toEqual([good.eventId]);
    expect(real.report.messages).toEqual({
      onFailure: { received: 1, deleted: 1 },
      poison: { received: 1, deleted: 0 },
    });
    expect(await local.publishedIds(scenario)).toEqual([good.eventId]);

    await local.clients.dynamodb.send(
      new UpdateItemCommand({
        TableName: scenario.name,
        Key: { pk: { S: bad.partitionKey }, sk: { S: bad.sortKey } },
        UpdateExpression: 'SET payload.email = :fixed',
        ExpressionAttributeValues: { ':fixed': { S: 'ada@example.com' } },
      }),
    );
    const fixed = await runCommand(byEventId, env);
    expect(fixed.code).toBe(0);
    expect(fixed.report.republished).toEqual([
      {
        eventId: bad.eventId,
        eventType: USER_CREATED_DETAIL_TYPE,
        aggregateId: bad.aggregateId,
        origin: 'poison',
      },
    ]);
    expect(fixed.report.messages.poison).toEqual({ received: 1, deleted: 1 });
    expect(await local.publishedIds(scenario)).toEqual([bad.eventId]);
  });
});
