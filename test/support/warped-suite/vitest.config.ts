import { defineConfig } from 'vitest/config';

// The warped suite's own config: only its *.chaos.ts file, one fork.
export default defineConfig({
  test: {
    include: ['test/support/warped-suite/*.chaos.ts'],
    pool: 'forks',
    poolOptions: { forks: { maxForks: 1, minForks: 1 } },
  },
});
