/**
 * The server's X25519 key pairs (fake-server/crypto/curve.ts): made from random bytes (no
 * generateKeyPairSync: Node 20 can deadlock exporting such a key), they must be what OpenSSL
 * derives from the same private key, clamped, and agree with each other.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { expect, test } from 'vitest';
import { generateKeyPair, sharedKey } from '../../fake-server/crypto/curve.js';

const PKCS8_X25519 = Buffer.from('302e020100300506032b656e04220420', 'hex');

test('a key pair: its public half is the one OpenSSL derives from the private half, clamped, and two pairs agree', () => {
  for (let i = 0; i < 50; i++) {
    const a = generateKeyPair();
    const derived = createPublicKey(createPrivateKey({ key: Buffer.concat([PKCS8_X25519, a.private]), format: 'der', type: 'pkcs8' })).export({ format: 'der', type: 'spki' }).subarray(-32);
    expect(a.public.equals(derived)).toBe(true);
    expect(a.private[0]! & 7).toBe(0);
    expect(a.private[31]! & 0xc0).toBe(0x40);
    const b = generateKeyPair();
    expect(sharedKey(a, b.public).equals(sharedKey(b, a.public))).toBe(true);
    expect(sharedKey({ public: a.public, private: a.private }, b.public).equals(sharedKey(a, b.public))).toBe(true);
  }
});
