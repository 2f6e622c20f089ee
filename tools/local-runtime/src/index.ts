export { startLocalRuntime, findWorkspaceRoot, nearestWorkspaceRoot, lambdaEnvironment } from './runtime';
export type { StartLocalRuntimeOptions, LocalRuntime, RunningHttpApi, RuntimeLogEvent } from './runtime';
export type { LocalAlarmState, AlarmStateValue } from './alarms/types';
export { runCli } from './cli';
export type { RunCliHooks } from './cli';
export {
  discoverApps,
  isAssemblyFresh,
  parseNxSynthOutput,
  readAssemblies,
  readAssembly,
  synthesizeApp,
  synthesizeWithNx,
} from './assembly';
export type { AppInfo } from './assembly';
export { planStack, orderStacks, unsupportedResources } from './template/stack-plan';
export type {
  StackInput,
  StackPlan,
  PlannedResource,
  ResourceSupport,
  UnsupportedResource,
} from './template/stack-plan';
export { deployStacks, LOCAL_BOOTSTRAP_VERSION } from './template/deploy';
export type {
  DeployedStack,
  DeployedResource,
  DeployOptions,
  Provisioner,
  ProvisionRequest,
} from './template/deploy';
export {
  resolveValue,
  evaluateCondition,
  referencedLogicalIds,
  NO_VALUE,
  LOCAL_ACCOUNT,
  LOCAL_REGION,
} from './template/intrinsics';
export type { ResolveContext } from './template/intrinsics';
export { SUPPORTED_RESOURCE_TYPES, IGNORED_RESOURCE_TYPES } from './template/resource-types';
export { generatePhysicalName } from './template/names';
export type { CfnTemplate, CfnResource, CfnParameter, ResourceIdentity } from './template/types';
export { LocalFunction } from './lambda/local-function';
export type { FunctionDefinition, FunctionLogSink } from './lambda/local-function';
export { FunctionRegistry } from './lambda/function-registry';
export { DynamoDbStreamMapping } from './esm/dynamodb-stream-mapping';
export type {
  StreamMappingConfig,
  StreamMappingDeps,
  LambdaStreamRecord,
} from './esm/dynamodb-stream-mapping';
export { SqsMapping } from './esm/sqs-mapping';
export type { SqsMappingConfig, SqsMappingDeps } from './esm/sqs-mapping';
export { memoryCheckpoints } from './esm/types';
export type { CheckpointStore, CompileFilter, RecordFilter, RuntimeLog, Invoke } from './esm/types';
export { fileCheckpoints } from './esm/file-checkpoints';
export { startHttpApi, matchRoute, toPayloadV2, fromPayloadV2 } from './http/http-api';
export type { HttpApiDefinition, HttpRoute, LocalHttpApi } from './http/http-api';
export { createTableInput } from './services/dynamodb-tables';
export { formatLogEvent, formatFunctionLine } from './log-format';
export {
  LocalRuntimeError,
  TemplateResolutionError,
  ImportValueNotSupportedError,
  MissingSsmParameterError,
  AssemblyError,
  ProvisioningError,
  FunctionInvocationError,
} from './errors';
