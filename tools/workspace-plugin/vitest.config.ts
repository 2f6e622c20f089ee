import { mergeConfig } from 'vitest/config';
import { baseConfig } from '../../vitest.base.ts';

export default mergeConfig(baseConfig, {
  test: {
    // one copy of the workspace for the test files that work in one (each in a git worktree of it), and the Nx task
    // cache their nested runs share
    globalSetup: ['src/testing/workspace-copy.setup.ts'],
    // two files at a time: one after another, the four workspace-copy files were the critical path of `npm test`
    // (585 s of 959 s), running alone at its end
    maxWorkers: 2,
  },
});
