import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateArchiveCommand,
  CreateEventBusCommand,
  EventBridgeClient,
  PutEventsCommand,
} from '@aws-sdk/client-eventbridge';
import { sharedDynamoDbLocal, uniqueTableName } from '@outboxed/dynamodb-local/vitest';
import { startEdge } from '@outboxed/local-aws';
import type { Edge } from '@outboxed/local-aws';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { formatReport, parseReconcileArgs, reconcile } from './cli';
import { findMissing, idempotencyKeyOf } from './find-missing';

const A = '01JHB7N9Q3Z5W8X2C4V6T0R1SA';
const B = '01JHB7N9Q3Z5W8X2C4V6T0R1SB';
const C = '01JHB7N9Q3Z5W8X2C4V6T0R1SC';
/** This file's tables in the DynamoDB Local the whole test run shares. */
const USERS = uniqueTableName('users');
const EMAIL_IDEMPOTENCY = uniqueTableName('email-idempotency');
const AUDIT_IDEMPOTENCY = uniqueTableName('audit-idempotency');

describe('findMissing', () => {
  it('lists, in commit order, the events missing on the bus and at each consumer, and all of them to repair', () => {
    const committed = [C, A, B].map((eventId, i) => ({
      eventId,
      eventType: 'UserCreated',
      aggregateId: `u${i}`,
      occurredAt: `2026-01-01T00:00:0${eventId === A ? 1 : eventId === B ? 2 : 3}.000Z`,
    }));

    const report = findMissing(committed, new Set([A, B]), [
      { consumer: 'email-consumer', applied: new Set([A]) },
      { consumer: 'audit-consumer', applied: new Set([A, B]) },
    ]);

    expect(report).toEqual({
      committed: 3,
      notOnBus: [C],
      consumers: [
        { consumer: 'email-consumer', missing: [B, C] },
        { consumer: 'audit-consumer', missing: [C] },
      ],
      toRepair: [B, C],
    });
  });
});

describe('reconcile (DynamoDB Local, the local edge, Powertools idempotency records)', () => {
  const ddb = sharedDynamoDbLocal();
  let edge: Edge;
  let dynamodb: DynamoDBClient;
  let dataDir: string;

  const createTable = (TableName: string, keys: readonly string[]) =>
    dynamodb.send(
      new CreateTableCommand({
        TableName,
        AttributeDefinitions: keys.map((k) => ({ AttributeName: k, AttributeType: 'S' })),
        KeySchema: keys.map((k, i) => ({ AttributeName: k, KeyType: i === 0 ? 'HASH' : 'RANGE' })),
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  /** Marks events applied the way the consumer kit does: Powertools idempotency on `detail.metadata.id`. */
  const apply = async (consumer: string, table: string, ids: readonly string[]) => {
    const applied = makeIdempotent(async (_event: { detail: unknown }) => ({ ok: true }), {
      persistenceStore: new DynamoDBPersistenceLayer({ tableName: table, awsSdkV3Client: dynamodb }),
      config: new IdempotencyConfig({ eventKeyJmesPath: 'detail.metadata.id' }),
      keyPrefix: consumer,
    });
    for (const id of ids) await applied({ detail: { metadata: { id } } });
  };

  beforeAll(async () => {
    // the CLI takes the usual AWS configuration: what an operator exports for the local runtime
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
    dataDir = mkdtempSync(join(tmpdir(), 'outbox-reconcile-'));
    edge = await startEdge({ dataDir });
    dynamodb = new DynamoDBClient(ddb.clientConfig);
    await createTable(USERS, ['pk', 'sk']);
    await createTable(EMAIL_IDEMPOTENCY, ['id']);
    await createTable(AUDIT_IDEMPOTENCY, ['id']);
    for (const [i, eventId] of [A, B, C].entries()) {
      await dynamodb.send(
        new PutItemCommand({
          TableName: USERS,
          Item: {
            pk: { S: `USER#u${i}` },
            sk: { S: `OUTBOX#${eventId}` },
            itemType: { S: 'OUTBOX' },
            eventId: { S: eventId },
            eventType: { S: 'UserCreated' },
            aggregateId: { S: `u${i}` },
            occurredAt: { S: `2026-01-01T00:00:0${i}.000Z` },
          },
        }),
      );
    }
    const events = new EventBridgeClient({
      endpoint: edge.endpoint,
      region: edge.region,
      credentials: edge.credentials,
    });
    const bus = await events.send(new CreateEventBusCommand({ Name: 'users-events' }));
    await events.send(new CreateArchiveCommand({ ArchiveName: 'users', EventSourceArn: bus.EventBusArn }));
    await events.send(
      new PutEventsCommand({
        Entries: [A, B].map((id) => ({
          EventBusName: 'users-events',
          Source: 'outboxed.users',
          DetailType: 'UserCreated',
          Detail: JSON.stringify({ metadata: { id } }),
        })),
      }),
    );
    events.destroy();
    await apply('email-consumer', EMAIL_IDEMPOTENCY, [A]);
    await apply('audit-consumer', AUDIT_IDEMPOTENCY, [A, B]);
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    dynamodb?.destroy();
    await edge?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('finds what is missing at each step from the outbox table, the local bus record and the idempotency tables', async () => {
    const command = parseReconcileArgs([
      '--table',
      USERS,
      '--event-bus',
      'users-events',
      '--consumer',
      `email-consumer=${EMAIL_IDEMPOTENCY}`,
      '--consumer',
      `audit-consumer=${AUDIT_IDEMPOTENCY}`,
      '--bus-record',
      join(dataDir, 'edge', 'events.jsonl'),
      '--dynamodb-endpoint-url',
      ddb.endpoint,
      '--endpoint-url',
      edge.endpoint,
      '--region',
      'us-east-1',
    ]);

    const report = await reconcile(command);

    expect(report).toEqual({
      committed: 3,
      notOnBus: [C],
      consumers: [
        { consumer: 'email-consumer', missing: [B, C] },
        { consumer: 'audit-consumer', missing: [C] },
      ],
      toRepair: [B, C],
    });
    expect(formatReport(report, command)).toContain(
      `for id in ${B} ${C}; do node --import tsx libs/outbox/src/redrive/cli.ts --table ${USERS} --event-bus users-events --contracts @outboxed/contracts --event-id "$id" --endpoint-url ${edge.endpoint} --dynamodb-endpoint-url ${ddb.endpoint} --region us-east-1; done`,
    );
  });

  it("runs the operating guide's local command as written (ports and data dir of this test), exit code 1 with the repair", async () => {
    const guide = readFileSync(
      join(import.meta.dirname, '..', '..', 'docs', 'operating-the-relay.md'),
      'utf8',
    );
    const block = [...guide.matchAll(/```bash\n([^`]*?)\n```/g)]
      .map((m) => m[1] as string)
      .find((b) => b.includes('reconcile/cli.ts') && b.includes('--bus-record'));
    const command = (block ?? '')
      .replace('.local/edge/events.jsonl', join(dataDir, 'edge', 'events.jsonl'))
      .replace('http://127.0.0.1:4566', edge.endpoint)
      .replace('http://127.0.0.1:8000', ddb.endpoint);

    const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) =>
      execFile(
        'bash',
        ['-c', command],
        {
          cwd: join(import.meta.dirname, '..', '..', '..', '..'),
          env: {
            ...process.env,
            TABLE: USERS,
            EVENT_BUS: 'users-events',
            EMAIL_IDEMPOTENCY_TABLE: EMAIL_IDEMPOTENCY,
            AUDIT_IDEMPOTENCY_TABLE: AUDIT_IDEMPOTENCY,
          },
        },
        (error, out) => resolve({ code: error ? Number(error.code) : 0, stdout: out }),
      ),
    );

    expect(block).toBeDefined();
    expect(code).toBe(1);
    expect(stdout).toContain(`missing on the bus: 1 — ${C}`);
    expect(stdout).toContain(`missing at email-consumer: 2 — ${B} ${C}`);
    expect(stdout).toContain(`for id in ${B} ${C}; do`);
  });

  it('computes the idempotency key the consumer kit stores', () => {
    expect(idempotencyKeyOf('email-consumer', A)).toMatch(/^email-consumer#[A-Za-z0-9+/]{22}==$/);
  });

  it.each([
    [['--event-bus', 'b'], /Missing --table/],
    [
      ['--table', 't', '--event-bus', 'b', '--consumer', 'email-consumer'],
      /expected <name>=<idempotency table>/,
    ],
    [['--table', 't', '--event-bus', 'b', '--bus-record', 'f', '--replay-queue-url', 'u'], /not both/],
  ])('rejects %j, naming the fix', (args, message) => {
    expect(() => parseReconcileArgs(args)).toThrow(message);
  });
});
