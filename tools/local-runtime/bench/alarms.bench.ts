// `npm run bench alarms`: what evaluating the apps' synthesized alarms costs the runtime process. The three apps'
// assemblies (as they are in apps/*/cdk.out; synthesize first) are deployed without services, then a fake clock
// drives BENCH_RATE invocations per second for BENCH_MINUTES minutes through the alarms' observers (each with one
// Powertools EMF line), and each 5-second tick evaluates every alarm on what the store retains.
import { performance } from 'node:perf_hooks';
import { AlarmMonitor } from '../src/alarms/alarm-monitor.ts';
import { findWorkspaceRoot } from '../src/index.ts';
import { deployStacks, discoverApps, orderStacks, planStack, readAssembly } from '../src/testing/index.ts';

const RATE = Number(process.env.BENCH_RATE ?? 50);
const MINUTES = Number(process.env.BENCH_MINUTES ?? 10);

const root = findWorkspaceRoot(import.meta.dirname);
const apps = discoverApps(root, ['users-service', 'email-consumer', 'audit-consumer']);
const plans = orderStacks(apps.flatMap((app) => readAssembly(app.name, app.assemblyDir)).map(planStack));
const stacks = await deployStacks(plans, { provisioners: {} });
const functions = stacks.flatMap((s) =>
  [...s.resources.values()].filter((r) => r.type === 'AWS::Lambda::Function').map((r) => r.identity.ref),
);
let now = Date.UTC(2026, 0, 1);
const monitor = new AlarmMonitor({ stacks, log: () => undefined, now: () => now });
const alarms = monitor.states().length;
const emf = JSON.stringify({
  _aws: {
    Timestamp: now,
    CloudWatchMetrics: [
      { Namespace: 'Outboxed/Users', Dimensions: [['service']], Metrics: [{ Name: 'UsersCreated' }] },
    ],
  },
  service: 'users-service',
  UsersCreated: 1,
});

let observeMs = 0;
let observed = 0;
const ticks: number[] = [];
for (let second = 0; second < MINUTES * 60; second += 1) {
  const started = performance.now();
  for (let i = 0; i < RATE; i += 1) {
    const fn = functions[i % functions.length] ?? '';
    now += Math.floor(1000 / RATE);
    await monitor.observeInvocation(fn, { Records: [] }, async () => ({}));
    monitor.observeFunctionLine(fn, emf);
    observed += 1;
  }
  observeMs += performance.now() - started;
  if (second % 5 === 4) {
    const tick = performance.now();
    await monitor.evaluate();
    ticks.push(performance.now() - tick);
  }
}
ticks.sort((a, b) => a - b);
const at = (q: number) => ticks[Math.min(ticks.length - 1, Math.floor(q * ticks.length))] ?? 0;
console.log(
  `alarms: ${alarms} alarms of ${stacks.length} stacks, ${RATE} invocations/s (each with an EMF line) for ${MINUTES} min of fake time`,
);
console.log(`  observing an invocation and its EMF line: ${((observeMs * 1000) / observed).toFixed(1)} µs`);
console.log(
  `  one evaluation of every alarm (5 s tick): p50 ${at(0.5).toFixed(2)} ms, p99 ${at(0.99).toFixed(2)} ms, max ${at(1).toFixed(2)} ms`,
);
console.log(`  heap used: ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB`);
