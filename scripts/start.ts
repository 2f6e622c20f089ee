// `npm start`: runs the whole system on this machine from the apps' synthesized stacks (see tools/local-runtime), with
// the local console beside it (see tools/local-console; `--console-port N`, `--no-console`).
// `npm start -- --fresh` starts from empty data; `npm start -- mailbox` prints the local SES mailbox;
// `npm start -- --assembly <dir>` runs any CDK app's synthesized cloud assembly instead of this workspace's apps.
import { ConsoleJournal, declaredReaders, startConsole } from '@outboxed/local-console';
import { runCli } from '@outboxed/local-runtime';

// the journal exists before the runtime starts, so the console sees every event from the first one
const journal = new ConsoleJournal();
process.exitCode = await runCli(process.argv.slice(2), {
  log: (event) => journal.runtimeLog(event),
  functionLog: (name, line) => journal.functionLine(name, line),
  started: async (runtime, { consolePort, workspaceRoot }) => {
    const console = await startConsole({
      runtime,
      journal,
      ...(consolePort === undefined ? {} : { port: consolePort }),
      declaredReaders: () => declaredReaders(workspaceRoot),
    });
    return {
      banner: [
        `  Console    ${console.url}   trace, flow, dead letters, schemas, mailbox, alarms (this machine only)`,
      ],
      stop: () => console.stop(),
    };
  },
});
