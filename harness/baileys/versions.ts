/**
 * Which Baileys versions the harness drives, and how a run loads one. Each version is installed
 * side by side as an npm alias `baileys-<version>` (see package.json); a run names the version it
 * wants, nothing else in the code base picks one.
 */
import { createRequire } from 'node:module';
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

/** The file URL of `relPath` inside an installed Baileys version's package. */
export function baileysFileUrl(version: BaileysVersion, relPath: string): string {
  try {
    const pkgJson = require.resolve(`${baileysPackageName(version)}/package.json`);
    return new URL(relPath, pathToFileURL(pkgJson)).href;
  } catch {
    throw new UnknownBaileysVersionError(
      `Failed to load Baileys ${version}: package "${baileysPackageName(version)}" is not installed. ` +
        `Supported: ${SUPPORTED_BAILEYS_VERSIONS.join(', ')}. Run "npm install", or add it to package.json as ` +
        `"${baileysPackageName(version)}": "npm:@whiskeysockets/baileys@${version}".`,
    );
  }
}

/** Loads the given Baileys version's own module instance (its ESM entry point). */
export async function loadBaileys(version: BaileysVersion): Promise<BaileysModule> {
  return (await import(baileysFileUrl(version, 'lib/index.js'))) as BaileysModule;
}

/** Makes a client trust the fake server's test root: see harness/baileys/trust.mjs. */
export { trustTestRoot } from './trust.mjs';
