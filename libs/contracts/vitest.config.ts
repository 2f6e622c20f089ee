import { mergeConfig } from 'vitest/config';
import { baseConfig } from '../../vitest.base.ts';

export default mergeConfig(baseConfig, {
  test: {
    // The files share one module graph (ajv, the AWS SDK and aws-cdk-lib load once per worker, not once per file):
    // a quarter less CPU for this suite. Spies and stubbed environment variables are restored after each test.
    isolate: false,
  },
});
