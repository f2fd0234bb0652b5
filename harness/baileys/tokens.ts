/**
 * The token dictionary the harness gives the fake server: read from the first installed
 * supported Baileys version (every supported version ships the same tables, checked by
 * test/unit/binary-node.test.ts). The server itself knows no version list.
 */
import { dirname } from 'node:path';
import { loadTokenDictionaryFrom, type TokenDictionary } from '../../fake-server/protocol/tokens.js';
import { resolveBaileysPackage, SUPPORTED_BAILEYS_VERSIONS } from './versions.js';

let cached: Promise<TokenDictionary> | undefined;

/** Loads the dictionary from the first installed supported Baileys version. */
export function loadTokenDictionary(): Promise<TokenDictionary> {
  cached ??= (async () => {
    const errors: string[] = [];
    for (const version of SUPPORTED_BAILEYS_VERSIONS) {
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
      `Failed to load the WhatsApp token dictionary: no supported Baileys version is installed (${errors.join('; ')}). Run "npm install".`,
    );
  })();
  return cached;
}
