import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real Baileys clients and sockets: forks isolate each file's handles; two cores here.
    pool: 'forks',
    // dist/ built when missing or older than a source (the preload and the compiled CLI run it).
    globalSetup: ['test/support/global-setup.ts'],
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 60_000,
    hookTimeout: 30_000,
    reporters: process.env.CI ? ['default', 'junit'] : ['default'],
    outputFile: { junit: 'reports/out/vitest-junit.xml' },
  },
});
