import { join } from 'node:path';
import { build } from 'esbuild';

/** The UI's entry point. */
export const UI_ENTRY = join(import.meta.dirname, '..', 'ui', 'main.tsx');

/**
 * Bundles the console's UI (Preact, dagre and the views) into one minified browser script, in memory: the console
 * needs no CDN and no network, and never serves a bundle older than its sources.
 *
 * @example const script = await bundleUi(); // 'var …'
 */
export async function bundleUi(
  options: { readonly minify?: boolean; readonly outfile?: string } = {},
): Promise<string> {
  const result = await build({
    entryPoints: [UI_ENTRY],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: options.minify ?? true,
    legalComments: 'none',
    write: options.outfile !== undefined,
    ...(options.outfile ? { outfile: options.outfile } : {}),
    logLevel: 'silent',
  });
  return result.outputFiles?.[0]?.text ?? '';
}
