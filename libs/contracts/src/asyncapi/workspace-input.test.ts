import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventCatalog } from '../catalog.ts';
import { USERS_SCHEMA_REGISTRY_NAME, USERS_SERVICE_PARAMETERS } from '../constants.ts';
import { CatalogInputError } from './errors.ts';
import { readCatalogInput } from './workspace-input.ts';

// Declarations as the apps write them, naming contracts by identity so the copies import nothing at run time.
const PUBLICATIONS = `export const publications = {
  producer: 'shop',
  publishes: [{ source: 'outboxed.users', detailType: 'UserCreated', version: 2 }],
};\n`;
const expectationsFile = (subscriptions: string) => `export const expectations = {
  consumer: 'mail',
  subscriptions: ${subscriptions},
};\n`;
const MAIL_SUBSCRIPTIONS = `[{
  contract: { source: 'outboxed.users', detailType: 'UserCreated', version: 1 },
  reads: ['detail.data.email'],
  readsIfPresent: ['detail.data.locale'],
}]`;

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'contracts-asyncapi-input-'));
});
afterEach(() => rm(work, { recursive: true, force: true }));

async function addFile(app: string, file: string, content: string): Promise<void> {
  await mkdir(join(work, 'apps', app, 'src'), { recursive: true });
  await writeFile(join(work, 'apps', app, 'src', file), content);
}

describe('readCatalogInput', () => {
  it('reads the contracts, each producer and each consumer with the rule pattern the consumer kit derives', async () => {
    await addFile('shop', 'contract-publications.ts', PUBLICATIONS);
    await addFile('mail', 'contract-expectations.ts', expectationsFile(MAIL_SUBSCRIPTIONS));

    const input = await readCatalogInput(work);

    expect(input.contracts).toBe(eventCatalog);
    expect(input.bus).toEqual({
      owner: 'users-service',
      registryName: USERS_SCHEMA_REGISTRY_NAME,
      parameters: USERS_SERVICE_PARAMETERS,
    });
    expect(input.producers).toEqual([
      {
        project: 'shop',
        file: 'apps/shop/src/contract-publications.ts',
        publishes: [{ source: 'outboxed.users', detailType: 'UserCreated', version: 2 }],
      },
    ]);
    expect(input.consumers).toEqual([
      {
        project: 'mail',
        file: 'apps/mail/src/contract-expectations.ts',
        subscriptions: [
          {
            event: { source: 'outboxed.users', detailType: 'UserCreated', version: 1 },
            reads: ['detail.data.email'],
            readsIfPresent: ['detail.data.locale'],
          },
        ],
        rulePattern: { source: ['outboxed.users'], 'detail-type': ['UserCreated'] },
      },
    ]);
  });

  it('rejects a consumer that subscribes to nothing, naming its file and the fix', async () => {
    await addFile('mail', 'contract-expectations.ts', expectationsFile('[]'));

    const read = readCatalogInput(work);

    await expect(read).rejects.toThrow(CatalogInputError);
    await expect(read).rejects.toThrow(
      'apps/mail/src/contract-expectations.ts: subscribes to nothing, so it has no rule on the bus. Fix: add a subscription',
    );
  });
});
