/**
 * The directory holding baileys-chaos's own package.json: the repository in a clone (sources run
 * through tsx), the package in node_modules (compiled files under dist/). Found by walking up, so
 * the same code works from either depth.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'baileys-chaos') return dir;
    if (dirname(dir) === dir) throw new Error(`Failed to find baileys-chaos's package.json above ${fileURLToPath(import.meta.url)}: the package is incomplete. Reinstall it.`);
  }
}

export const PACKAGE_ROOT = findRoot();

export interface OwnPackage {
  name: string;
  version: string;
  overrides?: Record<string, string>;
}

export const OWN_PACKAGE = createRequire(import.meta.url)(join(PACKAGE_ROOT, 'package.json')) as OwnPackage;
