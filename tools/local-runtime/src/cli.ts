// The local runtime's command line: `start` runs the apps' synthesized stacks, `mailbox` prints the local SES mailbox.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readMailbox, validateFaultPlan } from '@outboxed/local-aws';
import type { EdgeFaultPlan } from '@outboxed/local-aws';
import type { RuntimeLog } from './esm/types';
import type { FunctionLogSink } from './lambda/local-function';
import { formatFunctionLine, formatLogEvent } from './log-format';
import { startLocalRuntime } from './runtime';
import { findWorkspaceRoot, nearestWorkspaceRoot } from './workspace-root';
import type { LocalRuntime } from './runtime';

const USAGE = `Usage:
  start   [--fresh] [--port 4566] [--api-port 3000] [--dynamodb-port 8000] [--apps a,b] [--data-dir .local] [--synth auto|always|never]
          [--faults '<JSON fault plan>' | --faults @plan.json] [--seed N] [--console-port 4000 | --no-console]
  start   --assembly <dir> [--assembly <dir> …] [options above but --apps and --synth]
          runs any CDK app's synthesized cloud assembly (the folder \`cdk synth\` wrote) instead of this workspace's apps
  mailbox [--data-dir .local]`;

/**
 * What a caller adds to `start` (scripts/start.ts composes the local console this way, so the runtime never imports
 * it): listeners of the live log and of the functions' lines, and a service started beside the runtime once it is
 * ready, whose banner lines are printed and which is stopped before the runtime.
 *
 * @example await runCli(['start'], { log: (e) => journal.runtimeLog(e), started: async (runtime) => ({ banner: ['  Console …'], stop: async () => {} }) });
 */
export interface RunCliHooks {
  /** Receives each live-log event too (after it is printed). @default none */
  readonly log?: RuntimeLog;
  /** Receives each function output line too (after it is printed). @default none */
  readonly functionLog?: FunctionLogSink;
  /**
   * Starts a service beside the ready runtime (not called with `--no-console`); `consolePort` is `--console-port`.
   * A rejection is printed as a warning: the runtime keeps running. @default none
   */
  readonly started?: (
    runtime: LocalRuntime,
    options: { readonly consolePort?: number; readonly workspaceRoot: string },
  ) => Promise<{ readonly banner: readonly string[]; stop(): Promise<void> }>;
}

/** The options of `start` and `mailbox`, as parseArgs reads them. */
const CLI_OPTIONS = {
  fresh: { type: 'boolean', default: false },
  port: { type: 'string' },
  'api-port': { type: 'string' },
  'dynamodb-port': { type: 'string' },
  apps: { type: 'string' },
  'data-dir': { type: 'string' },
  synth: { type: 'string', default: 'auto' },
  faults: { type: 'string' },
  seed: { type: 'string' },
  assembly: { type: 'string', multiple: true },
  'console-port': { type: 'string' },
  'no-console': { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;

type CliValues = ReturnType<
  typeof parseArgs<{ options: typeof CLI_OPTIONS; allowPositionals: true }>
>['values'];

/** A command line the CLI cannot run: its message is printed and the exit code is 2. */
class CliUsageError extends Error {}

/**
 * Runs the CLI with the given arguments (without `node` and the script), returning the exit code.
 *
 * @example await runCli(['start', '--fresh']);
 */
export async function runCli(argv: readonly string[], hooks: RunCliHooks = {}): Promise<number> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: CLI_OPTIONS,
  });
  const command = positionals[0] ?? 'start';
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  try {
    const assemblies = values.assembly?.map((dir) => resolve(dir));
    if (assemblies && values.apps)
      throw new CliUsageError(
        '--assembly and --apps exclude each other: --assembly runs the given assemblies instead of the apps.',
      );
    // a cloud assembly of any CDK app runs outside this workspace too (data then goes to ./.local)
    const root = assemblies ? nearestWorkspaceRoot() : findWorkspaceRoot();
    const dataDir = resolve(values['data-dir'] ?? join(root, '.local'));
    if (command === 'mailbox') return await printMailbox(dataDir);
    if (command !== 'start') throw new CliUsageError(`Unknown command "${command}".\n${USAGE}`);
    return await start(startSettings(values, root, dataDir, assemblies), hooks);
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    console.error(error.message);
    return 2;
  }
}

/** `mailbox`: prints the local SES mailbox. */
async function printMailbox(dataDir: string): Promise<number> {
  const emails = await readMailbox(join(dataDir, 'mailbox'));
  if (emails.length === 0) console.log(`The local mailbox (${join(dataDir, 'mailbox')}) is empty.`);
  for (const email of emails) {
    console.log(
      `── ${email.receivedAt}  ${email.messageId}\nFrom:    ${email.from}\nTo:      ${email.to.join(', ')}\nSubject: ${email.subject ?? ''}\n\n${email.text ?? email.html ?? ''}\n`,
    );
  }
  return 0;
}

/** What `start` runs with, checked. */
interface StartSettings {
  readonly root: string;
  readonly dataDir: string;
  readonly assemblies: readonly string[] | undefined;
  readonly synth: 'auto' | 'always' | 'never';
  readonly consolePort: number | undefined;
  readonly faults: EdgeFaultPlan | undefined;
  readonly values: CliValues;
}

function startSettings(
  values: CliValues,
  root: string,
  dataDir: string,
  assemblies: readonly string[] | undefined,
): StartSettings {
  const synth = values.synth as 'auto' | 'always' | 'never';
  if (!['auto', 'always', 'never'].includes(synth))
    throw new CliUsageError(`--synth must be auto, always or never, not "${synth}".`);
  const consolePort = values['console-port'] === undefined ? undefined : Number(values['console-port']);
  if (
    consolePort !== undefined &&
    !(Number.isInteger(consolePort) && consolePort >= 0 && consolePort < 65536)
  )
    throw new CliUsageError(
      `--console-port must be a port number (0 = a free port), not "${values['console-port']}".`,
    );
  let faults: EdgeFaultPlan | undefined;
  try {
    faults = readFaultPlan(values.faults, values.seed);
  } catch (error) {
    throw new CliUsageError(`--faults/--seed: ${(error as Error).message}`);
  }
  return { root, dataDir, assemblies, synth, consolePort, faults, values };
}

/** `start`: starts the runtime (and what the hooks start beside it), then serves until Ctrl-C or a failure. */
async function start(settings: StartSettings, hooks: RunCliHooks): Promise<number> {
  const { assemblies, root, values } = settings;
  const started = Date.now();
  console.log(
    `outboxed: starting the local runtime (${assemblies ? `reading ${assemblies.length} cloud assembly folder(s)` : 'synthesizing apps whose sources changed'})…`,
  );
  const displayNames = new Map<string, string>();
  let runtime: LocalRuntime;
  try {
    runtime = await startLocalRuntime({
      workspaceRoot: root,
      ...(assemblies ? { assemblies: [...assemblies] } : {}),
      dataDir: settings.dataDir,
      fresh: values.fresh,
      synth: settings.synth,
      ...(values.apps ? { apps: values.apps.split(',').map((a) => a.trim()) } : {}),
      ...(values.port ? { edgePort: Number(values.port) } : {}),
      ...(values['api-port'] ? { apiPort: Number(values['api-port']) } : {}),
      ...(values['dynamodb-port'] ? { dynamoDbPort: Number(values['dynamodb-port']) } : {}),
      ...(settings.faults ? { faults: settings.faults } : {}),
      log: (event) => {
        console.log(formatLogEvent(event));
        hooks.log?.(event);
      },
      functionLog: (name, line, stream) => {
        console.log(formatFunctionLine(displayNames.get(name) ?? name, line));
        hooks.functionLog?.(name, line, stream);
      },
    });
  } catch (error) {
    console.error(`\noutboxed: the local runtime could not start.\n${(error as Error).message}`);
    return 1;
  }
  for (const [name, display] of runtime.functions.displayNames) displayNames.set(name, display);
  const beside = values['no-console'] ? undefined : await startBeside(hooks, runtime, settings);
  console.log(banner(runtime, Date.now() - started, !assemblies, beside?.banner ?? []));
  return serveUntilStopped(runtime, beside);
}

type Beside = Awaited<ReturnType<NonNullable<RunCliHooks['started']>>>;

/** Starts what the hooks start beside the ready runtime; a failure is a warning, the runtime runs without it. */
async function startBeside(
  hooks: RunCliHooks,
  runtime: LocalRuntime,
  { root, consolePort }: StartSettings,
): Promise<Beside | undefined> {
  if (!hooks.started) return undefined;
  try {
    return await hooks.started(runtime, {
      workspaceRoot: root,
      ...(consolePort === undefined ? {} : { consolePort }),
    });
  } catch (error) {
    console.warn(
      `outboxed: the console did not start (the runtime runs without it): ${(error as Error).message}`,
    );
    return undefined;
  }
}

/** Resolves with the exit code once Ctrl-C, SIGTERM or a runtime failure has drained and stopped everything. */
function serveUntilStopped(runtime: LocalRuntime, beside: Beside | undefined): Promise<number> {
  return new Promise<number>((done) => {
    let stopping = false;
    const shutdown = async (code: number, reason: string) => {
      if (stopping) return;
      stopping = true;
      // a second Ctrl-C does not wait for the drain; what the edge acknowledged is in the data dir already
      process.once('SIGINT', () => process.exit(130));
      console.log(
        `\noutboxed: ${reason}; draining (requests in flight are answered, running invocations finish), then stopping DynamoDB Local, the edge and every function worker… (Ctrl-C again to stop at once)`,
      );
      await beside?.stop();
      await runtime.stop();
      console.log('outboxed: stopped.');
      done(code);
    };
    process.once('SIGINT', () => void shutdown(0, 'Ctrl-C'));
    process.once('SIGTERM', () => void shutdown(0, 'SIGTERM'));
    void runtime.failed.then((error) => shutdown(1, error.message));
  });
}

/** `--faults` (JSON, or `@file` holding JSON) and `--seed`, as an edge fault plan; undefined when neither is given. */
function readFaultPlan(text: string | undefined, seed: string | undefined): EdgeFaultPlan | undefined {
  if (text === undefined && seed === undefined) return undefined;
  const json = text?.startsWith('@') ? readFileSync(text.slice(1), 'utf8') : (text ?? '{}');
  let plan: EdgeFaultPlan;
  try {
    plan = JSON.parse(json) as EdgeFaultPlan;
  } catch {
    throw new Error(
      `the fault plan is not JSON: give e.g. --faults '{"putEvents":{"failEntryRate":0.1}}' or --faults @plan.json`,
    );
  }
  if (seed !== undefined) {
    if (!/^-?\d+$/.test(seed)) throw new Error(`--seed is "${seed}"; it must be an integer, e.g. --seed 7.`);
    plan = { ...plan, seed: Number(seed) };
  }
  return validateFaultPlan(plan);
}

function banner(
  runtime: LocalRuntime,
  ms: number,
  workspaceApps = true,
  extra: readonly string[] = [],
): string {
  const t = runtime.timings;
  const s = (v?: number) => `${((v ?? 0) / 1000).toFixed(1)} s`;
  const lines = [
    '',
    `outboxed is running locally — ready in ${s(ms)} (synth ${s(t.synth)}, DynamoDB Local ${s(t.dynamodb)}, edge ${s(t.edge)}, stacks ${s(t.deploy)})`,
    '',
    ...runtime.apis.map((a) => `  HTTP API   ${a.url}   (${a.app}: ${a.stackName}/${a.logicalId})`),
    `  AWS edge   ${runtime.endpoints.edge}   EventBridge, SQS, SES v2, Schemas, SSM — e.g. aws --endpoint-url ${runtime.endpoints.edge} sqs list-queues`,
    `  DynamoDB   ${runtime.endpoints.dynamodb}`,
    '  Mailbox    npm start -- mailbox',
    ...extra,
  ];
  const api = runtime.apis[0];
  if (api && workspaceApps) {
    lines.push(
      '',
      'Try:',
      `  curl -s -X POST ${api.url}users -H 'content-type: application/json' -d '{"email":"ada@example.com","name":"Ada Lovelace"}'`,
    );
  }
  if (runtime.unsupported.length > 0) {
    lines.push('', 'Not run locally (unsupported resource types):');
    for (const u of runtime.unsupported) lines.push(`  ${u.stackName}/${u.logicalId} (${u.type})`);
  }
  lines.push('', 'Live log below. Ctrl-C stops everything.', '');
  return lines.join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  process.exitCode = await runCli(process.argv.slice(2));
}
