import { findWorkspaceRoot as findRoot } from '@outboxed/cdk-common/workspace-root';

/**
 * Finds the monorepo root at or above `from` (the current directory by default, as a command-line tool starts
 * from): cdk-common's one definition of it.
 *
 * @example findWorkspaceRoot(process.cwd())
 */
export function findWorkspaceRoot(from: string = process.cwd()): string {
  return findRoot(from);
}

/**
 * The workspace root above the current directory, or the current directory outside a workspace (a cloud assembly of
 * any CDK app runs there too).
 *
 * @example const root = nearestWorkspaceRoot();
 */
export function nearestWorkspaceRoot(): string {
  try {
    return findWorkspaceRoot();
  } catch {
    return process.cwd();
  }
}
