import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'apps/*/test/**/*.test.ts',
      'apps/*/test/**/*.test.tsx',
      'e2e/*/test/**/*.test.ts',
    ],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Lab tests create network namespaces and must not race each other for the CPU-bound relays.
    fileParallelism: true,
    reporters: ['default', './scripts/summary-reporter.ts'],
  },
});
