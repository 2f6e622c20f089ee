/**
 * Test helpers of @outboxed/cdk-common for CDK stacks: for tests only, never for an app's or a construct's code.
 *
 * - `templateApp()`: an App whose stacks synthesize without bundling, for template assertions;
 * - `synthesizeNagFindings`, `acknowledgedNagFindings`: what cdk-nag reports on an App, and what it was told to accept;
 * - `unretainedStatefulResources`: stateful resources a stack would delete with itself;
 * - `sdkCommandsSent`, `iamActionsFor`: the AWS SDK commands a bundle sends and the IAM actions they need;
 * - `createTableInputOf`: a `CreateTable` input of a stack's table, to create it in DynamoDB Local.
 *
 * @example
 * import { synthesizeNagFindings, templateApp } from '@outboxed/cdk-common/testing/cdk';
 *
 * const app = templateApp();
 * new UsersServiceStack(app, 'Users', props);
 * expect(synthesizeNagFindings(app)).toEqual([]);
 */
export { templateApp } from './template-app';
export { synthesizeNagFindings, acknowledgedNagFindings } from '../nag';
export type { NagFinding, AcknowledgedNagFinding } from '../nag';
export { unretainedStatefulResources, STATEFUL_RESOURCE_TYPES } from '../retention';
export type { UnretainedResource } from '../retention';
export { sdkCommandsSent, iamActionsFor } from '../sdk-actions';
export { createTableInputOf } from '../table-input';
