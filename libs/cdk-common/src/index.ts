/**
 * The public face of @outboxed/cdk-common: what every app's CDK code and every construct of this workspace builds
 * with. Functions (`nodeFunctionDefaults`), the account and region (`stackEnvironment`), cdk-nag (`applyAwsSolutionsChecks`
 * and the one way to acknowledge a finding), construct prop validation (`checkRange`, `checkDuration`) and the
 * operations wiring (an `OperationsTopic` every alarm notifies, a function's alarms and log group).
 *
 * Other entries: `./assembly` (checking a synthesized cloud assembly before deploying it), `./put-events` (PutEvents
 * entry sizes), `./tracing` (the X-Ray tracer), `./workspace-root`; for tests only, `./testing` (a seeded random) and
 * `./testing/cdk` (templates without bundling, cdk-nag findings, retention and IAM checks).
 *
 * @example
 * import { applyAwsSolutionsChecks, stackEnvironment } from '@outboxed/cdk-common';
 *
 * const app = new App();
 * new UsersServiceStack(app, 'UsersService', { env: stackEnvironment() });
 * applyAwsSolutionsChecks(app);
 */
export { nodeFunctionDefaults, BUNDLE_METAFILE_ENV } from './node-function';
export { applyAwsSolutionsChecks, acknowledgeNag, acknowledgeFunctionBaseline } from './nag';
export type { NagAcknowledgment, FunctionBaselineOptions } from './nag';
export { stackEnvironment } from './environment';
export { CdkCommonError, ConstructValidationError } from './errors';
export { checkRange, checkDuration } from './validate';
export { OperationsTopic, functionAlarms, metricAlarm, functionLogGroup } from './operations';
export type {
  OperationsTopicProps,
  FunctionAlarms,
  FunctionAlarmsOptions,
  MetricAlarmOptions,
} from './operations';
