import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
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

/** One acknowledged cdk-nag rule: the AwsSolutions rule id (with its finding, e.g. `AwsSolutions-IAM5[Resource::*]`) and why. */
export interface NagAcknowledgment {
  readonly rule: string;
  readonly reason: string;
}

/**
 * Acknowledges cdk-nag findings on one construct (acknowledge on the resource concerned, never on a whole
 * construct tree), namespaced to the AwsSolutions plugin (`AwsSolutions::<rule>`): CDK then suppresses the finding
 * itself and lists it, with its reason and path, in the validation report. Unnamespaced ids are hidden by cdk-nag
 * before CDK sees them, so the report would list none.
 *
 * @example acknowledgeNag(queue, { rule: 'AwsSolutions-SQS3', reason: 'This queue is itself a dead-letter queue.' });
 */
export function acknowledgeNag(
  construct: IConstruct,
  ...acknowledgments: readonly NagAcknowledgment[]
): void {
  Validations.of(construct).acknowledge(
    ...acknowledgments.map(({ rule, reason }) => ({ id: `AwsSolutions::${rule}`, reason })),
  );
}

/** A cdk-nag finding acknowledged in the validation report: the rule, the resource, where and why it was acknowledged. */
export interface AcknowledgedNagFinding {
  readonly rule: string;
  readonly path: string;
  readonly acknowledgedAt: string;
  readonly reason: string;
}

/**
 * Synthesizes `app` (with {@link applyAwsSolutionsChecks} applied) and returns the findings its validation report
 * lists as acknowledged, one per resource, with the reason: what a reviewer reads instead of the code.
 *
 * @example expect(acknowledgedNagFindings(app).map((f) => f.rule)).toContain('AwsSolutions-SQS3');
 */
export function acknowledgedNagFindings(app: App): AcknowledgedNagFinding[] {
  synthesizeNagFindings(app);
  const report = join(app.outdir, 'validation-report.json');
  if (!existsSync(report)) return [];
  const parsed = JSON.parse(readFileSync(report, 'utf8')) as {
    pluginReports: {
      suppressedViolations?: {
        ruleName: string;
        reason: string;
        acknowledgedAt: string;
        violatingConstructs: { constructPath: string }[];
      }[];
    }[];
  };
  return parsed.pluginReports.flatMap((plugin) =>
    (plugin.suppressedViolations ?? []).flatMap((violation) =>
      violation.violatingConstructs.map((construct) => ({
        rule: violation.ruleName,
        path: construct.constructPath,
        acknowledgedAt: violation.acknowledgedAt,
        reason: violation.reason,
      })),
    ),
  );
}

/** What {@link acknowledgeFunctionBaseline} needs to say why the function's wildcard resources are accepted. */
export interface FunctionBaselineOptions {
  /** What every action other than the wildcard ones is scoped to, e.g. `the users table`. */
  readonly scopedTo: string;
  /** Actions besides X-Ray's that need `Resource: *`, each with why, e.g. `dynamodb:ListStreams (the event source mapping)`. */
  readonly otherWildcardActions?: readonly string[];
}

/**
 * Acknowledges, on one Lambda function built with `nodeFunctionDefaults()`, the three cdk-nag findings every such
 * function carries, with one wording for the whole workspace: AWSLambdaBasicExecutionRole (IAM4), X-Ray's
 * wildcard resource (IAM5) and the pinned runtime (L1).
 *
 * @example acknowledgeFunctionBaseline(fn, { scopedTo: 'the users table' });
 */
export function acknowledgeFunctionBaseline(fn: IConstruct, options: FunctionBaselineOptions): void {
  const wildcards = [
    'xray:PutTraceSegments',
    'xray:PutTelemetryRecords',
    ...(options.otherWildcardActions ?? []),
  ];
  const listed = `${wildcards.slice(0, -1).join(', ')} and ${wildcards.at(-1) ?? ''}`;
  acknowledgeNag(
    fn,
    {
      rule: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        "AWSLambdaBasicExecutionRole allows logs:CreateLogGroup, CreateLogStream and PutLogEvents on every log group of the account, not only this function's; accepted as AWS's baseline for Lambda: write-only, no read of any log, and the function's own log group is created by the stack with its retention.",
    },
    {
      rule: 'AwsSolutions-IAM5[Resource::*]',
      reason: `${listed} support no resource-level permissions; every other action is scoped to ${options.scopedTo}.`,
    },
    {
      rule: 'AwsSolutions-L1',
      reason:
        'The workspace pins one runtime for every function (NODE_RUNTIME of cdk-common: Node.js 22, supported by Lambda until 2027-04-30, the version the bundle targets); it is raised there, for every function at once.',
    },
  );
}
