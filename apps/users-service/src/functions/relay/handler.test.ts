import { eventCatalog } from '@outboxed/contracts';
import { RELAY_ENV } from '@outboxed/outbox';
import { afterEach, describe, expect, it } from 'vitest';
import { usersContracts } from '../../domain/users-contracts';
import { handler } from './handler';

describe('usersContracts', () => {
  it.each(eventCatalog.map((contract) => [contract.schemaName, contract.version, contract] as const))(
    'resolves %s v%i to its contract in the catalog',
    (_, version, contract) => {
      expect(usersContracts.find(contract.detailType, version)).toBe(contract);
    },
  );

  it('resolves no contract for an unknown version or event type', () => {
    expect([usersContracts.find('UserCreated', 999), usersContracts.find('OrderPlaced', 1)]).toEqual([
      undefined,
      undefined,
    ]);
  });
});

describe('relay handler', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('fails its first invocation naming EVENT_BUS_NAME when the bus is not configured', async () => {
    delete process.env[RELAY_ENV.eventBusName];

    await expect(handler({ Records: [] }, { getRemainingTimeInMillis: () => 30_000 })).rejects.toThrow(
      /set EVENT_BUS_NAME/,
    );
  });
});
