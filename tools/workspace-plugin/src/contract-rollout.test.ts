import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { userCreatedNextMajor } from '@outboxed/contracts/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkspaceCopy } from './testing/workspace-copy';
import { workspaceCopy } from './testing/workspace-copy';

/**
 * A breaking change of UserCreated walked end to end as docs/evolving-contracts.md tells teams to, in a copy of the
 * workspace, each step "deployed" by running the apps' freshly synthesized templates on the local runtime:
 *
 * 1. the producer publishes the new major beside the old one, both from the user's transaction;
 * 2. consumers move to the new major one by one (their rules then match only it);
 * 3. `contracts:check` says no consumer reads the old major, and the producer drops it.
 */

const MAJOR = userCreatedNextMajor.detailType; // 'UserCreatedV2'
const APPS = ['users-service', 'email-consumer', 'audit-consumer'];

let copy: WorkspaceCopy;

function edit(file: string, change: (text: string) => string): void {
  const path = join(copy.root, file);
  const before = readFileSync(path, 'utf8');
  const after = change(before);
  if (after === before)
    throw new Error(`The rollout test's edit of ${file} changed nothing: update the test.`);
  writeFileSync(path, after);
}

/** The producer team adds the new major's schema to the contracts and runs codegen. */
function addMajorToContracts(): void {
  const file = join(copy.root, 'libs/contracts/schemas', `${userCreatedNextMajor.schemaName}`, 'v1.json');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(userCreatedNextMajor.schema, null, 2)}\n`);
  copy.run(process.execPath, ['--import', 'tsx', 'libs/contracts/src/cli/codegen.ts', '--from-files']);
  edit('libs/contracts/src/index.ts', (text) =>
    text.concat(
      "export { v1 as userCreatedMajor2V1 } from './generated/outboxed-users-user-created-v2/index.ts';\n",
    ),
  );
}

const PUBLICATIONS = 'apps/users-service/src/contract-publications.ts';
const MAJOR_2_PUBLICATION = `  {
    contract: userCreatedMajor2V1,
    data: (user) => ({ userId: user.id, email: user.email, displayName: user.name, createdAt: user.createdAt }),
  },
];`;

/** What a team runs before opening its pull request: regenerate the event catalog, then the contract gate. */
function check(): string {
  copy.run(process.execPath, ['--import', 'tsx', 'libs/contracts/src/cli/asyncapi.ts']);
  return copy.nx('run', 'contracts:check', '--', '--no-git');
}

interface Observed {
  readonly outboxTypes: string[];
  readonly emails: number;
  readonly auditTypes: string[];
}

/** Runs the apps' current templates, creates one user and returns what every part of the system did with it. */
async function deployAndCreateUser(email: string): Promise<Observed> {
  // loaded lazily, as generated-app.test.ts does: the runtime is a tool this test drives, not a dependency
  const { startLocalRuntime } = await import('@outboxed/local-runtime');
  const runtime = await startLocalRuntime({
    workspaceRoot: copy.root,
    apps: APPS,
    // `npm start`'s own path: Nx's synth cache in the copy re-synthesizes only the apps a step changed
    synth: 'auto',
    fresh: true,
    edgePort: 0,
    dynamoDbPort: 0,
    apiPort: 0,
    streamPollIntervalMs: 100,
    log: () => undefined,
    functionLog: () => undefined,
  });
  const ddb = new DynamoDBClient({
    endpoint: runtime.endpoints.dynamodb,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const response = await fetch(`${runtime.apis[0]?.url}users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, name: 'Ada Lovelace' }),
    });
    expect(response.status).toBe(201);
    const tables = runtime.stacks.flatMap((s) =>
      [...s.resources.values()]
        .filter((r) => r.type === 'AWS::DynamoDB::Table')
        .map((r) => ({ app: s.plan.input.app, logicalId: r.logicalId, name: String(r.identity.ref) })),
    );
    const scan = async (app: string, pick: (logicalId: string) => boolean) => {
      const table = tables.find((t) => t.app === app && pick(t.logicalId));
      if (!table) throw new Error(`No table of ${app} matched.`);
      return ((await ddb.send(new ScanCommand({ TableName: table.name }))).Items ?? []).map((i) =>
        unmarshall(i),
      );
    };
    const observe = async (): Promise<Observed> => ({
      outboxTypes: (await scan('users-service', () => true))
        .filter((i) => i['itemType'] === 'OUTBOX')
        .map((i) => String(i['eventType']))
        .sort(),
      emails: (await runtime.edge.mailbox.list()).filter((m) => m.to.includes(email)).length,
      auditTypes: (await scan('audit-consumer', (id) => !/Idempotency/i.test(id)))
        .map((i) => String(i['eventType']))
        .sort(),
    });
    // Wait until the email and the audit record are there, then a little longer for any duplicate to show.
    const deadline = Date.now() + 60_000;
    let seen = await observe();
    while ((seen.emails === 0 || seen.auditTypes.length === 0) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      seen = await observe();
    }
    await runtime.edge.settle();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    return await observe();
  } finally {
    ddb.destroy();
    await runtime.stop();
  }
}

describe('guarantee 7: a breaking change is a new major, published beside the old one until no consumer reads it', () => {
  beforeAll(() => {
    copy = workspaceCopy('contract-rollout');
    addMajorToContracts();
  }, 300_000);
  afterAll(() => copy?.remove());

  it("step 1: the producer writes both majors in the user's transaction; each consumer gets only the major it reads", async () => {
    edit(PUBLICATIONS, (text) =>
      text
        .replace(
          "import { definePublications, userCreated } from '@outboxed/contracts';",
          "import { definePublications, userCreated, userCreatedMajor2V1 } from '@outboxed/contracts';",
        )
        .replace(/\n\];\n/, `\n${MAJOR_2_PUBLICATION}\n`),
    );

    expect(check()).toContain('Consumer expectations hold (2 consumers checked');
    expect(await deployAndCreateUser('step1@example.com')).toEqual({
      outboxTypes: ['UserCreated', MAJOR],
      emails: 1,
      auditTypes: ['UserCreated'],
    });
  }, 600_000);

  it('step 2: consumers move to the new major first, one at a time; the old major is still published for the others', async () => {
    edit('apps/audit-consumer/src/contract-expectations.ts', (text) =>
      text.replaceAll('userCreatedV1', 'userCreatedMajor2V1'),
    );

    const checked = check();
    expect(checked).not.toContain('can stop publishing');
    expect(await deployAndCreateUser('step2@example.com')).toEqual({
      outboxTypes: ['UserCreated', MAJOR],
      emails: 1,
      auditTypes: [MAJOR],
    });
  }, 600_000);

  it('step 3: when the last consumer has moved, the check tells the producer it can stop publishing the old major', () => {
    edit('apps/email-consumer/src/contract-expectations.ts', (text) =>
      text
        .replaceAll('userCreatedV1', 'userCreatedMajor2V1')
        .replace("'detail.data.name'", "'detail.data.displayName'"),
    );
    edit('apps/email-consumer/src/functions/welcome-email/welcome-email.ts', (text) =>
      text
        .replaceAll('userCreatedV1', 'userCreatedMajor2V1')
        .replace('detail.data.name', 'detail.data.displayName'),
    );
    copy.nx('run', 'email-consumer:typecheck');

    expect(check()).toContain(
      `No consumer reads UserCreated from outboxed.users any more: users-service can stop publishing it (remove it from ${PUBLICATIONS}).`,
    );
  }, 300_000);

  it('step 4: the producer drops the old major; every consumer keeps getting the fact once, in the new major', async () => {
    edit(PUBLICATIONS, (text) =>
      text.replace(/ {2}publication\(userCreated, \(user\) => \(\{\n[\s\S]*?\n {2}\}\)\),\n/, ''),
    );

    const checked = check();
    expect(checked).not.toContain('can stop publishing');
    expect(checked).toContain('Consumer expectations hold (2 consumers checked');
    expect(await deployAndCreateUser('step4@example.com')).toEqual({
      outboxTypes: [MAJOR],
      emails: 1,
      auditTypes: [MAJOR],
    });
  }, 600_000);
});
