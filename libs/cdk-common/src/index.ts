export { nodeFunctionDefaults, NODE_RUNTIME, BUNDLE_METAFILE_ENV } from './node-function';
export {
  applyAwsSolutionsChecks,
  synthesizeNagFindings,
  acknowledgeNag,
  acknowledgeFunctionBaseline,
  acknowledgedNagFindings,
} from './nag';
export type { NagFinding, NagAcknowledgment, AcknowledgedNagFinding, FunctionBaselineOptions } from './nag';
export { stackEnvironment, OFFLINE_ACCOUNT, DEFAULT_REGION } from './environment';
export { findWorkspaceRoot } from './workspace-root';
export { assemblyStacks, checkDeployableAssembly } from './assembly';
export type { AssemblyStack } from './assembly';
export {
  CdkCommonError,
  UndeployableAssemblyError,
  ConstructValidationError,
  WorkspaceRootNotFoundError,
} from './errors';
export { checkRange, checkDuration } from './validate';
export type { NumberRange, DurationRange } from './validate';
export { createTableInputOf } from './table-input';
export { OperationsTopic, functionAlarms, metricAlarm, functionLogGroup } from './operations';
export type {
  OperationsTopicProps,
  FunctionAlarms,
  FunctionAlarmsOptions,
  MetricAlarmOptions,
} from './operations';
export { unretainedStatefulResources, STATEFUL_RESOURCE_TYPES } from './retention';
export type { UnretainedResource } from './retention';
export { sdkCommandsSent, iamActionsFor } from './sdk-actions';
