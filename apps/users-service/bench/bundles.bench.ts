// `npm run bench bundles`: for every function of every app, the deployed bundle (synthesized asset, AWS SDK
// bundled) and what fills it (esbuild's metafile, by package), beside the same entry bundled as before with the SDK
// left to the Lambda runtime; then cold starts: a fresh Node process imports the bundle (init) and runs a first
// invocation and two warm ones against a local stub of AWS, median of several processes, with the init of an
// empty handler bundle measured in the same run as the baseline (ratios, since this machine is shared and
// slower or faster than Lambda's). Not a test: it prints figures (copied into the README).
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { chainThroughFlow, setUpBench } from './bench-setup.ts';
import { createUserRequest, median, roleOf, runFresh, type FunctionRun } from './function-runs.ts';
import { WORKSPACE_ROOT, type SynthesizedFunction } from './synth-apps.ts';

const RUNS = 5;
const INVOCATIONS = 3;
const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;
const ms = (value: number) => `${value.toFixed(0)} ms`;
const SDK = /^(@aws-sdk|@smithy|@aws-crypto)\/|^(fast-xml-parser|strnum|tslib|bowser)$/;

interface Metafile {
  readonly outputs: Record<
    string,
    { bytes: number; entryPoint?: string; inputs: Record<string, { bytesInOutput: number }> }
  >;
}

/** Bytes in the bundle per package (node_modules) or workspace project, largest first. */
function byPackage(metafile: Metafile): { entry: string; parts: [string, number][] } {
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint);
  if (!output?.entryPoint) throw new Error('The metafile names no entry point.');
  const parts = new Map<string, number>();
  for (const [path, input] of Object.entries(output.inputs)) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? path.split('/').slice(0, 2).join('/');
    parts.set(pkg, (parts.get(pkg) ?? 0) + input.bytesInOutput);
  }
  return {
    entry: output.entryPoint,
    parts: [...parts].sort((a, b) => b[1] - a[1]),
  };
}

const esbuildOptions: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  mainFields: ['module', 'main'],
  minify: true,
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
  logLevel: 'error',
};

// "Before": the same entries with the SDK external, written inside the workspace so `@aws-sdk/*` resolves from its
// node_modules, as it resolves from the runtime's own copy on Lambda.
const beforeRoot = join(WORKSPACE_ROOT, 'node_modules', '.cache', 'bench-bundles-before');
rmSync(beforeRoot, { recursive: true, force: true });
const { aws, tmp, functions, synthMs, finish } = await setUpBench('bundles', { metafile: true });
console.log(`\nSynthesized ${functions.length} functions in ${ms(synthMs)}.\n`);

const baselineDir = join(tmp, 'baseline');
mkdirSync(baselineDir);
writeFileSync(join(baselineDir, 'entry.mjs'), 'export const handler = async () => ({ statusCode: 200 });\n');
await build({
  ...esbuildOptions,
  entryPoints: [join(baselineDir, 'entry.mjs')],
  outfile: join(baselineDir, 'index.mjs'),
});

interface Row {
  readonly fn: SynthesizedFunction;
  readonly bundle: string;
  readonly before: string;
  readonly total: number;
  readonly sdk: number;
  readonly parts: [string, number][];
  readonly beforeBytes: number;
}
const rows: Row[] = [];
for (const fn of functions) {
  const metafile = JSON.parse(readFileSync(join(fn.assetDir, 'index.meta.json'), 'utf8')) as Metafile;
  const { entry, parts } = byPackage(metafile);
  const beforeDir = join(beforeRoot, `${fn.app}-${fn.name}`);
  await build({
    ...esbuildOptions,
    entryPoints: [join(WORKSPACE_ROOT, entry)],
    outfile: join(beforeDir, 'index.mjs'),
    external: ['@aws-sdk/*'],
  });
  rows.push({
    fn,
    bundle: join(fn.assetDir, 'index.mjs'),
    before: join(beforeDir, 'index.mjs'),
    total: statSync(join(fn.assetDir, 'index.mjs')).size,
    sdk: parts.filter(([p]) => SDK.test(p)).reduce((sum, [, b]) => sum + b, 0),
    parts,
    beforeBytes: statSync(join(beforeDir, 'index.mjs')).size,
  });
}

console.log(
  '| function | bundle (SDK bundled) | of which AWS SDK | besides the SDK | before (SDK external) | largest parts besides the SDK |',
);
console.log('| --- | --- | --- | --- | --- | --- |');
for (const row of rows) {
  const top = row.parts
    .filter(([p]) => !SDK.test(p))
    .slice(0, 4)
    .map(([p, b]) => `${p} ${kb(b)}`)
    .join(', ');
  console.log(
    `| ${row.fn.app}/${row.fn.name} | ${kb(row.total)} | ${kb(row.sdk)} | ${kb(row.total - row.sdk)} | ${kb(row.beforeBytes)} | ${top} |`,
  );
}

// The events chain through the flow, from the deployed bundles themselves.
const byRole = (role: string) => rows.filter((r) => roleOf(r.fn) === role);
const events = new Map<Row, unknown>();
for (const row of byRole('api')) events.set(row, createUserRequest());
const { apiFn, streamEvent, queueEvent } = await chainThroughFlow(functions, (fn, event) =>
  runFresh(fn, join(fn.assetDir, 'index.mjs'), event, aws, 1),
);
for (const row of byRole('relay')) events.set(row, streamEvent);
for (const row of byRole('consumer')) events.set(row, queueEvent);
for (const row of byRole('redrive')) events.set(row, {});

const baselineFn: SynthesizedFunction = { ...apiFn, name: 'EmptyHandler', environment: {} };
const baseline: FunctionRun[] = [];
const after = new Map<Row, FunctionRun[]>(rows.map((r) => [r, []]));
const before = new Map<Row, FunctionRun[]>(rows.map((r) => [r, []]));
for (let run = 0; run < RUNS; run += 1) {
  baseline.push(await runFresh(baselineFn, join(baselineDir, 'index.mjs'), {}, aws, INVOCATIONS));
  for (const row of rows) {
    after.get(row)?.push(await runFresh(row.fn, row.bundle, events.get(row), aws, INVOCATIONS));
    before.get(row)?.push(await runFresh(row.fn, row.before, events.get(row), aws, INVOCATIONS));
  }
}
const baselineInit = median(baseline.map((r) => r.initMs));
const baselineProcess = median(baseline.map((r) => r.processMs));

console.log(
  `\nCold start, median of ${RUNS} fresh processes each (baseline: an empty handler bundle, init ${ms(baselineInit)}, ` +
    `process to answer ${ms(baselineProcess)}); CPU in parentheses; SDK bundled, then before (SDK external, resolved from node_modules):\n`,
);
console.log(
  '| function | init (import) | × empty | first invocation | warm invocation | RSS | before: init | before: first invocation | before: RSS |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const row of rows) {
  const a = after.get(row) ?? [];
  const b = before.get(row) ?? [];
  const m = (runs: FunctionRun[], f: (r: FunctionRun) => number) => median(runs.map(f));
  console.log(
    `| ${row.fn.app}/${row.fn.name} | ${ms(m(a, (r) => r.initMs))} (${ms(m(a, (r) => r.initCpuMs))}) | ` +
      `${(m(a, (r) => r.initMs) / baselineInit).toFixed(0)}× | ${ms(m(a, (r) => r.invokeMs[0] ?? 0))} (${ms(m(a, (r) => r.invokeCpuMs[0] ?? 0))}) | ` +
      `${ms(m(a, (r) => r.invokeMs[INVOCATIONS - 1] ?? 0))} (${ms(m(a, (r) => r.invokeCpuMs[INVOCATIONS - 1] ?? 0))}) | ` +
      `${m(a, (r) => r.rssMb).toFixed(0)} MB | ${ms(m(b, (r) => r.initMs))} | ${ms(m(b, (r) => r.invokeMs[0] ?? 0))} | ` +
      `${m(b, (r) => r.rssMb).toFixed(0)} MB |`,
  );
}
await finish();
rmSync(beforeRoot, { recursive: true, force: true });
