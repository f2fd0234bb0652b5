/**
 * A simulated WhatsApp device with real Signal state: an identity, registration id, signed pre-key
 * and one-time pre-keys, and an in-memory libsignal store with one session per bot device, used in
 * both directions (what it encrypts to the bot, what it decrypts from the bot).
 */
import { SenderKey, SenderKeyReceiver } from './sender-key.js';
import { libsignal, withoutKeyType, type SignalBundle, type SignalKeyPair, type SignalSessionRecord, type SignalStorage } from './signal.js';

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
  private readonly sessions = new Map<string, SignalSessionRecord>();
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
    return !!this.sessions.get(this.address(peer).toString())?.haveOpenSession();
  }

  /** Forgets the session with a peer (the next encrypt starts a fresh one from its bundle). */
  dropSession(peer: string): void {
    this.sessions.delete(this.address(peer).toString());
  }

  /** Starts a fresh outgoing session with a peer from its bundle. */
  async startSession(peer: string, bundle: SignalBundle): Promise<void> {
    this.dropSession(peer);
    await new libsignal.SessionBuilder(this, this.address(peer)).initOutgoing(bundle);
  }

  /**
   * Marks the open session as established (the peer proved it decrypted our pre-key message by
   * receipting it): later messages go as `msg`, as WhatsApp's do once a session is confirmed.
   */
  confirmSession(peer: string): void {
    const open = this.sessions.get(this.address(peer).toString())?.getOpenSession();
    if (open) delete open.pendingPreKey;
  }

  async encrypt(peer: string, plaintext: Buffer): Promise<{ type: 'pkmsg' | 'msg'; ciphertext: Buffer }> {
    const { type, body } = await new libsignal.SessionCipher(this, this.address(peer)).encrypt(plaintext);
    return { type: type === 3 ? 'pkmsg' : 'msg', ciphertext: Buffer.from(body) };
  }

  async decrypt(peer: string, type: string, ciphertext: Buffer): Promise<Buffer> {
    const cipher = new libsignal.SessionCipher(this, this.address(peer));
    if (type === 'pkmsg') return cipher.decryptPreKeyWhisperMessage(ciphertext);
    if (type === 'msg') return cipher.decryptWhisperMessage(ciphertext);
    throw new Error(`unsupported enc type "${type}"`);
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
    return this.sessions.get(id);
  }
  async storeSession(id: string, record: SignalSessionRecord) {
    this.sessions.set(id, quiet(record));
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
 * libsignal prints every session it closes (the whole session, keys included) on stdout; a
 * simulated party closes one each time a bot starts a fresh session, which would flood the
 * output of a run. Ours close silently, by the same rule (mark it closed now, once).
 */
function quiet(record: SignalSessionRecord): SignalSessionRecord {
  const r = record as SignalSessionRecord & { isClosed(s: unknown): boolean; closeSession(s: unknown): void };
  r.closeSession = (session: { indexInfo: { closed: number } }) => {
    if (!r.isClosed(session)) session.indexInfo.closed = Date.now();
  };
  return record;
}
