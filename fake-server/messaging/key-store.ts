/**
 * The bot devices' uploaded Signal keys (`<iq xmlns="encrypt" type="set">`), as WhatsApp's key
 * server holds them: the parts a peer needs to start a session with a device (registration id,
 * identity, signed pre-key) and its one-time pre-keys, each handed out once.
 */
import { childNode, childNodes, type BinaryNode } from '../protocol/binary-node.js';
import type { SignalBundle } from './signal.js';
import { withKeyType } from './signal.js';

export interface UploadedKeys {
  registrationId: number;
  identity: Buffer;
  signedPreKey: { id: number; public: Buffer; signature: Buffer };
  preKeys: { id: number; public: Buffer }[];
}

export class KeyUploadError extends Error {
  override name = 'KeyUploadError';
}

const bytes = (node: BinaryNode | undefined, what: string, len?: number): Buffer => {
  const c = node?.content;
  if (!(c instanceof Uint8Array)) throw new KeyUploadError(`${what} is missing or not bytes`);
  if (len !== undefined && c.length !== len) throw new KeyUploadError(`${what} is ${c.length} bytes, expected ${len}`);
  return Buffer.from(c);
};
const uint = (b: Buffer): number => b.reduce((n, x) => n * 256 + x, 0);

/** Reads a key upload: registration 4 bytes BE, identity 32, pre-key ids 3 bytes BE, values 32, signature 64. */
export function parseKeyUpload(iq: BinaryNode): UploadedKeys {
  const skey = childNode(iq, 'skey');
  return {
    registrationId: uint(bytes(childNode(iq, 'registration'), 'registration', 4)),
    identity: bytes(childNode(iq, 'identity'), 'identity', 32),
    signedPreKey: { id: uint(bytes(childNode(skey, 'id'), 'skey id', 3)), public: bytes(childNode(skey, 'value'), 'skey value', 32), signature: bytes(childNode(skey, 'signature'), 'skey signature', 64) },
    preKeys: childNodes(childNode(iq, 'list'))
      .filter((k) => k.tag === 'key')
      .map((k) => ({ id: uint(bytes(childNode(k, 'id'), 'key id', 3)), public: bytes(childNode(k, 'value'), 'key value', 32) })),
  };
}

/** Reads the `<keys>` a retry receipt carries (from retry 2 on): the device's current bundle. */
export function parseRetryKeys(receipt: BinaryNode): Omit<UploadedKeys, 'registrationId'> & { registrationId?: number } | undefined {
  const keys = childNode(receipt, 'keys');
  if (!keys) return undefined;
  const skey = childNode(keys, 'skey');
  const key = childNode(keys, 'key');
  const reg = childNode(receipt, 'registration');
  return {
    ...(reg ? { registrationId: uint(bytes(reg, 'registration', 4)) } : {}),
    identity: bytes(childNode(keys, 'identity'), 'identity', 32),
    signedPreKey: { id: uint(bytes(childNode(skey, 'id'), 'skey id', 3)), public: bytes(childNode(skey, 'value'), 'skey value', 32), signature: bytes(childNode(skey, 'signature'), 'skey signature', 64) },
    preKeys: key ? [{ id: uint(bytes(childNode(key, 'id'), 'key id', 3)), public: bytes(childNode(key, 'value'), 'key value', 32) }] : [],
  };
}

interface Held {
  registrationId: number;
  identity: Buffer;
  signedPreKey: UploadedKeys['signedPreKey'];
  /** Unused one-time pre-keys in upload order. */
  preKeys: Map<number, Buffer>;
}

export class KeyStore {
  private readonly held = new Map<string, Held>();

  /** Stores an upload for a device (jid): a later upload adds pre-keys and replaces the rest. */
  upload(deviceJid: string, keys: UploadedKeys): void {
    const prev = this.held.get(deviceJid);
    const preKeys = prev && prev.identity.equals(keys.identity) ? prev.preKeys : new Map<number, Buffer>();
    for (const k of keys.preKeys) preKeys.set(k.id, k.public);
    this.held.set(deviceJid, { registrationId: keys.registrationId, identity: keys.identity, signedPreKey: keys.signedPreKey, preKeys });
  }

  /** Replaces a device's bundle with the one its retry receipt carried (its pre-key is fresh). */
  refresh(deviceJid: string, keys: NonNullable<ReturnType<typeof parseRetryKeys>>): void {
    const prev = this.held.get(deviceJid);
    const registrationId = keys.registrationId ?? prev?.registrationId;
    if (registrationId === undefined) return;
    this.upload(deviceJid, { registrationId, identity: keys.identity, signedPreKey: keys.signedPreKey, preKeys: keys.preKeys });
  }

  has(deviceJid: string): boolean {
    return this.held.has(deviceJid);
  }

  /** One-time pre-keys not handed out yet. */
  count(deviceJid: string): number {
    return this.held.get(deviceJid)?.preKeys.size ?? 0;
  }

  /** A bundle to start a session with the device; takes (removes) one one-time pre-key if any is left. */
  take(deviceJid: string): SignalBundle | undefined {
    const h = this.held.get(deviceJid);
    if (!h) return undefined;
    const first = h.preKeys.entries().next();
    let preKey: SignalBundle['preKey'];
    if (!first.done) {
      const [keyId, pub] = first.value;
      h.preKeys.delete(keyId);
      preKey = { keyId, publicKey: withKeyType(pub) };
    }
    return {
      registrationId: h.registrationId,
      identityKey: withKeyType(h.identity),
      signedPreKey: { keyId: h.signedPreKey.id, publicKey: withKeyType(h.signedPreKey.public), signature: h.signedPreKey.signature },
      ...(preKey ? { preKey } : {}),
    };
  }
}
