/**
 * Curve25519 for the server: X25519 key agreement through node:crypto (native, ~40 µs a DH, the
 * cost of every login) and XEdDSA signatures through curve25519-js (the scheme Signal and
 * WhatsApp use; only needed when certificates are issued and when a phone pairs a device).
 */
import { createPrivateKey, createPublicKey, diffieHellman, KeyObject, randomBytes } from 'node:crypto';
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

// The base point: X25519(private, 9) is the public key.
const BASE_POINT = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: b64u(Buffer.concat([Buffer.from([9]), Buffer.alloc(31)])) }, format: 'jwk' });

/**
 * A fresh key pair from random bytes, not generateKeyPairSync: on Node 20 (20.20.2 here) exporting
 * such a key as JWK can deadlock the process when a garbage collection during the export frees the
 * key's generation job (both hold the key's mutex). It hung a whole run in CI and reproduced in a
 * loop of generate + export here. The public half comes from one agreement with the base point.
 */
export function generateKeyPair(): PreparedKeyPair {
  const d = randomBytes(32);
  // Clamped as X25519 keys are (RFC 7748), as OpenSSL's own generation stores them.
  d[0]! &= 248;
  d[31]! &= 127;
  d[31]! |= 64;
  // JWK import reads d only (x is not checked against it); 1-40 µs against DER's 70-350 µs.
  const privateObject = createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: b64u(d), x: b64u(Buffer.alloc(32)) }, format: 'jwk' });
  return { public: diffieHellman({ privateKey: privateObject, publicKey: BASE_POINT }), private: d, privateObject };
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
