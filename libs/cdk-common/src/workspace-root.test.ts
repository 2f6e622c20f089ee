import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkspaceRootNotFoundError } from './errors';
import { findWorkspaceRoot } from './workspace-root';

describe('findWorkspaceRoot', () => {
  let outside: string;
  let root: string;
  beforeAll(async () => {
    outside = await mkdtemp(join(tmpdir(), 'workspace-root-'));
    root = join(outside, 'repo');
    await mkdir(join(root, 'apps', 'a', 'src'), { recursive: true });
    await writeFile(join(root, 'package-lock.json'), '{}');
    await writeFile(join(root, 'nx.json'), '{}');
    // A nested package with only a lock file is not the workspace root.
    await writeFile(join(root, 'apps', 'a', 'package-lock.json'), '{}');
  });
  afterAll(() => rm(outside, { recursive: true, force: true }));

  it('finds the nearest folder with package-lock.json and nx.json at or above the start folder', () => {
    expect(findWorkspaceRoot(join(root, 'apps', 'a', 'src'))).toBe(root);
    expect(findWorkspaceRoot(root)).toBe(root);
  });

  it('resolves a relative start folder against the current directory', () => {
    expect(findWorkspaceRoot(relative(process.cwd(), join(root, 'apps')))).toBe(root);
  });

  it('starts from its own folder by default, which lies in this workspace', () => {
    expect(findWorkspaceRoot()).toBe(findWorkspaceRoot(import.meta.dirname));
  });

  it('says where it looked and what to do when no folder above is a workspace', () => {
    const find = () => findWorkspaceRoot(outside);
    expect(find).toThrow(WorkspaceRootNotFoundError);
    expect(find).toThrow(`at or above ${outside}. Run the command from inside the monorepo`);
  });
});
