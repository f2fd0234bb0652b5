/**
 * The simulated phone: the primary device of an account, which "scans" a companion's QR and
 * vouches for it with its account key, as WhatsApp's ADV (account-device verification) requires.
 * The signatures are exactly the ones Baileys checks in `configureSuccessfulPairing`.
 */
import { createHmac } from 'node:crypto';
import { generateKeyPair, sign, verify, type KeyPair } from './crypto/curve.js';
import {
  decodeAdvSignedDeviceIdentity,
  encodeAdvDeviceIdentity,
  encodeAdvSignedDeviceIdentity,
  encodeAdvSignedDeviceIdentityHmac,
} from './protocol/messages.js';

export const ADV_ACCOUNT_SIG_PREFIX = Buffer.from([6, 0]);
export const ADV_DEVICE_SIG_PREFIX = Buffer.from([6, 1]);

/** What a pairing QR carries (both the 6.x and the 7.x layout). */
export interface PairingQr {
  ref: string;
  noisePublic: Buffer;
  identityPublic: Buffer;
  advSecret: Buffer;
}

export class QrParseError extends Error {
  override name = 'QrParseError';
}

export function parsePairingQr(qr: string): PairingQr {
  const data = qr.includes('#') ? qr.slice(qr.indexOf('#') + 1) : qr;
  const [ref, noise, identity, adv] = data.split(',');
  if (!ref || !noise || !identity || !adv) {
    throw new QrParseError(`Failed to parse the pairing QR: expected "ref,noiseKey,identityKey,advSecret[,platform]", got ${JSON.stringify(qr.slice(0, 80))}.`);
  }
  const b64 = (s: string, what: string, len: number) => {
    const b = Buffer.from(s, 'base64');
    if (b.length !== len) throw new QrParseError(`Failed to parse the pairing QR: ${what} is ${b.length} bytes, expected ${len}.`);
    return b;
  };
  return { ref, noisePublic: b64(noise, 'noise key', 32), identityPublic: b64(identity, 'identity key', 32), advSecret: b64(adv, 'adv secret', 32) };
}

export class SimulatedPhone {
  readonly accountKey: KeyPair = generateKeyPair();
  private keyIndex = 0;

  constructor(readonly phoneNumber: string) {}

  /**
   * The `device-identity` content of `pair-success`: the device details signed by the account
   * key over the companion's identity key, wrapped in an HMAC keyed with the QR's adv secret.
   */
  vouchFor(companionIdentityPublic: Uint8Array, advSecret: Uint8Array, nowSeconds: number): { deviceIdentity: Buffer; keyIndex: number; signed: Buffer } {
    const keyIndex = ++this.keyIndex;
    const deviceDetails = encodeAdvDeviceIdentity({ rawId: 1, timestamp: Math.floor(nowSeconds), keyIndex });
    const accountSignature = sign(this.accountKey.private, Buffer.concat([ADV_ACCOUNT_SIG_PREFIX, deviceDetails, companionIdentityPublic]));
    const signed = encodeAdvSignedDeviceIdentity({ details: deviceDetails, accountSignatureKey: this.accountKey.public, accountSignature });
    const hmac = createHmac('sha256', advSecret).update(signed).digest();
    return { deviceIdentity: encodeAdvSignedDeviceIdentityHmac({ details: signed, hmac }), keyIndex, signed };
  }

  /** Checks the companion's `pair-device-sign` answer: its device signature over our vouching. */
  checkDeviceSignature(companionIdentityPublic: Uint8Array, encodedAnswer: Uint8Array): boolean {
    const answer = decodeAdvSignedDeviceIdentity(encodedAnswer);
    if (!answer.deviceSignature) return false;
    const msg = Buffer.concat([ADV_DEVICE_SIG_PREFIX, answer.details, companionIdentityPublic, this.accountKey.public]);
    return verify(companionIdentityPublic, msg, answer.deviceSignature);
  }
}
