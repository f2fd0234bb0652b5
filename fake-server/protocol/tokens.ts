/**
 * The token dictionary the client compresses its nodes with. Both supported Baileys versions
 * ship the same tables for DICT_VERSION 3 (checked by test/unit/binary-node.test.ts), so the
 * server keeps one dictionary, read from a Baileys package: the tables are protocol data that
 * WhatsApp defines, not client behaviour. The server does not know which Baileys versions exist:
 * it is given a dictionary (`FakeServerOptions.dictionary`) or reads one from a package directory.
 * The server never *writes* tokens (see binary-node.ts), so its output is version-independent.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface TokenDictionary {
  dictVersion: number;
  single: readonly string[];
  double: readonly (readonly string[])[];
}

const cache = new Map<string, Promise<TokenDictionary>>();

/**
 * Reads the dictionary from an installed Baileys package: its root directory (a path, or a file
 * URL of the directory or of its package.json).
 */
export function loadTokenDictionaryFrom(packageDir: string | URL): Promise<TokenDictionary> {
  const base = packageBaseUrl(packageDir);
  let loaded = cache.get(base);
  if (!loaded) {
    loaded = (async () => {
      const c = (await import(new URL('lib/WABinary/constants.js', base).href)) as { SINGLE_BYTE_TOKENS: string[]; DOUBLE_BYTE_TOKENS: string[][] };
      const d = (await import(new URL('lib/Defaults/index.js', base).href)) as { DICT_VERSION: number };
      return { dictVersion: d.DICT_VERSION, single: c.SINGLE_BYTE_TOKENS, double: c.DOUBLE_BYTE_TOKENS };
    })();
    cache.set(base, loaded);
    loaded.catch(() => cache.delete(base));
  }
  return loaded;
}

/** The directory URL (with a trailing slash) of a package given as a path or URL. */
function packageBaseUrl(packageDir: string | URL): string {
  const url = packageDir instanceof URL || /^file:/.test(packageDir) ? new URL(packageDir) : pathToFileURL(packageDir);
  if (url.pathname.endsWith('/package.json')) return new URL('.', url).href;
  return url.href.endsWith('/') ? url.href : url.href + '/';
}

/** The Baileys package names the server looks for when it is given no dictionary. */
const BAILEYS_PACKAGES = ['@whiskeysockets/baileys', 'baileys'] as const;

/**
 * The directory of a Baileys package resolvable from the server's own location or from the
 * current directory (`@whiskeysockets/baileys`, then `baileys`), or undefined.
 */
export function defaultBaileysDir(cwd: string = process.cwd()): string | undefined {
  const requirers = [createRequire(import.meta.url), createRequire(join(cwd, 'package.json'))];
  for (const name of BAILEYS_PACKAGES) {
    for (const req of requirers) {
      try {
        return dirname(req.resolve(`${name}/package.json`));
      } catch {
        // not resolvable from here
      }
    }
  }
  return undefined;
}

/** The dictionary of the default Baileys package (see defaultBaileysDir); one clear error if there is none. */
export async function loadDefaultTokenDictionary(cwd: string = process.cwd()): Promise<TokenDictionary> {
  const dir = defaultBaileysDir(cwd);
  if (!dir) {
    throw new Error(
      `Failed to load the WhatsApp token dictionary: no "${BAILEYS_PACKAGES.join('" or "')}" package resolves from the fake server or ${cwd}. Install one, or pass the dictionary option (FakeWhatsAppServer.start({ dictionary })).`,
    );
  }
  try {
    return await loadTokenDictionaryFrom(dir);
  } catch (err) {
    throw new Error(`Failed to load the WhatsApp token dictionary from ${dir}: ${(err as Error).message}. Pass the dictionary option instead.`);
  }
}
