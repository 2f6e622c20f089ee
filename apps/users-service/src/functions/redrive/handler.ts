import { createRedriveHandler } from '@outboxed/outbox';
import { usersContracts } from '../../domain/users-contracts';

/**
 * The users service's redrive function (deployed by `OutboxRelay` with `redrive: true`): republishes what the
 * relay's on-failure and poison queues hold, checking poison records against the users contracts first, so a
 * record fixed by hand is republished only once it is valid. Invoke it by hand, e.g. `{"dryRun": true}`.
 *
 * @example new OutboxRelay(this, 'Relay', { …, redrive: true, redriveEntry: join(import.meta.dirname, 'handler.ts') });
 */
export const handler = createRedriveHandler({ contracts: usersContracts });
