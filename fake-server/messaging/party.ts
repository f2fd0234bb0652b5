/**
 * A simulated WhatsApp device with real Signal state: an identity, registration id, signed pre-key
 * and one-time pre-keys, and an in-memory libsignal store with one session per bot device, used in
 * both directions (what it encrypts to the bot, what it decrypts from the bot).
 */
import { SenderKey, SenderKeyReceiver } from './sender-key.js';
import { libsignal, queueJob, withoutKeyType, type SignalBundle, type SignalKeyPair, type SignalSessionRecord, type SignalStorage } from './signal.js';

/** The part of libsignal's SessionCipher that decrypts a `msg` on one given session. */
interface WhisperCipher {
  doDecryptWhisperMessage(ciphertext: Buffer, session: unknown): Promise<Buffer>;
}

const PRE_KEYS = 50;

export class SignalParty implements SignalStorage {
  readonly identity: SignalKeyPair = libsignal.keyhelper.generateIdentityKeyPair();
  readonly registrationId = libsignal.keyhelper.generateRegistrationId();
  private readonly signed = libsignal.keyhelper.generateSignedPreKey(this.identity, 1);
  /** Pre-keys generated, kept until used in a session (their private halves decrypt a pkmsg). */
  private readonly preKeys = new Map<number, SignalKeyPair>();
  /** Pre-key ids not handed out yet. */
  private readonly unissued: number[] = [];
  private nextPreKeyId = 1;
  /**
   * Session records, serialized, as a client stores them: each libsignal operation works on a
   * fresh copy and only a success is stored. A decrypt tries every session in the record and moves
   * each one's ratchet as it tries; with the live object kept, a failed try would corrupt a session
   * (the next message sealed on it: "Bad MAC" at the bot).
   */
  private readonly sessions = new Map<string, unknown>();
  /** Our sending chain per group, and which bot devices confirmed they hold it (receipted a message). */
  private readonly senderKeys = new Map<string, { key: SenderKey; heldBy: Set<string> }>();
  /** Bot devices' sending chains per group, learned from their distribution messages. */
  private readonly receivers = new Map<string, SenderKeyReceiver>();

  constructor(readonly name: string) {
    this.topUpPreKeys();
  }

  private topUpPreKeys(): void {
    while (this.unissued.length < PRE_KEYS) {
      const k = libsignal.keyhelper.generatePreKey(this.nextPreKeyId++);
      this.preKeys.set(k.keyId, k.keyPair);
      this.unissued.push(k.keyId);
    }
  }

  /** The key bundle a peer starts a session with (WhatsApp's answer to `iq get encrypt`); takes one pre-key. */
  bundle(): { registrationId: number; identity: Buffer; signedPreKey: { id: number; public: Buffer; signature: Buffer }; preKey: { id: number; public: Buffer } } {
    const id = this.unissued.shift()!;
    this.topUpPreKeys();
    return {
      registrationId: this.registrationId,
      identity: withoutKeyType(this.identity.pubKey),
      signedPreKey: { id: this.signed.keyId, public: withoutKeyType(this.signed.keyPair.pubKey), signature: this.signed.signature },
      preKey: { id, public: withoutKeyType(this.preKeys.get(id)!.pubKey) },
    };
  }

  /** libsignal's address for a bot device: one session per device, keyed by its jid. */
  private address(peer: string) {
    return new libsignal.ProtocolAddress(peer.replace(/[.@:]/g, '_'), 0);
  }

  hasSession(peer: string): boolean {
    return !!this.record(peer)?.haveOpenSession();
  }

  /**
   * Starts a fresh outgoing session with a peer from its bundle. The record is kept: libsignal
   * archives the open session in it (as a WhatsApp client keeps its session record), so what the
   * peer encrypted on an older session, not yet answered by the new one, still decrypts (a
   * decrypt tries every session in the record).
   */
  async startSession(peer: string, bundle: SignalBundle): Promise<void> {
    await new libsignal.SessionBuilder(this, this.address(peer)).initOutgoing(bundle);
  }

  /** The base key (base64) of the open session with a peer: which session a message was sealed on. */
  openSessionKey(peer: string): string | undefined {
    const open = this.record(peer)?.getOpenSession() as { indexInfo?: { baseKey?: Buffer } } | undefined;
    return open?.indexInfo?.baseKey?.toString('base64');
  }

  /**
   * Marks the open session as established (the peer proved it decrypted our pre-key message by
   * receipting it): later messages go as `msg`, as WhatsApp's do once a session is confirmed.
   * `sealedOn` names the session the receipted message was sealed on: a receipt for a message of
   * an older session confirms nothing about a newer one (its pre-key message may not have arrived).
   */
  confirmSession(peer: string, sealedOn?: string): void {
    const record = this.record(peer);
    const open = record?.getOpenSession();
    if (!record || !open) return;
    if (sealedOn !== undefined && (open as { indexInfo?: { baseKey?: Buffer } }).indexInfo?.baseKey?.toString('base64') !== sealedOn) return;
    delete open.pendingPreKey;
    this.sessions.set(this.address(peer).toString(), (record as SignalSessionRecord & { serialize(): unknown }).serialize());
  }

  private record(peer: string): SignalSessionRecord | undefined {
    const data = this.sessions.get(this.address(peer).toString());
    return data === undefined ? undefined : quiet(libsignal.SessionRecord.deserialize(data));
  }

  async encrypt(peer: string, plaintext: Buffer): Promise<{ type: 'pkmsg' | 'msg'; ciphertext: Buffer }> {
    const { type, body } = await new libsignal.SessionCipher(this, this.address(peer)).encrypt(plaintext);
    return { type: type === 3 ? 'pkmsg' : 'msg', ciphertext: Buffer.from(body) };
  }

  async decrypt(peer: string, type: string, ciphertext: Buffer): Promise<Buffer> {
    const cipher = new libsignal.SessionCipher(this, this.address(peer));
    if (type === 'pkmsg') return cipher.decryptPreKeyWhisperMessage(ciphertext);
    if (type === 'msg') return this.decryptWhisper(peer, cipher as unknown as WhisperCipher, ciphertext);
    throw new Error(`unsupported enc type "${type}"`);
  }

  /**
   * A `msg`, tried on every session in the record (most recently used first), each try on a fresh
   * copy of the record: libsignal's own decryptWhisperMessage tries them on one copy and stores it
   * after the first success, with the ratchets of the sessions that failed moved (the open session
   * of a fresh start broken by an answer that came on the older one). A phone keeps them intact.
   */
  private decryptWhisper(peer: string, cipher: WhisperCipher, ciphertext: Buffer): Promise<Buffer> {
    const id = this.address(peer).toString();
    return queueJob(id, async () => {
      const data = this.sessions.get(id);
      if (data === undefined) throw new Error('No session record');
      const copy = () => quiet(libsignal.SessionRecord.deserialize(data)) as SignalSessionRecord & { sessions: Record<string, { indexInfo: { used?: number } }>; removeOldSessions(): void; serialize(): unknown };
      const keys = Object.entries(copy().sessions)
        .sort(([, a], [, b]) => (b.indexInfo.used ?? 0) - (a.indexInfo.used ?? 0))
        .map(([k]) => k);
      for (const key of keys) {
        const record = copy();
        const session = record.sessions[key]!;
        try {
          const plain = await cipher.doDecryptWhisperMessage(ciphertext, session);
          session.indexInfo.used = Date.now();
          record.removeOldSessions();
          this.sessions.set(id, record.serialize());
          return plain;
        } catch {
          /* the next session */
        }
      }
      throw new Error('No matching sessions found for message');
    });
  }

  senderKey(group: string): { key: SenderKey; heldBy: Set<string> } {
    let k = this.senderKeys.get(group);
    if (!k) {
      k = { key: new SenderKey(), heldBy: new Set() };
      this.senderKeys.set(group, k);
    }
    return k;
  }

  learnSenderKey(group: string, peer: string, distribution: Uint8Array): void {
    this.receivers.set(`${group}|${peer}`, SenderKeyReceiver.fromDistribution(distribution));
  }

  senderKeyOf(group: string, peer: string): SenderKeyReceiver | undefined {
    return this.receivers.get(`${group}|${peer}`);
  }

  // ---- libsignal storage ------------------------------------------------------------------

  async loadSession(id: string) {
    const data = this.sessions.get(id);
    return data === undefined ? undefined : quiet(libsignal.SessionRecord.deserialize(data));
  }
  async storeSession(id: string, record: SignalSessionRecord) {
    this.sessions.set(id, (record as SignalSessionRecord & { serialize(): unknown }).serialize());
  }
  isTrustedIdentity(): boolean {
    return true; // a bot that changed its identity (a re-pairing) is trusted, as WhatsApp does after a notice
  }
  async loadPreKey(id: number | string) {
    return this.preKeys.get(Number(id));
  }
  removePreKey(id: number) {
    this.preKeys.delete(id);
  }
  loadSignedPreKey() {
    return this.signed.keyPair;
  }
  getOurRegistrationId() {
    return this.registrationId;
  }
  getOurIdentity() {
    return this.identity;
  }
}

/**
 * libsignal prints every session it closes or drops (the whole session, keys included) on stdout;
 * a simulated party closes one each time a bot starts a fresh session, which would flood the
 * output of a run. Ours do it silently, by the same rules (mark it closed now, once; beyond 40
 * sessions in a record, drop the one closed longest ago).
 */
function quiet(record: SignalSessionRecord): SignalSessionRecord {
  type Entry = { indexInfo: { closed: number } };
  const r = record as SignalSessionRecord & { sessions: Record<string, Entry>; isClosed(s: unknown): boolean; closeSession(s: unknown): void; removeOldSessions(): void };
  r.closeSession = (session: Entry) => {
    if (!r.isClosed(session)) session.indexInfo.closed = Date.now();
  };
  r.removeOldSessions = () => {
    while (Object.keys(r.sessions).length > MAX_SESSIONS) {
      const closed = Object.entries(r.sessions).filter(([, s]) => s.indexInfo.closed !== -1);
      if (!closed.length) return;
      const [oldest] = closed.reduce((a, b) => (b[1].indexInfo.closed < a[1].indexInfo.closed ? b : a));
      delete r.sessions[oldest];
    }
  };
  return record;
}

/** libsignal's bound on the sessions a record keeps (CLOSED_SESSIONS_MAX in session_record.js). */
const MAX_SESSIONS = 40;
