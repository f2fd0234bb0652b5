/**
 * Curve25519 for the server: X25519 key agreement through node:crypto (native, ~40 µs a DH, the
 * cost of every login) and XEdDSA signatures through curve25519-js (the scheme Signal and
 * WhatsApp use; only needed when certificates are issued and when a phone pairs a device).
 */
import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import * as xeddsa from 'curve25519-js';

export interface KeyPair {
  public: Buffer;
  private: Buffer;
}

const PUBLIC_DER_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');
const PRIVATE_DER_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

export function generateKeyPair(): KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  return {
    public: publicKey.export({ format: 'der', type: 'spki' }).subarray(PUBLIC_DER_PREFIX.length),
    private: privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PRIVATE_DER_PREFIX.length),
  };
}

/** A private key prepared once for repeated agreements (the server's static key). */
export function privateKeyObject(priv: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PRIVATE_DER_PREFIX, priv]), format: 'der', type: 'pkcs8' });
}

/** X25519(priv, pub). Throws on a malformed public key (the caller closes that connection). */
export function sharedKey(priv: Uint8Array | KeyObject, pub: Uint8Array): Buffer {
  if (pub.length !== 32) throw new Error('public key must be 32 bytes');
  const privateKey = priv instanceof Uint8Array ? privateKeyObject(priv) : priv;
  const publicKey = createPublicKey({ key: Buffer.concat([PUBLIC_DER_PREFIX, pub]), format: 'der', type: 'spki' });
  return diffieHellman({ privateKey, publicKey });
}

export function sign(priv: Uint8Array, message: Uint8Array): Buffer {
  return Buffer.from(xeddsa.sign(priv, message, randomBytes(64)));
}

export function verify(pub: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const key = pub.length === 33 ? pub.subarray(1) : pub;
  return signature.length === 64 && xeddsa.verify(key, message, signature);
}
