// The runtime face of @outboxed/contracts: constants, contracts, validators, consumer expectations (example events: ./testing).
// No aws-cdk-lib here (that is ./cdk), no tooling (codegen, compat and the contract graph are CLIs: `nx run
// contracts:codegen`, `contracts:compat`, `contracts:check`; what tools import is ./tooling), so Lambda bundles stay small.
export {
  USERS_EVENT_SOURCE,
  USER_CREATED_DETAIL_TYPE,
  USER_CREATED_SCHEMA_NAME,
  USERS_SCHEMA_REGISTRY_NAME,
  USERS_SERVICE_PARAMETERS,
} from './constants.ts';
export { defineContract } from './contract.ts';
export type { EventContract, ContractDefinition, ReaderEvent, ReaderDetailOf } from './contract.ts';
export type { ContractViolation, JsonSchema } from './validation.ts';
export {
  ContractError,
  ContractValidationError,
  UnknownContractError,
  InvalidSchemaError,
  RegistryError,
  CompatibilityError,
  GeneratedCodeDriftError,
} from './errors.ts';
export {
  userCreated,
  userCreatedV1,
  userCreatedV2,
  userCreatedVersions,
  parseUserCreated,
} from './user-created.ts';
export type {
  UserCreatedEvent,
  UserCreatedDetail,
  UserCreatedMetadata,
  UserCreatedData,
  UserCreatedV1Event,
  UserCreatedV1Detail,
  UserCreatedV2Event,
  UserCreatedV2Detail,
  UserCreatedV2ConsumerEvent,
  UserCreatedV2ConsumerDetail,
  UserCreatedV1ConsumerEvent,
  UserCreatedV1ConsumerDetail,
} from './user-created.ts';
export { eventCatalog, findContract, requireContract } from './catalog.ts';
export { eventPattern } from './event-pattern.ts';
export type { ContractEventPattern } from './event-pattern.ts';
export {
  checkConsumerExpectations,
  defineExpectations,
  definePublications,
} from './expectations/expectations.ts';
export type {
  AnyContract,
  ConsumerExpectations,
  ConsumerSubscription,
  ExpectationViolation,
  ProducerPublications,
  SchemaEntry,
} from './expectations/expectations.ts';
export { CONTRACT_EVOLUTION_RULE } from './compat/compatibility.ts';
