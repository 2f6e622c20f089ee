// `npm start`: runs the whole system on this machine from the apps' synthesized stacks (see libs/local-runtime).
// `npm start -- --fresh` starts from empty data; `npm start -- mailbox` prints the local SES mailbox;
// `npm start -- --assembly <dir>` runs any CDK app's synthesized cloud assembly instead of this workspace's apps.
import { runCli } from '@outboxed/local-runtime';

process.exitCode = await runCli(process.argv.slice(2));
