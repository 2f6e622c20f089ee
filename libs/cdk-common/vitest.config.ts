import { mergeConfig } from 'vitest/config';
import { baseConfig } from '../../vitest.base.ts';

export default mergeConfig(baseConfig, {
  test: {
    // The files share one module graph (aws-cdk-lib and cdk-nag load once per worker, not once per file): half the
    // CPU of this suite. Tests keep no state between files: each builds its own App and stacks, tracers are per test.
    isolate: false,
  },
});
