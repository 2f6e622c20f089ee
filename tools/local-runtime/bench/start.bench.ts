// `npm run bench start`: how long `npm start` takes to be ready, on a fresh clone of this repository (its committed
// state, its own empty Nx cache): cold (every app synthesized), again with nothing changed (Nx's cache answers), and
// after changing one app (only that app is synthesized). The baseline, measured in the same run, is a start that
// synthesizes nothing (`synth: 'never'`): the part of a start that is not synthesis.
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { findWorkspaceRoot, startLocalRuntime, type StartLocalRuntimeOptions } from '../src/index.ts';
import { loadAverage } from './process-cpu.ts';

/** The app changed in the third start: a consumer, which no other app depends on. */
const CHANGED_APP = process.env.BENCH_CHANGED_APP ?? 'audit-consumer';

const root = findWorkspaceRoot(import.meta.dirname);
mkdirSync(join(root, 'tmp'), { recursive: true });
const clone = mkdtempSync(join(root, 'tmp', 'start-bench-'));
try {
  execFileSync('git', ['clone', '--quiet', root, clone]);
  // node_modules as `npm ci` would leave it, without the network: hard links, and the workspace links (relative)
  // pointing into the clone
  execFileSync('cp', ['-al', join(root, 'node_modules'), join(clone, 'node_modules')]);

  const start = async (label: string, synth: StartLocalRuntimeOptions['synth']) => {
    const synthesized: string[] = [];
    const startedAt = Date.now();
    const runtime = await startLocalRuntime({
      workspaceRoot: clone,
      dataDir: join(clone, '.local'),
      fresh: true,
      synth,
      edgePort: 0,
      dynamoDbPort: 0,
      apiPort: 0,
      functionLog: () => undefined,
      log: (e) => {
        if (e.kind === 'runtime.synth') synthesized.push(e.message);
      },
    });
    const readyMs = Date.now() - startedAt;
    await runtime.stop();
    console.log(
      `${label.padEnd(34)} ready in ${(readyMs / 1000).toFixed(1).padStart(5)} s (synth ${((runtime.timings.synth ?? 0) / 1000).toFixed(1)} s; ${synthesized.join('; ') || 'nothing synthesized'}); load average ${loadAverage()}`,
    );
    return readyMs;
  };

  const cold = await start('cold, fresh clone', 'auto');
  const unchanged = await start('nothing changed', 'auto');
  appendFileSync(join(clone, 'apps', CHANGED_APP, 'src', 'main.ts'), `// changed by the start benchmark\n`);
  const oneChanged = await start(`${CHANGED_APP} changed`, 'auto');
  const baseline = await start('baseline: no synthesis at all', 'never');
  console.log(
    JSON.stringify({
      coldMs: cold,
      unchangedMs: unchanged,
      oneAppChangedMs: oneChanged,
      noSynthesisMs: baseline,
      unchangedOverBaseline: Number((unchanged / baseline).toFixed(2)),
      oneAppChangedOverBaseline: Number((oneChanged / baseline).toFixed(2)),
      coldOverBaseline: Number((cold / baseline).toFixed(2)),
      loadAverage: loadAverage(),
    }),
  );
} finally {
  rmSync(clone, { recursive: true, force: true });
}
