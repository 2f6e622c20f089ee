export { nodeFunctionDefaults, NODE_RUNTIME } from './node-function';
export { applyAwsSolutionsChecks, synthesizeNagFindings } from './nag';
export type { NagFinding } from './nag';
export { stackEnvironment, OFFLINE_ACCOUNT, DEFAULT_REGION } from './environment';
export { findWorkspaceRoot } from './workspace-root';
export { assemblyStacks, checkDeployableAssembly } from './assembly';
export type { AssemblyStack } from './assembly';
export { CdkCommonError, UndeployableAssemblyError } from './errors';
export { createTableInputOf } from './table-input';
