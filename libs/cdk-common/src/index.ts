export { nodeFunctionDefaults, NODE_RUNTIME } from './node-function';
export { applyAwsSolutionsChecks } from './nag';
export { stackEnvironment, OFFLINE_ACCOUNT, DEFAULT_REGION } from './environment';
export { findWorkspaceRoot } from './workspace-root';
