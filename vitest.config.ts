// Test configuration: workspace packages resolve to their TypeScript sources (the `@cellgrad/source` export
// condition), so tests need no build step. fast-check's seed is fixed in CI and printed on failure.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@cellgrad/source'] },
  ssr: { resolve: { conditions: ['@cellgrad/source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
