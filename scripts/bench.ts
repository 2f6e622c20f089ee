// `npm run bench [name …]`: runs the benchmarks found in <project>/bench/<name>.bench.ts, each in its own
// Node process (so one benchmark's heap never skews another's memory figures). With no name it lists them.
import { spawnSync } from 'node:child_process';
import { readdirSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const benches = new Map<string, string>();
for (const group of ['apps', 'libs', 'tools']) {
  const groupDir = join(root, group);
  if (!existsSync(groupDir)) continue;
  for (const project of readdirSync(groupDir)) {
    const dir = join(groupDir, project, 'bench');
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.bench.ts'))) {
      benches.set(file.replace(/\.bench\.ts$/, ''), join(dir, file));
    }
  }
}

const [, , ...names] = process.argv;
if (names.length === 0) {
  console.log('Benchmarks (run one with `npm run bench <name>`, or `npm run bench all`):');
  for (const [name, file] of benches) console.log(`  ${name.padEnd(24)} ${relative(root, file)}`);
  process.exit(0);
}
const selected = names[0] === 'all' ? [...benches.keys()] : names;
for (const name of selected) {
  const file = benches.get(name);
  if (!file) {
    console.error(`No benchmark named "${name}". Known: ${[...benches.keys()].join(', ') || 'none'}.`);
    process.exit(2);
  }
  const result = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', file], {
    stdio: 'inherit',
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
