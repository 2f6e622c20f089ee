import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from 'aws-cdk-lib';
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

/**
 * Adds the cdk-nag AwsSolutions pack to `app` as a CDK policy-validation plugin (cdk-nag 3): an
 * unacknowledged finding fails synthesis with a report. Acknowledge a finding beside the resource it concerns,
 * always with a reason: `Validations.of(construct).acknowledge({ id: 'AwsSolutions-SQS3', reason: '…' })`.
 *
 * @example const app = new App(); applyAwsSolutionsChecks(app);
 */
export function applyAwsSolutionsChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
}

/** One cdk-nag finding: the rule broken and the construct path that breaks it. */
export interface NagFinding {
  readonly rule: string;
  readonly path: string;
  readonly description: string;
}

/**
 * Synthesizes `app` (with {@link applyAwsSolutionsChecks} applied) and returns every unacknowledged cdk-nag
 * finding, or `[]` when synthesis passes. For tests: `expect(synthesizeNagFindings(app)).toEqual([])`.
 *
 * @example
 * const app = new App(); applyAwsSolutionsChecks(app); new MyStack(app, 'S');
 * expect(synthesizeNagFindings(app)).toEqual([]);
 */
export function synthesizeNagFindings(app: App): NagFinding[] {
  try {
    app.synth();
    return [];
  } catch (error) {
    const report = join(app.outdir, 'validation-report.json');
    if (!existsSync(report)) throw error;
    const parsed = JSON.parse(readFileSync(report, 'utf8')) as {
      pluginReports: {
        violations: {
          ruleName: string;
          description: string;
          violatingConstructs: { constructPath: string }[];
        }[];
      }[];
    };
    return parsed.pluginReports.flatMap((plugin) =>
      plugin.violations.flatMap((violation) =>
        violation.violatingConstructs.map((construct) => ({
          rule: violation.ruleName,
          path: construct.constructPath,
          description: violation.description,
        })),
      ),
    );
  }
}
