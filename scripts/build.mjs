// npm run build: compiles the package's TypeScript into dist/ (ESM + .d.ts), then copies the
// plain ES modules tsc does not emit (the redirect preload, its loader hooks, the trust patch)
// beside their compiled neighbours, so relative imports hold in dist/ as in the sources.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createRequire } from 'node:module';

const root = join(dirname(new URL(import.meta.url).pathname), '..');
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });

const COPIED = /\.(mjs|d\.mts)$/;
function copyPlain(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) copyPlain(path);
    else if (COPIED.test(entry.name)) cpSync(path, join(dist, relative(root, path)));
  }
}
for (const dir of ['core', 'fake-server', 'harness', 'scenarios']) copyPlain(join(root, dir));
process.stdout.write(`built ${relative(process.cwd(), dist) || dist}\n`);
