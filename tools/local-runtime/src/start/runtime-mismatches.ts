import type { StackPlan } from '../template/stack-plan';

/**
 * One warning per function whose Lambda runtime (`nodejs<major>.x`) is not the Node.js major the local workers run
 * on: what passes locally may then fail on AWS (or the reverse), e.g. an API the deployed runtime lacks.
 *
 * @example runtimeMismatches(plans, process.versions.node) // ['Users/ApiFunction runs on nodejs22.x on AWS, …']
 */
export function runtimeMismatches(plans: readonly StackPlan[], nodeVersion: string): string[] {
  const local = nodeVersion.split('.')[0];
  return plans.flatMap((plan) =>
    plan.resources
      .filter((r) => r.type === 'AWS::Lambda::Function')
      .map((r) => ({ r, runtime: String(r.resource.Properties?.['Runtime'] ?? '') }))
      .filter(({ runtime }) => /^nodejs\d+\.x$/.test(runtime) && runtime !== `nodejs${local}.x`)
      .map(
        ({ r, runtime }) =>
          `${plan.input.stackName}/${r.logicalId} runs on ${runtime} on AWS, but its local worker runs on Node.js ${nodeVersion}: run npm start on Node.js ${runtime.slice(6, -2)} to test what deploys.`,
      ),
  );
}
