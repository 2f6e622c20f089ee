import { mergeConfig } from 'vitest/config';
import { baseConfig } from '../../vitest.base.ts';

// Each file runs the whole system (the apps' synthesized stacks on the local runtime, DynamoDB Local, a browser):
// one at a time, as the chaos suite does, so three systems never compete for two cores.
export default mergeConfig(baseConfig, { test: { fileParallelism: false, hookTimeout: 300_000 } });
