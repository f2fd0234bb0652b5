/**
 * The token dictionary the client compresses its nodes with. Both supported Baileys versions
 * ship the same tables for DICT_VERSION 3 (checked by test/unit/tokens.test.ts), so the server
 * keeps one dictionary per dictionary version, read once from an installed Baileys package:
 * the tables are protocol data that WhatsApp defines, not client behaviour.
 * The server never *writes* tokens (see binary-node.ts), so its output is version-independent.
 */
import { SUPPORTED_BAILEYS_VERSIONS, baileysFileUrl } from '../../harness/baileys/versions.js';

export interface TokenDictionary {
  dictVersion: number;
  single: readonly string[];
  double: readonly (readonly string[])[];
}

let cached: Promise<TokenDictionary> | undefined;

/** Loads the dictionary from the first installed supported Baileys version. */
export function loadTokenDictionary(): Promise<TokenDictionary> {
  cached ??= (async () => {
    const errors: string[] = [];
    for (const version of SUPPORTED_BAILEYS_VERSIONS) {
      try {
        const c = (await import(baileysFileUrl(version, 'lib/WABinary/constants.js'))) as { SINGLE_BYTE_TOKENS: string[]; DOUBLE_BYTE_TOKENS: string[][] };
        const d = (await import(baileysFileUrl(version, 'lib/Defaults/index.js'))) as { DICT_VERSION: number };
        return { dictVersion: d.DICT_VERSION, single: c.SINGLE_BYTE_TOKENS, double: c.DOUBLE_BYTE_TOKENS };
      } catch (err) {
        errors.push(`${version}: ${(err as Error).message}`);
      }
    }
    throw new Error(
      `Failed to load the WhatsApp token dictionary: no supported Baileys version is installed (${errors.join('; ')}). Run "npm install".`,
    );
  })();
  return cached;
}
