import { mergeConfig } from 'vitest/config';
import { baseConfig } from '../../vitest.base.ts';

// Each file runs the whole system (the apps' synthesized stacks on the local runtime): a start-up takes minutes on a
// busy machine.
export default mergeConfig(baseConfig, { test: { hookTimeout: 300_000 } });
