/**
 * The compiled CLI (dist/), as an installed package runs it. From a clone bin/baileys-chaos.js runs
 * the TypeScript sources through tsx, whose loader costs each process about 1 s of CPU (Baileys and
 * the harness load 2-3 times slower): with a run in a process of its own that is a third of the CI
 * scenario suite's CPU (bench/virtual-suite.ts measures both). Tests that time or load the machine
 * as a user would run dist, built here first when it is missing or older than any source.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The entry point, relative to the repository's root. */
export const BUILT_CLI = 'dist/harness/cli/main.js';
const SOURCE_DIRS = ['core', 'fake-server', 'harness', 'scenarios'];
const BUILD_INPUTS = ['package.json', 'tsconfig.build.json', 'scripts/build.mjs'];

function newestSourceMs(): number {
  let newest = Math.max(...BUILD_INPUTS.map((f) => statSync(join(ROOT, f)).mtimeMs));
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|mts|mjs|js|json)$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const dir of SOURCE_DIRS) walk(join(ROOT, dir));
  return newest;
}

/** Builds dist/ (npm run build) unless it is newer than every source; returns the CLI's entry point. */
export function builtCli(): string {
  const entry = join(ROOT, BUILT_CLI);
  if (!existsSync(entry) || statSync(entry).mtimeMs < newestSourceMs()) {
    try {
      execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (err) {
      throw new Error(`Failed to build dist/ for the compiled CLI: ${(err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message}. Run npm run build and fix what it reports.`);
    }
  }
  return BUILT_CLI;
}
