/**
 * The token dictionary the harness gives the fake server: read from the Baileys a run drives
 * (the project's own by default), else any pinned one installed (every version ships the same
 * tables, checked by test/unit/binary-node.test.ts). The server itself knows no version list.
 */
import { dirname } from 'node:path';
import { loadTokenDictionaryFrom, type TokenDictionary } from '../../fake-server/protocol/tokens.js';
import { defaultBaileysVersion, resolveBaileysPackage, SUPPORTED_BAILEYS_VERSIONS } from './versions.js';

let cached: Promise<TokenDictionary> | undefined;

/** Loads the dictionary from the first installed Baileys: the default version, then the pinned ones. */
export function loadTokenDictionary(): Promise<TokenDictionary> {
  cached ??= (async () => {
    const errors: string[] = [];
    const candidates = [...new Set([defaultBaileysVersion(), ...SUPPORTED_BAILEYS_VERSIONS].filter((v): v is string => !!v))];
    for (const version of candidates) {
      const pkgJson = resolveBaileysPackage(version);
      if (!pkgJson) {
        errors.push(`${version}: not installed`);
        continue;
      }
      try {
        return await loadTokenDictionaryFrom(dirname(pkgJson));
      } catch (err) {
        errors.push(`${version}: ${(err as Error).message}`);
      }
    }
    cached = undefined;
    throw new Error(
      `Failed to load the WhatsApp token dictionary: no Baileys is installed here (${errors.join('; ')}). Install your bot's Baileys (npm i @whiskeysockets/baileys), or run "baileys-chaos run --baileys VERSION" to install one into the cache.`,
    );
  })();
  return cached;
}
