import { REDRIVE_ENV } from '@outboxed/outbox';
import { afterEach, describe, expect, it } from 'vitest';
import { handler } from './handler';

describe('redrive handler', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('fails naming the table variable when it runs outside the OutboxRelay deployment', async () => {
    for (const name of Object.values(REDRIVE_ENV)) delete process.env[name];

    await expect(handler({ dryRun: true }, { getRemainingTimeInMillis: () => 60_000 })).rejects.toThrow(
      `The redrive function needs the environment variable ${REDRIVE_ENV.tableName}; it is not set.`,
    );
  });
});
