// `nx run <app>:deploy` and `nx run <app>:diff` (nx.json targetDefaults), run in the app's folder after its `synth`:
// checks that cdk.out was synthesized for a real account, and for CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION when set,
// then runs `cdk deploy` or `cdk diff` of exactly that assembly. Extra arguments go to cdk. `diff` creates no change
// set, so it needs only read access (the bootstrap's lookup role): see .github/workflows/aws-oidc.md.
//
// Approval: `cdk deploy` asks before a change that broadens security (IAM, security groups) unless
// CDK_REQUIRE_APPROVAL says otherwise (`never`, `any-change`, `broadening`). A terminal is needed to answer; CI sets
// `never` for the reason stated in .github/workflows/ci.yml.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { checkDeployableAssembly } from '@outboxed/cdk-common/assembly';

const ASSEMBLY = 'cdk.out';
const APPROVALS = ['never', 'any-change', 'broadening'];

const [command, ...extra] = process.argv.slice(2);
if (command !== 'deploy' && command !== 'diff') {
  console.error(`Unknown command ${JSON.stringify(command)}: use deploy or diff.`);
  process.exit(2);
}
const approval = process.env['CDK_REQUIRE_APPROVAL'] ?? 'broadening';
if (!APPROVALS.includes(approval)) {
  console.error(`CDK_REQUIRE_APPROVAL is ${JSON.stringify(approval)}: use one of ${APPROVALS.join(', ')}.`);
  process.exit(2);
}

try {
  const stacks = checkDeployableAssembly(ASSEMBLY);
  console.log(
    `${command}: ${stacks.map((s) => `${s.stackName} → aws://${s.account}/${s.region}`).join(', ')}`,
  );
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}

const cdk = createRequire(import.meta.url).resolve('aws-cdk/bin/cdk');
const args =
  command === 'deploy'
    ? ['deploy', '--app', ASSEMBLY, '--all', '--require-approval', approval, ...extra]
    : ['diff', '--app', ASSEMBLY, '--all', '--no-change-set', ...extra];
const result = spawnSync(process.execPath, [cdk, ...args], { stdio: 'inherit' });
process.exit(result.status ?? 1);
