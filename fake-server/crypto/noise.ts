/**
 * The responder side of WhatsApp's Noise_XX_25519_AESGCM_SHA256 handshake, as the Baileys client
 * performs it (lib/Utils/noise-handler.js), and the transport cipher that follows.
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync } from 'node:crypto';
import { generateKeyPair, sharedKey, type PreparedKeyPair } from './curve.js';
import { decodeClientFinish, decodeClientHello, decodeClientPayload, encodeServerHello, type ClientPayload } from '../protocol/messages.js';

export const NOISE_MODE = Buffer.from('Noise_XX_25519_AESGCM_SHA256\0\0\0\0', 'latin1');

const iv = (counter: number) => {
  const out = Buffer.alloc(12);
  out.writeUInt32BE(counter, 8);
  return out;
};

function aesGcmEncrypt(key: Uint8Array, counter: number, plaintext: Uint8Array, aad: Uint8Array): Buffer {
  const c = createCipheriv('aes-256-gcm', key, iv(counter));
  c.setAAD(aad);
  return Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
}

function aesGcmDecrypt(key: Uint8Array, counter: number, ciphertext: Uint8Array, aad: Uint8Array): Buffer {
  if (ciphertext.length < 16) throw new Error('ciphertext shorter than its tag');
  const d = createDecipheriv('aes-256-gcm', key, iv(counter));
  d.setAAD(aad);
  d.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  return Buffer.concat([d.update(ciphertext.subarray(0, ciphertext.length - 16)), d.final()]);
}

const hkdf64 = (ikm: Uint8Array, salt: Uint8Array): [Buffer, Buffer] => {
  const out = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.alloc(0), 64));
  return [out.subarray(0, 32), out.subarray(32)];
};

/** Per-direction counters, empty AAD: the cipher every frame after the handshake uses. */
export class NoiseTransport {
  private readCounter = 0;
  private writeCounter = 0;
  constructor(
    private readonly decKey: Buffer,
    private readonly encKey: Buffer,
  ) {}
  encrypt(plaintext: Uint8Array): Buffer {
    return aesGcmEncrypt(this.encKey, this.writeCounter++, plaintext, Buffer.alloc(0));
  }
  decrypt(ciphertext: Uint8Array): Buffer {
    return aesGcmDecrypt(this.decKey, this.readCounter++, ciphertext, Buffer.alloc(0));
  }
}

/**
 * Noise's symmetric state as WhatsApp runs it: h, ck, k and one counter shared by both
 * directions during the handshake (reset by every mixKey), the hash as AAD.
 * Used by the responder below and by test initiators.
 */
export class SymmetricState {
  private h: Buffer = NOISE_MODE;
  private ck: Buffer = NOISE_MODE;
  private k: Buffer = NOISE_MODE;
  private counter = 0;

  mixHash(data: Uint8Array): void {
    this.h = createHash('sha256').update(this.h).update(data).digest();
  }
  mixKey(dh: Uint8Array): void {
    [this.ck, this.k] = hkdf64(dh, this.ck);
    this.counter = 0;
  }
  encrypt(plaintext: Uint8Array): Buffer {
    const ct = aesGcmEncrypt(this.k, this.counter++, plaintext, this.h);
    this.mixHash(ct);
    return ct;
  }
  decrypt(ciphertext: Uint8Array): Buffer {
    const pt = aesGcmDecrypt(this.k, this.counter++, ciphertext, this.h);
    this.mixHash(ciphertext);
    return pt;
  }
  /** The transport keys: [initiator→responder, responder→initiator]. */
  split(): [Buffer, Buffer] {
    return hkdf64(Buffer.alloc(0), this.ck);
  }
}

export interface ServerIdentity {
  /** The server's static key pair, its private half prepared for repeated agreements. */
  staticKey: PreparedKeyPair;
  /** The encoded CertChain sent (encrypted) in ServerHello. */
  certChain: Buffer;
}

export class NoiseResponder {
  private readonly state = new SymmetricState();
  private ephemeral: PreparedKeyPair | undefined;

  constructor(
    private readonly identity: ServerIdentity,
    waHeader: Uint8Array,
  ) {
    this.state.mixHash(waHeader);
  }

  /** ClientHello in, ServerHello out. */
  respondToHello(handshakeMessage: Uint8Array): Buffer {
    const { ephemeral: clientEphemeral } = decodeClientHello(handshakeMessage);
    const s = this.state;
    s.mixHash(clientEphemeral);
    const e = (this.ephemeral = generateKeyPair());
    s.mixHash(e.public);
    s.mixKey(sharedKey(e, clientEphemeral));
    const encStatic = s.encrypt(this.identity.staticKey.public);
    s.mixKey(sharedKey(this.identity.staticKey, clientEphemeral));
    const encPayload = s.encrypt(this.identity.certChain);
    return encodeServerHello({ ephemeral: e.public, static: encStatic, payload: encPayload });
  }

  /** ClientFinish in: the client's static (noise) key and its login or registration payload. */
  acceptFinish(handshakeMessage: Uint8Array): { clientStatic: Buffer; payload: ClientPayload; transport: NoiseTransport } {
    if (!this.ephemeral) throw new Error('ClientFinish before ClientHello');
    const finish = decodeClientFinish(handshakeMessage);
    const clientStatic = this.state.decrypt(finish.static);
    this.state.mixKey(sharedKey(this.ephemeral, clientStatic));
    const payload = decodeClientPayload(this.state.decrypt(finish.payload));
    const [clientWrite, clientRead] = this.state.split();
    return { clientStatic, payload, transport: new NoiseTransport(clientWrite, clientRead) };
  }
}
