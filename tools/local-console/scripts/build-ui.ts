// `nx run local-console:build`: bundles the console's UI into dist/app.js and prints its size (the console itself
// bundles in memory at start, so `npm start` never serves a stale build).
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { bundleUi } from '../src/server/bundle';

const outfile = join(import.meta.dirname, '..', 'dist', 'app.js');
await bundleUi({ outfile });
console.log(`local-console UI: ${outfile} (${(statSync(outfile).size / 1024).toFixed(1)} KiB minified)`);
