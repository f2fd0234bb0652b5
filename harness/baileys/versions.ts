/**
 * Which Baileys versions the harness drives, and how a run loads one. Each version is installed
 * side by side as an npm alias `baileys-<version>` (see package.json); a run names the version it
 * wants, nothing else in the code base picks one.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const SUPPORTED_BAILEYS_VERSIONS = ['6.7.21', '7.0.0-rc14'] as const;
export type BaileysVersion = string;

/** The npm alias a version is installed under. */
export function baileysPackageName(version: BaileysVersion): string {
  return `baileys-${version}`;
}

/** Versions named by BAILEYS_VERSIONS (comma-separated), else every supported one. */
export function versionsUnderTest(env: NodeJS.ProcessEnv = process.env): string[] {
  const raw = env.BAILEYS_VERSIONS?.trim();
  return raw ? raw.split(',').map((v) => v.trim()).filter(Boolean) : [...SUPPORTED_BAILEYS_VERSIONS];
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

export class UnknownBaileysVersionError extends Error {
  override name = 'UnknownBaileysVersionError';
}

/**
 * Where versions outside package.json are installed on demand (see install.ts): one npm project
 * per version under $BAILEYS_CHAOS_CACHE, default ~/.cache/baileys-chaos/baileys.
 */
export function baileysCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.BAILEYS_CHAOS_CACHE ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'baileys-chaos', 'baileys');
}

/** The installed package.json of a version: the npm alias first, then the on-demand cache. */
export function resolveBaileysPackage(version: BaileysVersion): string | undefined {
  try {
    return require.resolve(`${baileysPackageName(version)}/package.json`);
  } catch {
    const cached = join(baileysCacheDir(), version, 'node_modules', '@whiskeysockets', 'baileys', 'package.json');
    return existsSync(cached) ? cached : undefined;
  }
}

/** The file URL of `relPath` inside an installed Baileys version's package. */
export function baileysFileUrl(version: BaileysVersion, relPath: string): string {
  const pkgJson = resolveBaileysPackage(version);
  if (!pkgJson) {
    throw new UnknownBaileysVersionError(
      `Failed to load Baileys ${version}: it is not installed (neither as "${baileysPackageName(version)}" in package.json nor in ${baileysCacheDir()}). ` +
        `Supported: ${SUPPORTED_BAILEYS_VERSIONS.join(', ')}. "baileys-chaos run/compare --baileys ${version}" installs it on demand.`,
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
