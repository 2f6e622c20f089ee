// The runtime face of @outboxed/contracts: constants, contracts, validators, examples, consumer expectations.
// No aws-cdk-lib here (that is ./cdk), no tooling (codegen and compat are CLIs), so Lambda bundles stay small.
export {
  USERS_EVENT_SOURCE,
  USER_CREATED_DETAIL_TYPE,
  USER_CREATED_SCHEMA_NAME,
  USER_CREATED_VERSIONS,
  USER_CREATED_LATEST_VERSION,
  USERS_SCHEMA_REGISTRY_NAME,
  USERS_SERVICE_PARAMETERS,
} from './constants.ts';
export { defineContract } from './contract.ts';
export type { EventContract, ContractDefinition } from './contract.ts';
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
  UserCreatedConsumerEvent,
  UserCreatedConsumerDetail,
  UserCreatedV1ConsumerEvent,
  UserCreatedV1ConsumerDetail,
} from './user-created.ts';
export { eventCatalog, findContract, requireContract } from './catalog.ts';
export { eventPattern } from './event-pattern.ts';
export type { ContractEventPattern } from './event-pattern.ts';
export {
  exampleUserCreatedEvent,
  exampleUserCreatedDetail,
  exampleUserCreatedV1Event,
  invalidUserCreatedExamples,
  EXAMPLE_USER_ID,
  EXAMPLE_EVENT_ID,
} from './examples.ts';
export type { ExampleOverrides, InvalidExample } from './examples.ts';
export { checkConsumerExpectations } from './expectations/expectations.ts';
export type {
  ConsumerExpectations,
  ConsumerSubscription,
  ExpectationViolation,
  SchemaEntry,
} from './expectations/expectations.ts';
export {
  checkCompatibility,
  COMPATIBILITY_MODES,
  DEFAULT_COMPATIBILITY_MODE,
} from './compat/compatibility.ts';
export type { CompatibilityMode, CompatibilityViolation, VersionedSchema } from './compat/compatibility.ts';
export { compareSchemas, incompatibleDifferences } from './compat/schema-diff.ts';
export type { Difference } from './compat/schema-diff.ts';
export { COMPATIBLE_CHANGES } from './compat/differences.ts';
export type { DifferenceType } from './compat/differences.ts';
