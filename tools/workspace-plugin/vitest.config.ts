import { mergeConfig } from 'vitest/config';
import { baseConfig } from '../../vitest.base.ts';

export default mergeConfig(baseConfig, {
  test: {
    // one copy of the workspace for the test files that work in one (each in a git worktree of it), and the Nx task
    // cache their nested runs share
    globalSetup: ['src/testing/workspace-copy.setup.ts'],
  },
});
