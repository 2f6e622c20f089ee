/**
 * The runtime face of @outboxed/contracts: what a producer's and a consumer's Lambda code and CDK app import.
 *
 * - the names everybody uses (`USERS_EVENT_SOURCE`, …) and the contracts of every event version (`userCreatedV1`,
 *   `userCreated` for the latest), each a validator with strict (producer) and tolerant (reader) types;
 * - `eventCatalog`/`findContract` (every contract, by detail-type and version) and `eventPattern` for rules;
 * - what an app declares it reads (`defineExpectations`) or publishes (`definePublications`), and the evolution
 *   rule the consumer kit relies on.
 *
 * No aws-cdk-lib here (that is `./cdk`), no tooling (codegen, compat and the contract graph are the CLIs
 * `nx run contracts:codegen`, `contracts:compat`, `contracts:check`; what tools import is `./tooling`), and no test
 * helpers (example events, `checkConsumerExpectations`: `./testing`), so Lambda bundles stay small.
 *
 * @example
 * import { defineExpectations, userCreatedV1 } from '@outboxed/contracts';
 *
 * export const expectations = defineExpectations({
 *   consumer: 'email-consumer',
 *   subscriptions: [{ contract: userCreatedV1, reads: ['detail.metadata.id', 'detail.data.email'] }],
 * });
 */
export {
  USERS_EVENT_SOURCE,
  USER_CREATED_DETAIL_TYPE,
  USERS_SCHEMA_REGISTRY_NAME,
  USERS_SERVICE_PARAMETERS,
} from './constants.ts';
export type { EventContract, ReaderEvent, ReaderDetailOf } from './contract.ts';
export type { ContractViolation, JsonSchema } from './validation.ts';
export { ContractError, ContractValidationError } from './errors.ts';
export { userCreated, userCreatedV1, userCreatedV2 } from './user-created.ts';
export type { UserCreatedEvent, UserCreatedData } from './user-created.ts';
export { eventCatalog, findContract } from './catalog.ts';
export { eventPattern } from './event-pattern.ts';
export { defineExpectations, definePublications } from './expectations/expectations.ts';
export type { AnyContract, ConsumerExpectations, ConsumerSubscription } from './expectations/expectations.ts';
export { CONTRACT_EVOLUTION_RULE } from './compat/compatibility.ts';
