// THE one place where a client under test is told to trust the fake server's test root: the
// equivalent of adding a test CA to a trust store. Baileys 7 verifies the Noise intermediate
// certificate against `WA_CERT_DETAILS.PUBLIC_KEY`, read from this exported object at handshake
// time; 6.7 checks only the issuer serial. Baileys' files are never edited. Plain JavaScript so
// the black-box preload (harness/redirect.mjs) can use it before any TypeScript loader exists.

/**
 * @param {{ WA_CERT_DETAILS: { PUBLIC_KEY?: Uint8Array } }} baileys the client's own Baileys module instance
 * @param {Uint8Array} rootPublicKey the fake server's test root (GET /trust)
 */
export function trustTestRoot(baileys, rootPublicKey) {
  baileys.WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(rootPublicKey);
}
