// Preloaded into every Lambda worker when `BENCH_CPU_PROF=<dir>` (pipeline.bench.ts): profiles the worker with V8's
// sampling profiler and writes `<dir>/<function>-<pid>.cpuprofile` on SIGTERM (Node 20 refuses --cpu-prof in
// NODE_OPTIONS, and the runtime stops workers with SIGKILL, which would write nothing).
'use strict';
const { Session } = require('node:inspector');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

const session = new Session();
session.connect();
session.post('Profiler.enable', () => session.post('Profiler.start'));
process.on('SIGTERM', () => {
  session.post('Profiler.stop', (error, result) => {
    if (!error) {
      const name = String(process.env.AWS_LAMBDA_FUNCTION_NAME).replace(/-[A-Z0-9]{8,}$/, '');
      writeFileSync(
        join(String(process.env.BENCH_CPU_PROF), `${name}-${process.pid}.cpuprofile`),
        JSON.stringify(result.profile),
      );
    }
    process.exit(0);
  });
});
