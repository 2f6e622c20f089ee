import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { AssemblyError } from './errors';
import type { StackInput } from './template/stack-plan';
import type { CfnTemplate } from './template/types';

/**
 * An app of the workspace: a folder `apps/<name>` with a `cdk.json`.
 *
 * @example const [app] = discoverApps(root); app?.assemblyDir // '<root>/apps/audit-consumer/cdk.out'
 */
export interface AppInfo {
  readonly name: string;
  readonly dir: string;
  /** `<dir>/cdk.out`. */
  readonly assemblyDir: string;
}

/**
 * Finds every CDK app of the workspace (`apps/*\/cdk.json`), so a newly generated app runs with no edit here.
 *
 * @example discoverApps(root).map((a) => a.name) // ['audit-consumer', 'email-consumer', 'users-service']
 */
export function discoverApps(workspaceRoot: string, only?: readonly string[]): AppInfo[] {
  const appsDir = join(workspaceRoot, 'apps');
  const all = existsSync(appsDir)
    ? readdirSync(appsDir)
        .filter((name) => existsSync(join(appsDir, name, 'cdk.json')))
        .sort()
        .map((name) => ({ name, dir: join(appsDir, name), assemblyDir: join(appsDir, name, 'cdk.out') }))
    : [];
  if (!only) return all;
  const unknown = only.filter((name) => !all.some((a) => a.name === name));
  if (unknown.length > 0) {
    throw new AssemblyError(
      `--apps names ${unknown.join(', ')}, which ${unknown.length > 1 ? 'are' : 'is'} not an app of this workspace. ` +
        `Apps (folders apps/* with a cdk.json): ${all.map((a) => a.name).join(', ') || 'none'}.`,
    );
  }
  return all.filter((a) => only.includes(a.name));
}

/** Which apps {@link synthesizeWithNx} synthesized, and which Nx restored from its task cache. */
export interface NxSynthResult {
  readonly synthesized: readonly string[];
  readonly fromCache: readonly string[];
}

/**
 * Synthesizes the apps through Nx (`nx run-many -t synth -p <apps>`): the task cache keyed by the `synth` target's
 * inputs (the app's and its dependencies' production files, the versions of the packages the bundles hold, the CDK
 * environment) answers for every app whose inputs did not change and restores its `cdk.out`, so only a changed app
 * runs `cdk synth`. The same cache serves `npx nx run-many -t synth` and CI. `skipCache` synthesizes every app
 * (`--skip-nx-cache`).
 *
 * @example const { synthesized } = await synthesizeWithNx(discoverApps(root), root); // [] when nothing changed
 */
export async function synthesizeWithNx(
  apps: readonly AppInfo[],
  workspaceRoot: string,
  options: { readonly skipCache?: boolean } = {},
): Promise<NxSynthResult> {
  if (apps.length === 0) return { synthesized: [], fromCache: [] };
  const nx = join(workspaceRoot, 'node_modules', '.bin', 'nx');
  const args = ['run-many', '-t', 'synth', '-p', apps.map((a) => a.name).join(','), '--outputStyle=static'];
  if (options.skipCache) args.push('--skip-nx-cache');
  const { code, output: text } = await runCollecting(nx, args, workspaceRoot, {
    // not the variables of an Nx task this process may run in (a test under `nx run <project>:test`): this Nx
    // run is its own, in `workspaceRoot`
    ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('NX_'))),
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
    FORCE_COLOR: '0',
  });
  if (code !== 0) {
    throw new AssemblyError(
      `\`nx run-many -t synth -p ${apps.map((a) => a.name).join(',')}\` failed (exit code ${code}). Run \`npx nx run <app>:synth\` for the app named below to see its error, fix it, and start again. Output:\n${text.slice(-4000)}`,
    );
  }
  return parseNxSynthOutput(
    text,
    apps.map((a) => a.name),
  );
}

/**
 * Reads which apps `nx run-many -t synth --outputStyle=static` ran and which it took from the cache (a task line
 * `> nx run <app>:synth  [local cache]` or `[existing outputs match the cache, left as is]`).
 *
 * @example parseNxSynthOutput('> nx run a:synth  [local cache]\n> nx run b:synth\n', ['a', 'b']) // { synthesized: ['b'], fromCache: ['a'] }
 */
export function parseNxSynthOutput(output: string, apps: readonly string[]): NxSynthResult {
  const synthesized: string[] = [];
  const fromCache: string[] = [];
  for (const app of apps) {
    const line = output.split('\n').find((l) => l.includes(`> nx run ${app}:synth`));
    if (line === undefined) continue;
    (/\[[^\]]*cache[^\]]*\]/.test(line) ? fromCache : synthesized).push(app);
  }
  return { synthesized, fromCache };
}

/**
 * True when `cdk.out/manifest.json` is newer than every source file the app could bundle (its own folder and
 * every lib's `src`), so synthesizing again would produce the same assembly. Only for assemblies synthesized
 * outside Nx's outputs (`assemblyOutDir`); the apps' own `cdk.out` is judged by Nx's cache ({@link synthesizeWithNx}).
 *
 * @example if (!isAssemblyFresh(app, root)) await synthesizeApp(app);
 */
export function isAssemblyFresh(app: AppInfo, workspaceRoot: string): boolean {
  const manifest = join(app.assemblyDir, 'manifest.json');
  if (!existsSync(manifest)) return false;
  const synthesizedAt = statSync(manifest).mtimeMs;
  const roots = [join(app.dir, 'src'), join(app.dir, 'cdk.json'), join(workspaceRoot, 'package-lock.json')];
  const libs = join(workspaceRoot, 'libs');
  if (existsSync(libs))
    for (const lib of readdirSync(libs)) roots.push(join(libs, lib, 'src'), join(libs, lib, 'schemas'));
  return roots.every((root) => newestMtime(root) <= synthesizedAt);
}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'cdk.out') continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

/**
 * Runs `cdk synth --quiet --output <assemblyDir>` in the app's folder (by default `cdk.out`, what
 * `nx run <app>:synth` runs).
 *
 * @example await synthesizeApp(app, root);
 */
export async function synthesizeApp(app: AppInfo, workspaceRoot: string): Promise<void> {
  const cdk = join(workspaceRoot, 'node_modules', '.bin', 'cdk');
  const { code, output } = await runCollecting(
    cdk,
    ['synth', '--quiet', '--output', app.assemblyDir],
    app.dir,
    process.env,
  );
  if (code !== 0) {
    throw new AssemblyError(
      `\`cdk synth\` of ${app.name} failed (exit code ${code}). Fix the app, or run \`npx nx run ${app.name}:synth\` to see the same error. Output:\n${output.slice(-4000)}`,
    );
  }
}

interface ManifestArtifact {
  readonly type: string;
  readonly properties?: { readonly templateFile?: string; readonly stackName?: string };
  readonly displayName?: string;
  readonly dependencies?: readonly string[];
}

/**
 * Reads the stacks of a cloud assembly (`manifest.json` artifacts of type `aws:cloudformation:stack`).
 *
 * @example const stacks = readAssembly('users-service', 'apps/users-service/cdk.out');
 */
export function readAssembly(
  app: string,
  assemblyDir: string,
  synthHint = `synthesize the app first (\`npx nx run ${app}:synth\`)`,
): StackInput[] {
  const dir = resolve(assemblyDir);
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) {
    throw new AssemblyError(`${manifestPath} is missing: ${synthHint}.`);
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    artifacts?: Record<string, ManifestArtifact>;
  };
  const artifacts = manifest.artifacts ?? {};
  return Object.entries(artifacts)
    .filter(([, a]) => a.type === 'aws:cloudformation:stack' && a.properties?.templateFile)
    .map(([id, a]) => ({
      app,
      stackName: a.properties?.stackName ?? id,
      template: JSON.parse(
        readFileSync(join(dir, a.properties?.templateFile as string), 'utf8'),
      ) as CfnTemplate,
      assemblyDir: dir,
      dependencies: (a.dependencies ?? [])
        .filter((d) => artifacts[d]?.type === 'aws:cloudformation:stack')
        .map((d) => artifacts[d]?.properties?.stackName ?? d),
    }));
}

/**
 * Reads the stacks of cloud assemblies a CDK app synthesized anywhere (any app, not only this workspace's): each
 * folder is what `cdk synth` wrote (`cdk.out` by default, or `--output <dir>`). Nothing is synthesized. Each
 * assembly's stacks are named after its folder (the folder above it when the folder is `cdk.out`).
 *
 * @example const stacks = readAssemblies(['../my-cdk-app/cdk.out']); // stacks[0].app === 'my-cdk-app'
 */
export function readAssemblies(assemblyDirs: readonly string[]): StackInput[] {
  return assemblyDirs.flatMap((given) => {
    const dir = resolve(given);
    const name = basename(dir) === 'cdk.out' ? basename(dirname(dir)) : basename(dir);
    return readAssembly(
      name,
      dir,
      `give the folder \`cdk synth\` wrote (\`cdk.out\`, or the folder of \`cdk synth --output <dir>\`), after synthesizing the app`,
    );
  });
}

/**
 * Runs a command with the AWS and CDK variables that keep it quiet and offline, collecting its stdout and stderr.
 *
 * @example const { code, output } = await runCollecting(cdk, ['synth'], app.dir, process.env);
 */
async function runCollecting(
  command: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; output: string }> {
  const output: string[] = [];
  const code = await new Promise<number | null>((done, fail) => {
    const child = spawn(command, [...args], {
      cwd,
      env: {
        ...env,
        CDK_DISABLE_VERSION_CHECK: '1',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (c: Buffer) => output.push(c.toString()));
    child.stderr.on('data', (c: Buffer) => output.push(c.toString()));
    child.once('error', fail);
    child.once('exit', done);
  });
  return { code, output: output.join('') };
}
