import { defineConfig } from 'vitest/config';

/**
 * The settings every project's vitest.config.ts starts from: tests beside the code (`src/**\/*.test.ts`),
 * generous hook timeouts for DynamoDB Local and CDK synthesis, no watch mode.
 */
export const baseConfig = defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    watch: false,
    pool: 'forks',
    // The JSON report feeds the workspace summary printed at the end of `npm test` (scripts/test-summary.ts).
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_EC2_METADATA_DISABLED: 'true',
      CDK_DISABLE_VERSION_CHECK: '1',
    },
  },
});
