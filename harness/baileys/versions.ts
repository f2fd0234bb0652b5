/**
 * Which Baileys a run drives, and how it loads one. A version is found, in this order:
 *  1. the Baileys the user's project has installed (resolved from the working directory:
 *     `@whiskeysockets/baileys`, then the unscoped `baileys`), when its version matches;
 *  2. the versions this repository pins for its own tests, as npm aliases `baileys-<version>`
 *     (devDependencies: present in a clone, never forced on a user's project);
 *  3. the on-demand cache (install.ts), one npm project per version.
 * By default a run drives the project's own Baileys (see defaultBaileysVersion).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cacheRoot } from '../cache.js';
import { BadInputError } from '../errors.js';

/** The versions this repository pins for its own tests (package.json devDependencies). */
export const SUPPORTED_BAILEYS_VERSIONS = ['6.7.21', '7.0.0-rc14'] as const;
export type BaileysVersion = string;

/** The npm alias a pinned version is installed under in this repository. */
export function baileysPackageName(version: BaileysVersion): string {
  return `baileys-${version}`;
}

/** The names a bot's project may install Baileys under. */
export const BAILEYS_PACKAGE_NAMES = ['@whiskeysockets/baileys', 'baileys'] as const;

export interface ProjectBaileys {
  version: string;
  /** The package name it is installed under. */
  name: string;
  /** Its package.json. */
  packageJson: string;
}

/**
 * The Baileys the project at `cwd` has installed: the nearest node_modules holding
 * `@whiskeysockets/baileys` or `baileys`, walking up like node's resolver does. Read from the
 * directory rather than resolved, because Baileys 7's `exports` do not expose package.json.
 */
export function projectBaileys(cwd: string = process.env.BAILEYS_CHAOS_PROJECT ?? process.cwd()): ProjectBaileys | undefined {
  for (let dir = cwd; ; dir = dirname(dir)) {
    for (const name of BAILEYS_PACKAGE_NAMES) {
      const packageJson = join(dir, 'node_modules', name, 'package.json');
      if (!existsSync(packageJson)) continue;
      try {
        const { version } = JSON.parse(readFileSync(packageJson, 'utf8')) as { version?: string };
        if (version && existsSync(join(dirname(packageJson), 'lib', 'index.js'))) return { version, name, packageJson };
      } catch {
        // an unreadable package.json is not a Baileys we can drive; keep looking
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** The pinned versions installed beside this package (a clone of the repository has both). */
export function bundledVersions(): string[] {
  return SUPPORTED_BAILEYS_VERSIONS.filter((v) => resolveBundled(v) !== undefined);
}

/**
 * The version a run drives when none is named: the project's own Baileys, else the newest
 * pinned one installed beside this package. Undefined when neither exists.
 */
export function defaultBaileysVersion(): string | undefined {
  return projectBaileys()?.version ?? bundledVersions().at(-1);
}

/** Says where the version a run drives comes from, for the run's first lines and `doctor`. */
export function describeBaileysSource(version: string): string {
  const project = projectBaileys();
  if (project?.version === version) return `your project's ${project.name} (${dirname(project.packageJson)})`;
  const pkg = resolveBaileysPackage(version);
  if (!pkg) return 'not installed yet (installed on demand into the cache)';
  return pkg.startsWith(baileysCacheDir()) ? `the cache (${dirname(pkg)})` : `pinned beside baileys-chaos (${dirname(pkg)})`;
}

/** The failure when no version was named and none is installed. */
export const NO_BAILEYS_FOUND =
  'Failed to choose a Baileys version: none is installed in this project (looked for @whiskeysockets/baileys and baileys in node_modules from here up). ' +
  'Install your bot\'s Baileys (npm i @whiskeysockets/baileys), run from your bot\'s directory, or name one with --baileys VERSION (installed on demand into the cache).';

/** Versions named by BAILEYS_VERSIONS (comma-separated), else the project's own, else every pinned one installed. */
export function versionsUnderTest(env: NodeJS.ProcessEnv = process.env): string[] {
  const raw = env.BAILEYS_VERSIONS?.trim();
  if (raw) return raw.split(',').map((v) => v.trim()).filter(Boolean);
  const project = projectBaileys();
  return project ? [project.version] : bundledVersions();
}

const require = createRequire(import.meta.url);

/** The parts of a Baileys module the harness uses; typed loosely so one type serves every version. */
export interface BaileysModule {
  default: (config: Record<string, unknown>) => BaileysSocket;
  makeWASocket?: (config: Record<string, unknown>) => BaileysSocket;
  useMultiFileAuthState: (dir: string) => Promise<{ state: AuthenticationState; saveCreds: () => Promise<void> }>;
  initAuthCreds: () => AuthenticationCreds;
  BufferJSON: { replacer: (k: string, v: unknown) => unknown; reviver: (k: string, v: unknown) => unknown };
  DisconnectReason: Record<string, number>;
  WA_CERT_DETAILS: { SERIAL: number; PUBLIC_KEY?: Uint8Array };
  DEFAULT_CONNECTION_CONFIG: Record<string, unknown>;
}

export type AuthenticationCreds = Record<string, any> & {
  noiseKey: { public: Uint8Array; private: Uint8Array };
  signedIdentityKey: { public: Uint8Array; private: Uint8Array };
  advSecretKey: string;
};
export interface AuthenticationState {
  creds: AuthenticationCreds;
  keys: unknown;
}

export interface BaileysSocket {
  ev: {
    on(event: string, listener: (arg: any) => void): void;
    off(event: string, listener: (arg: any) => void): void;
    removeAllListeners(event?: string): void;
  };
  end(error?: Error): void;
  ws: { close(): void };
}

export class UnknownBaileysVersionError extends BadInputError {
  override name = 'UnknownBaileysVersionError';
}

/** Where versions are installed on demand (see install.ts): one npm project per version under <cache>/baileys. */
export function baileysCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), 'baileys');
}

function resolveBundled(version: BaileysVersion): string | undefined {
  try {
    return require.resolve(`${baileysPackageName(version)}/package.json`);
  } catch {
    return undefined;
  }
}

/** The installed package.json of a version: the project's own, the pinned alias, then the cache. */
export function resolveBaileysPackage(version: BaileysVersion): string | undefined {
  const project = projectBaileys();
  if (project?.version === version) return project.packageJson;
  const bundled = resolveBundled(version);
  if (bundled) return bundled;
  const cached = join(baileysCacheDir(), version, 'node_modules', '@whiskeysockets', 'baileys', 'package.json');
  return existsSync(cached) ? cached : undefined;
}

/** The file URL of `relPath` inside an installed Baileys version's package. */
export function baileysFileUrl(version: BaileysVersion, relPath: string): string {
  const pkgJson = resolveBaileysPackage(version);
  if (!pkgJson) {
    throw new UnknownBaileysVersionError(
      `Failed to load Baileys ${version}: it is not installed (not in your project, not pinned beside baileys-chaos, not in the cache ${baileysCacheDir()}). ` +
        `"baileys-chaos run --baileys ${version}" installs it on demand; so does ensureBaileysVersion("${version}").`,
    );
  }
  return new URL(relPath, pathToFileURL(pkgJson)).href;
}

/** Loads the given Baileys version's own module instance (its ESM entry point). */
export async function loadBaileys(version: BaileysVersion): Promise<BaileysModule> {
  return (await import(baileysFileUrl(version, 'lib/index.js'))) as BaileysModule;
}

/** Makes a client trust the fake server's test root: see harness/baileys/trust.mjs. */
export { trustTestRoot } from './trust.mjs';
