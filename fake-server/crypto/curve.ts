/**
 * Curve25519 for the server: X25519 key agreement through node:crypto (native, ~40 µs a DH, the
 * cost of every login) and XEdDSA signatures through curve25519-js (the scheme Signal and
 * WhatsApp use; only needed when certificates are issued and when a phone pairs a device).
 */
import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, KeyObject, randomBytes } from 'node:crypto';
import * as xeddsa from 'curve25519-js';

export interface KeyPair {
  public: Buffer;
  private: Buffer;
}

/** A key pair whose private half is also prepared for agreements. */
export interface PreparedKeyPair extends KeyPair {
  privateObject: KeyObject;
}

// JWK import/export: OpenSSL's DER decoders cost 70–350 µs a key here, JWK 1–40 µs.
const b64u = (b: Uint8Array) => Buffer.from(b).toString('base64url');

export function generateKeyPair(): PreparedKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  const jwk = privateKey.export({ format: 'jwk' });
  return { public: Buffer.from(jwk.x!, 'base64url'), private: Buffer.from(jwk.d!, 'base64url'), privateObject: privateKey };
}

/** Prepares a private key once for repeated agreements. */
export function privateKeyObject(pair: KeyPair): KeyObject {
  return createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: b64u(pair.private), x: b64u(pair.public) }, format: 'jwk' });
}

/** X25519(priv, pub). Throws on a malformed public key (the caller closes that connection). */
export function sharedKey(priv: KeyPair | KeyObject, pub: Uint8Array): Buffer {
  if (pub.length !== 32) throw new Error('public key must be 32 bytes');
  const privateKey = priv instanceof KeyObject ? priv : 'privateObject' in priv ? (priv as PreparedKeyPair).privateObject : privateKeyObject(priv);
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: b64u(pub) }, format: 'jwk' });
  return diffieHellman({ privateKey, publicKey });
}

export function sign(priv: Uint8Array, message: Uint8Array): Buffer {
  return Buffer.from(xeddsa.sign(priv, message, randomBytes(64)));
}

export function verify(pub: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const key = pub.length === 33 ? pub.subarray(1) : pub;
  return signature.length === 64 && xeddsa.verify(key, message, signature);
}
