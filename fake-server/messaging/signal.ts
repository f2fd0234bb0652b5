/**
 * The libsignal the server's simulated parties use: the same library (and version) Baileys uses,
 * so what they write is exactly what a real WhatsApp peer's Signal session would write. Loaded
 * with require and typed here: its own typings leave out the key helpers.
 */
import { createRequire } from 'node:module';

export interface SignalKeyPair {
  /** 33 bytes, 0x05 prefix. */
  pubKey: Buffer;
  privKey: Buffer;
}

export interface SignalSessionEntry {
  pendingPreKey?: unknown;
}

export interface SignalSessionRecord {
  getOpenSession(): SignalSessionEntry | undefined;
  haveOpenSession(): boolean;
}

export interface SignalProtocolAddress {
  toString(): string;
}

/** What libsignal calls on a party's storage. */
export interface SignalStorage {
  loadSession(id: string): Promise<SignalSessionRecord | undefined>;
  storeSession(id: string, record: SignalSessionRecord): Promise<void>;
  isTrustedIdentity(id: string, key: Uint8Array): boolean;
  loadPreKey(id: number | string): Promise<SignalKeyPair | undefined>;
  removePreKey(id: number): void;
  loadSignedPreKey(id?: number): SignalKeyPair | undefined;
  getOurRegistrationId(): number;
  getOurIdentity(): SignalKeyPair;
}

export interface SignalBundle {
  registrationId: number;
  identityKey: Buffer;
  signedPreKey: { keyId: number; publicKey: Buffer; signature: Buffer };
  preKey?: { keyId: number; publicKey: Buffer };
}

interface LibSignal {
  keyhelper: {
    generateIdentityKeyPair(): SignalKeyPair;
    generateRegistrationId(): number;
    generateSignedPreKey(identity: SignalKeyPair, keyId: number): { keyId: number; keyPair: SignalKeyPair; signature: Buffer };
    generatePreKey(keyId: number): { keyId: number; keyPair: SignalKeyPair };
  };
  ProtocolAddress: new (name: string, deviceId: number) => SignalProtocolAddress;
  SessionBuilder: new (storage: SignalStorage, addr: SignalProtocolAddress) => { initOutgoing(bundle: SignalBundle): Promise<void> };
  SessionCipher: new (
    storage: SignalStorage,
    addr: SignalProtocolAddress,
  ) => {
    encrypt(data: Buffer): Promise<{ type: number; body: Buffer }>;
    decryptPreKeyWhisperMessage(data: Buffer): Promise<Buffer>;
    decryptWhisperMessage(data: Buffer): Promise<Buffer>;
  };
  SessionRecord: { new (): SignalSessionRecord; deserialize(data: unknown): SignalSessionRecord };
}

const require = createRequire(import.meta.url);
export const libsignal = require('libsignal') as LibSignal;
/** libsignal's per-address job queue: what its own encrypt and decrypt serialize on. */
export const queueJob = require('libsignal/src/queue_job') as <T>(bucket: string, job: () => Promise<T>) => Promise<T>;

/** WhatsApp sends keys without libsignal's 0x05 type byte; libsignal wants it. */
export const withKeyType = (key: Uint8Array): Buffer => (key.length === 33 ? Buffer.from(key) : Buffer.concat([Buffer.from([5]), key]));
export const withoutKeyType = (key: Uint8Array): Buffer => Buffer.from(key.length === 33 ? key.subarray(1) : key);
