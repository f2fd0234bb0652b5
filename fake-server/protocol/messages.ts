/**
 * The protobuf messages of WhatsApp's handshake and pairing, with the field numbers of
 * WAProto.proto. Only the fields the fake server reads or writes are modelled.
 */
import { ProtobufWriter, decodeFields, getBytes, getString, getVarint, ProtobufError } from './protobuf.js';

export interface ClientHello {
  ephemeral: Uint8Array;
}
export interface ClientFinish {
  static: Uint8Array;
  payload: Uint8Array;
}

/** HandshakeMessage { clientHello = 2; serverHello = 3; clientFinish = 4 } */
export function decodeClientHello(buf: Uint8Array): ClientHello {
  const hello = getBytes(decodeFields(buf), 2);
  if (!hello) throw new ProtobufError('handshake message has no clientHello');
  const ephemeral = getBytes(decodeFields(hello), 1);
  if (!ephemeral || ephemeral.length !== 32) throw new ProtobufError('clientHello.ephemeral must be 32 bytes');
  return { ephemeral };
}

export function decodeClientFinish(buf: Uint8Array): ClientFinish {
  const finish = getBytes(decodeFields(buf), 4);
  if (!finish) throw new ProtobufError('handshake message has no clientFinish');
  const f = decodeFields(finish);
  const stat = getBytes(f, 1);
  const payload = getBytes(f, 2);
  if (!stat || !payload) throw new ProtobufError('clientFinish lacks static or payload');
  return { static: stat, payload };
}

export function encodeServerHello(hello: { ephemeral: Uint8Array; static: Uint8Array; payload: Uint8Array }): Buffer {
  const inner = new ProtobufWriter().bytes(1, hello.ephemeral).bytes(2, hello.static).bytes(3, hello.payload).finish();
  return new ProtobufWriter().bytes(3, inner).finish();
}

/** CertChain.NoiseCertificate.Details */
export interface CertDetails {
  serial: number;
  issuerSerial: number;
  key: Uint8Array;
  notBefore?: number;
  notAfter?: number;
}

export function encodeCertDetails(d: CertDetails): Buffer {
  return new ProtobufWriter()
    .uint(1, d.serial)
    .uint(2, d.issuerSerial)
    .bytes(3, d.key)
    .uint(4, d.notBefore)
    .uint(5, d.notAfter)
    .finish();
}

export interface NoiseCertificate {
  details: Uint8Array;
  signature: Uint8Array;
}

export function encodeCertChain(chain: { leaf: NoiseCertificate; intermediate: NoiseCertificate }): Buffer {
  const cert = (c: NoiseCertificate) => new ProtobufWriter().bytes(1, c.details).bytes(2, c.signature).finish();
  return new ProtobufWriter().bytes(1, cert(chain.leaf)).bytes(2, cert(chain.intermediate)).finish();
}

/** What the server needs from a ClientPayload: who logs in, or the keys of a new registration. */
export interface ClientPayload {
  username?: bigint;
  device?: number;
  passive?: boolean;
  pull?: boolean;
  pushName?: string;
  /** userAgent.appVersion: the WhatsApp Web version the client announces (each Baileys release has its own default). */
  appVersion?: string;
  registration?: {
    registrationId: Uint8Array;
    keyType: Uint8Array;
    identityKey: Uint8Array;
    signedPreKeyId: Uint8Array;
    signedPreKey: Uint8Array;
    signedPreKeySignature: Uint8Array;
  };
}

export function decodeClientPayload(buf: Uint8Array): ClientPayload {
  const f = decodeFields(buf);
  const out: ClientPayload = {};
  const username = getVarint(f, 1);
  if (username !== undefined) out.username = username;
  const device = getVarint(f, 18);
  if (device !== undefined) out.device = Number(device);
  const passive = getVarint(f, 3);
  if (passive !== undefined) out.passive = passive !== 0n;
  const pull = getVarint(f, 33);
  if (pull !== undefined) out.pull = pull !== 0n;
  const pushName = getString(f, 7);
  if (pushName !== undefined) out.pushName = pushName;
  const userAgent = getBytes(f, 5);
  const app = userAgent && getBytes(decodeFields(userAgent), 2);
  if (app) {
    const a = decodeFields(app);
    out.appVersion = [1, 2, 3].map((n) => String(getVarint(a, n) ?? 0)).join('.');
  }
  const reg = getBytes(f, 19);
  if (reg) {
    const r = decodeFields(reg);
    const need = (no: number, what: string) => {
      const b = getBytes(r, no);
      if (!b) throw new ProtobufError(`devicePairingData lacks ${what}`);
      return b;
    };
    out.registration = {
      registrationId: need(1, 'eRegid'),
      keyType: need(2, 'eKeytype'),
      identityKey: need(3, 'eIdent'),
      signedPreKeyId: need(4, 'eSkeyId'),
      signedPreKey: need(5, 'eSkeyVal'),
      signedPreKeySignature: need(6, 'eSkeySig'),
    };
  }
  return out;
}

/** ADVDeviceIdentity { rawId = 1; timestamp = 2; keyIndex = 3; accountType = 4; deviceType = 5 } */
export function encodeAdvDeviceIdentity(d: { rawId: number; timestamp: number; keyIndex: number }): Buffer {
  return new ProtobufWriter().uint(1, d.rawId).uint(2, d.timestamp).uint(3, d.keyIndex).uint(4, 0).uint(5, 0).finish();
}

/** ADVSignedDeviceIdentity { details = 1; accountSignatureKey = 2; accountSignature = 3; deviceSignature = 4 } */
export interface AdvSignedDeviceIdentity {
  details: Uint8Array;
  accountSignatureKey?: Uint8Array;
  accountSignature?: Uint8Array;
  deviceSignature?: Uint8Array;
}

export function encodeAdvSignedDeviceIdentity(a: AdvSignedDeviceIdentity): Buffer {
  return new ProtobufWriter()
    .bytes(1, a.details)
    .bytes(2, a.accountSignatureKey)
    .bytes(3, a.accountSignature)
    .bytes(4, a.deviceSignature)
    .finish();
}

export function decodeAdvSignedDeviceIdentity(buf: Uint8Array): AdvSignedDeviceIdentity {
  const f = decodeFields(buf);
  const details = getBytes(f, 1);
  if (!details) throw new ProtobufError('ADVSignedDeviceIdentity lacks details');
  const out: AdvSignedDeviceIdentity = { details };
  const key = getBytes(f, 2);
  if (key) out.accountSignatureKey = key;
  const accSig = getBytes(f, 3);
  if (accSig) out.accountSignature = accSig;
  const devSig = getBytes(f, 4);
  if (devSig) out.deviceSignature = devSig;
  return out;
}

/** ADVSignedDeviceIdentityHMAC { details = 1; hmac = 2 } */
export function encodeAdvSignedDeviceIdentityHmac(h: { details: Uint8Array; hmac: Uint8Array }): Buffer {
  return new ProtobufWriter().bytes(1, h.details).bytes(2, h.hmac).finish();
}
