import { mergeConfig } from 'vitest/config';
import { baseConfig } from '../../vitest.base.ts';

// One file, scenarios in order: each runs the whole system, so they never run side by side.
export default mergeConfig(baseConfig, { test: { fileParallelism: false, testTimeout: 240_000 } });
