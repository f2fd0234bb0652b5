import { defineConfig } from 'vitest/config';

// The chaos suite's own config, found from its root (vitest --root test/support/warped-suite):
// only its *.chaos.ts files, one fork.
export default defineConfig({
  test: {
    include: ['*.chaos.ts'],
    pool: 'forks',
    poolOptions: { forks: { maxForks: 1, minForks: 1 } },
  },
});
