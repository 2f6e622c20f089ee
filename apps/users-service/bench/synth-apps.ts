// Shared by `npm run bench bundles` and `npm run bench cost`: synthesizes every app of the workspace into a
// temporary folder (never the apps' own cdk.out) and reads what its templates say about each function and the
// resources the cost model prices.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLE_METAFILE_ENV } from '@outboxed/cdk-common';

export const WORKSPACE_ROOT = join(import.meta.dirname, '..', '..', '..');

/** A CloudFormation resource as a synthesized template holds it. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/** One Lambda function of a synthesized app. */
export interface SynthesizedFunction {
  readonly app: string;
  /** The logical id without CDK's hash suffix, e.g. `OutboxRelayFunction`. */
  readonly name: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  /** `asset.<hash>` folder holding index.mjs (and index.meta.json when synthesized for the bundles bench). */
  readonly assetDir: string;
  /** The environment, with every unresolved token replaced by a local placeholder. */
  readonly environment: Record<string, string>;
}

/** The synthesized apps: their templates' resources by app, and their functions. */
export interface SynthesizedApps {
  readonly resources: ReadonlyMap<string, Readonly<Record<string, TemplateResource>>>;
  readonly functions: readonly SynthesizedFunction[];
}

/** The apps of the workspace that are CDK apps (a cdk.json beside src/main.ts). */
export function cdkApps(): string[] {
  const apps = join(WORKSPACE_ROOT, 'apps');
  return readdirSync(apps).filter((app) => existsSync(join(apps, app, 'cdk.json')));
}

function placeholder(key: string, endpoint: string): string {
  if (key.endsWith('_URL')) return `${endpoint}/000000000000/bench-${key.toLowerCase()}`;
  if (key.endsWith('_SECONDS')) return '86400';
  return `bench-${key.toLowerCase().replaceAll('_', '-')}`;
}

/**
 * Synthesizes each app (`node --import tsx src/main.ts`, as its cdk.json says) into `outDir/<app>`.
 *
 * @param endpoint the local endpoint that environment placeholders of queue URLs point at
 * @example const { functions } = synthesizeApps(tmp, 'http://127.0.0.1:4566', { metafile: true });
 */
export function synthesizeApps(
  outDir: string,
  endpoint: string,
  options: { readonly metafile?: boolean } = {},
): SynthesizedApps {
  const resources = new Map<string, Record<string, TemplateResource>>();
  const functions: SynthesizedFunction[] = [];
  for (const app of cdkApps()) {
    const cdkOut = join(outDir, app);
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: join(WORKSPACE_ROOT, 'apps', app),
      env: {
        ...process.env,
        CDK_OUTDIR: cdkOut,
        ...(options.metafile ? { [BUNDLE_METAFILE_ENV]: '1' } : {}),
      },
      encoding: 'utf8',
    });
    if (result.status !== 0) {
      throw new Error(`Synthesizing ${app} failed (exit ${result.status}):\n${result.stderr}`);
    }
    const merged: Record<string, TemplateResource> = {};
    for (const file of readdirSync(cdkOut).filter((f) => f.endsWith('.template.json'))) {
      const template = JSON.parse(readFileSync(join(cdkOut, file), 'utf8')) as {
        Resources: Record<string, TemplateResource>;
      };
      Object.assign(merged, template.Resources);
    }
    resources.set(app, merged);
    for (const [logicalId, resource] of Object.entries(merged)) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const p = resource.Properties ?? {};
      const code = p.Code as { S3Key?: unknown } | undefined;
      if (typeof code?.S3Key !== 'string') continue; // an inline or custom-resource function, not ours
      const variables =
        (p.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
      functions.push({
        app,
        name: logicalId.replace(/[0-9A-F]{8}$/, ''),
        memoryMb: Number(p.MemorySize ?? 128),
        timeoutSeconds: Number(p.Timeout ?? 3),
        assetDir: join(cdkOut, `asset.${code.S3Key.replace(/\.zip$/, '')}`),
        environment: Object.fromEntries(
          Object.entries(variables).map(([k, v]) => [
            k,
            typeof v === 'string' ? v : placeholder(k, endpoint),
          ]),
        ),
      });
    }
  }
  return { resources, functions };
}
