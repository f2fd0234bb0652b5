/**
 * Installs a Baileys version that package.json does not carry, on demand, into the cache
 * (baileysCacheDir): a one-dependency npm project per version, with the same `libsignal`
 * override as ours (Baileys pins libsignal to a git URL that this kind of machine cannot fetch).
 * An unknown version is a clear error before anything is written.
 */
import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { OWN_PACKAGE } from '../package-root.js';
import { baileysCacheDir, resolveBaileysPackage, UnknownBaileysVersionError } from './versions.js';

const run = promisify(execFile);
const NPM_NAME = '@whiskeysockets/baileys';

export interface EnsureOptions {
  /** Told what is happening (the install takes a minute). */
  log?: (line: string) => void;
}

/** Installs under way in this process, per version: a second caller waits for the first (its rm would pull the first one's files away). */
const installing = new Map<string, Promise<'installed' | 'cache' | 'fresh-install'>>();

/** Makes `version` loadable; returns where it came from. */
export function ensureBaileysVersion(version: string, opts: EnsureOptions = {}): Promise<'installed' | 'cache' | 'fresh-install'> {
  const pending = installing.get(version);
  if (pending) return pending;
  const install = ensureOnce(version, opts).finally(() => installing.delete(version));
  installing.set(version, install);
  return install;
}

async function ensureOnce(version: string, opts: EnsureOptions): Promise<'installed' | 'cache' | 'fresh-install'> {
  const existing = resolveBaileysPackage(version);
  if (existing) return existing.includes(baileysCacheDir()) ? 'cache' : 'installed';
  if (!/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(version)) throw new UnknownBaileysVersionError(`Failed to use Baileys "${version}": not a version number (like 6.7.21 or 7.0.0-rc14).`);
  await assertPublished(version);
  const dir = join(baileysCacheDir(), version);
  opts.log?.(`Installing Baileys ${version} into ${dir} (once; later runs reuse it)…`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ private: true, dependencies: { [NPM_NAME]: version }, overrides: OWN_PACKAGE.overrides ?? {} }, null, 2));
  try {
    await run('npm', ['install', '--no-audit', '--no-fund', '--omit=dev', '--loglevel=error'], { cwd: dir, timeout: 10 * 60_000, maxBuffer: 16 * 2 ** 20 });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`Failed to install Baileys ${version} into the cache: ${npmReason(err)}. Install it in your project instead (npm i ${NPM_NAME}@${version}, with what it needs), or pick another version.`);
  }
  if (!resolveBaileysPackage(version)) throw new UnknownBaileysVersionError(`Failed to install Baileys ${version}: npm finished but ${dir} holds no ${NPM_NAME}.`);
  return 'fresh-install';
}

async function assertPublished(version: string): Promise<void> {
  let published: string[];
  try {
    const { stdout } = await run('npm', ['view', NPM_NAME, 'versions', '--json'], { timeout: 60_000, maxBuffer: 16 * 2 ** 20 });
    published = JSON.parse(stdout) as string[];
  } catch (err) {
    throw new Error(`Failed to look up Baileys ${version}: the npm registry did not answer (${npmReason(err)}). Check your network or npm config.`);
  }
  if (!published.includes(version)) {
    const recent = [...published.filter((v) => !v.includes('-')).slice(-4), ...published.filter((v) => v.includes('-')).slice(-2)];
    throw new UnknownBaileysVersionError(`Failed to use Baileys ${version}: no such version of ${NPM_NAME} on npm. Recent ones: ${recent.join(', ')}.`);
  }
}

/**
 * npm's own reason for a failed install: its "npm error" lines, minus the boilerplate (the log
 * path, the exit code line), so a GitHub-only dependency is named rather than blamed on the registry.
 */
export function npmReason(err: unknown): string {
  const e = err as { stderr?: string; message?: string };
  const lines = (e.stderr || e.message || String(err))
    .split('\n')
    .map((l) => l.replace(/^npm (error|ERR!)\s*/, '').trim())
    .filter((l) => l && !/complete log of this run|^code \w+$|^errno |^A complete log|^Log files were not written|^You can rerun/i.test(l));
  const text = lines.slice(0, 4).join(' · ');
  return text.length > 400 ? `${text.slice(0, 400)}…` : text || 'npm exited with an error and no message';
}
