import { mergeConfig } from 'vitest/config';
import { baseConfig } from '../../vitest.base.ts';

export default mergeConfig(baseConfig, {
  test: {
    // The files share one module graph (the AWS SDK loads once per worker, not once per file): half the CPU of this
    // suite. Each test starts its own edge on a free port and stops it.
    isolate: false,
  },
});
