// Totals every project's (apps, libs, tools, tests) vitest JSON report (written by vitest.base.ts, restored by Nx from its cache when a
// project's tests were not re-run) into one closing line: `Tests: N passed, N failed`.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
let passed = 0;
let failed = 0;
let skipped = 0;
const projects: string[] = [];
for (const group of ['apps', 'libs', 'tools', 'tests']) {
  const groupDir = join(root, group);
  if (!existsSync(groupDir)) continue;
  for (const project of readdirSync(groupDir)) {
    const report = join(groupDir, project, 'test-results', 'vitest.json');
    if (!existsSync(report)) continue;
    const json = JSON.parse(readFileSync(report, 'utf8')) as {
      numPassedTests: number;
      numFailedTests: number;
      numPendingTests: number;
      numTodoTests: number;
    };
    passed += json.numPassedTests;
    failed += json.numFailedTests;
    skipped += json.numPendingTests + json.numTodoTests;
    projects.push(`${project}: ${json.numPassedTests}`);
  }
}
console.log(`\nPer project (passed): ${projects.join(', ')}`);
console.log(`Tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exitCode = failed > 0 ? 1 : 0;
