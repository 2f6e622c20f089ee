// What tests and benchmarks of other projects use to look inside a start: the apps found, their assemblies read and
// planned, and the stacks deployed without the rest of the runtime.
export { discoverApps, readAssembly } from '../assembly';
export type { AppInfo } from '../assembly';
export { planStack, orderStacks, unsupportedResources } from '../template/stack-plan';
export type { StackInput, StackPlan, UnsupportedResource } from '../template/stack-plan';
export { deployStacks } from '../template/deploy';
