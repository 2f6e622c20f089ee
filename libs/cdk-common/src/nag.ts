import type { App } from 'aws-cdk-lib';
import { Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

/**
 * Applies the cdk-nag AwsSolutions pack to every stack of `app`: an unsuppressed finding fails synthesis.
 * Suppressions live beside the resource they concern, each with its reason.
 *
 * @example const app = new App(); applyAwsSolutionsChecks(app);
 */
export function applyAwsSolutionsChecks(app: App): void {
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
}
