/**
 * Sender keys: what a group message (`skmsg`) is encrypted with, one chain per (group, sender
 * device), handed to each member once in a SenderKeyDistributionMessage over its pairwise
 * session. The format is Signal's (version byte 0x33, protobuf, XEdDSA signature over both);
 * the crypto is libsignal's own primitives.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { createRequire } from 'node:module';
import { decodeFields, getBytes, getVarint, ProtobufError, ProtobufWriter } from '../protocol/protobuf.js';
import type { SignalKeyPair } from './signal.js';

interface SignalPrimitives {
  crypto: {
    calculateMAC(key: Buffer, data: Buffer): Buffer;
    deriveSecrets(input: Buffer, salt: Buffer, info: Buffer): Buffer[];
    encrypt(key: Buffer, data: Buffer, iv: Buffer): Buffer;
    decrypt(key: Buffer, data: Buffer, iv: Buffer): Buffer;
  };
  curve: {
    generateKeyPair(): SignalKeyPair;
    calculateSignature(privKey: Buffer, message: Buffer): Buffer;
    verifySignature(pubKey: Buffer, message: Buffer, signature: Buffer): boolean;
  };
}
const { crypto, curve } = createRequire(import.meta.url)('libsignal') as SignalPrimitives;

const VERSION = Buffer.from([0x33]);
const SIGNATURE_LENGTH = 64;

/** The message key for one iteration of a chain: iv and AES-256 key, from HMAC(chain, 1). */
function messageKey(chainKey: Buffer): { iv: Buffer; key: Buffer } {
  const [a, b] = crypto.deriveSecrets(crypto.calculateMAC(chainKey, Buffer.from([1])), Buffer.alloc(32), Buffer.from('WhisperGroup'));
  return { iv: a!.subarray(0, 16), key: Buffer.concat([a!.subarray(16), b!.subarray(0, 16)]) };
}
const nextChain = (chainKey: Buffer): Buffer => crypto.calculateMAC(chainKey, Buffer.from([2]));

/** Our own sending chain in a group. */
export class SenderKey {
  readonly keyId = randomInt(1, 2 ** 31 - 1);
  private readonly signing = curve.generateKeyPair();
  private iteration = 0;
  private chainKey: Buffer = randomBytes(32);

  /** The SenderKeyDistributionMessage a member needs to read what we send from now on. */
  distribution(): Buffer {
    const body = new ProtobufWriter().uint(1, this.keyId).uint(2, this.iteration).bytes(3, this.chainKey).bytes(4, this.signing.pubKey).finish();
    return Buffer.concat([VERSION, body]);
  }

  encrypt(plaintext: Buffer): Buffer {
    const { iv, key } = messageKey(this.chainKey);
    const body = new ProtobufWriter().uint(1, this.keyId).uint(2, this.iteration).bytes(3, crypto.encrypt(key, plaintext, iv)).finish();
    this.chainKey = nextChain(this.chainKey);
    this.iteration++;
    const signed = Buffer.concat([VERSION, body]);
    return Buffer.concat([signed, curve.calculateSignature(this.signing.privKey, signed)]);
  }
}

/** A member's chain we learned from its distribution message: decrypts its `skmsg`. */
export class SenderKeyReceiver {
  private readonly skipped = new Map<number, Buffer>();

  private constructor(
    readonly keyId: number,
    private iteration: number,
    private chainKey: Buffer,
    private readonly signingKey: Buffer,
  ) {}

  static fromDistribution(bytes: Uint8Array): SenderKeyReceiver {
    const f = decodeFields(bytes.subarray(1));
    const chainKey = getBytes(f, 3);
    const signingKey = getBytes(f, 4);
    if (!chainKey || !signingKey) throw new ProtobufError('sender key distribution lacks chainKey or signingKey');
    return new SenderKeyReceiver(Number(getVarint(f, 1) ?? 0n), Number(getVarint(f, 2) ?? 0n), Buffer.from(chainKey), Buffer.from(signingKey));
  }

  decrypt(bytes: Uint8Array): Buffer {
    const buf = Buffer.from(bytes);
    if (buf.length <= 1 + SIGNATURE_LENGTH) throw new ProtobufError('sender key message too short');
    const signed = buf.subarray(0, buf.length - SIGNATURE_LENGTH);
    if (!curve.verifySignature(this.signingKey, signed, buf.subarray(buf.length - SIGNATURE_LENGTH))) throw new Error('sender key message: invalid signature');
    const f = decodeFields(signed.subarray(1));
    const iteration = Number(getVarint(f, 2) ?? 0n);
    const ciphertext = getBytes(f, 3);
    if (!ciphertext) throw new ProtobufError('sender key message has no ciphertext');
    let seed = this.skipped.get(iteration);
    if (seed) this.skipped.delete(iteration);
    else {
      if (iteration < this.iteration) throw new Error(`sender key message: old iteration ${iteration} (chain at ${this.iteration})`);
      if (iteration - this.iteration > 2000) throw new Error('sender key message: over 2000 messages into the future');
      while (this.iteration < iteration) {
        this.skipped.set(this.iteration++, this.chainKey);
        this.chainKey = nextChain(this.chainKey);
      }
      seed = this.chainKey;
      this.chainKey = nextChain(this.chainKey);
      this.iteration++;
    }
    const { iv, key } = messageKey(seed);
    return crypto.decrypt(key, Buffer.from(ciphertext), iv);
  }
}
