/**
 * One real Baileys socket pointed at the fake server, observed: every `connection.update` becomes
 * a timestamped client event. This is not a reconnect loop (that is the supervisor's job); it is
 * the thinnest honest way to drive the real client once.
 */
import { mkdir } from 'node:fs/promises';
import pino from 'pino';
import { systemClock, type Clock } from '../../core/clock.js';
import { EventStream } from '../../core/event-stream.js';
import { FileSessionStore } from '../session/file-store.js';
import type { LoadedSession, SessionStore } from '../session/store.js';
import { loadBaileys, trustTestRoot, type BaileysModule, type BaileysSocket } from './versions.js';

export type ClientEventType = 'connecting' | 'qr' | 'open' | 'close';

export interface ClientEvent {
  t: number;
  type: ClientEventType;
  /** For `close`: the DisconnectReason status code Baileys reported. */
  code?: number;
  message?: string;
  qr?: string;
}

export interface ClientOptions {
  version: string;
  wsUrl: string;
  /** The fake server's test root public key (see trustTestRoot). */
  trustedPublicKey: Uint8Array;
  /** Where the session lives: a directory for Baileys' multi-file store... */
  authDir: string;
  /** ...or any session store (overrides authDir). */
  store?: SessionStore;
  /** Start a fresh session (QR pairing) when the store is empty (default true). */
  allowNew?: boolean;
  keepAliveIntervalMs?: number;
  connectTimeoutMs?: number;
  clock?: Clock;
  /** Extra socket config, passed through to makeWASocket. */
  socketConfig?: Record<string, unknown>;
}

export class ObservedClient {
  readonly stream = new EventStream<ClientEvent>();
  private constructor(
    readonly baileys: BaileysModule,
    readonly socket: BaileysSocket,
    private readonly clock: Clock,
    private readonly session: LoadedSession,
  ) {}

  static async connect(opts: ClientOptions): Promise<ObservedClient> {
    const baileys = await loadBaileys(opts.version);
    trustTestRoot(baileys, opts.trustedPublicKey);
    if (!opts.store) await mkdir(opts.authDir, { recursive: true });
    const session = await (opts.store ?? new FileSessionStore(opts.authDir)).load(baileys, { allowNew: opts.allowNew ?? true });
    const { state, saveCreds } = session;
    const makeSocket = baileys.makeWASocket ?? baileys.default;
    const socket = makeSocket({
      waWebSocketUrl: opts.wsUrl,
      auth: state,
      logger: pino({ level: 'silent' }),
      keepAliveIntervalMs: opts.keepAliveIntervalMs ?? 30_000,
      connectTimeoutMs: opts.connectTimeoutMs ?? 20_000,
      markOnlineOnConnect: false,
      syncFullHistory: false,
      ...opts.socketConfig,
    });
    const client = new ObservedClient(baileys, socket, opts.clock ?? systemClock, session);
    socket.ev.on('creds.update', () => void saveCreds());
    socket.ev.on('connection.update', (u: { connection?: string; qr?: string; lastDisconnect?: { error?: { output?: { statusCode?: number }; message?: string } } }) => {
      if (u.qr) client.push({ type: 'qr', qr: u.qr });
      if (u.connection === 'connecting') client.push({ type: 'connecting' });
      if (u.connection === 'open') client.push({ type: 'open' });
      if (u.connection === 'close') {
        const err = u.lastDisconnect?.error;
        client.push({ type: 'close', ...(err?.output?.statusCode !== undefined ? { code: err.output.statusCode } : {}), ...(err?.message ? { message: err.message } : {}) });
      }
    });
    return client;
  }

  get events(): ClientEvent[] {
    return this.stream.list();
  }

  private push(e: Omit<ClientEvent, 't'>): void {
    this.stream.push({ t: this.clock.now(), ...e });
  }

  /** Resolves with the first event of `type` (past or future); rejects after `timeoutMs`. */
  waitFor(type: ClientEventType, timeoutMs: number): Promise<ClientEvent> {
    return this.stream.waitFor((e) => e.type === type, timeoutMs, `the client to report "${type}"`, () =>
      this.events.map((e) => e.type + (e.code ? ` ${e.code}` : '')).join(', ') || 'nothing',
    );
  }

  /**
   * Ends the socket, removes every listener and waits for the session writes still in flight
   * (Baileys saves keys asynchronously), so the auth dir can be removed safely. Idempotent.
   */
  async end(): Promise<void> {
    try {
      this.socket.end(undefined);
    } catch {
      /* already ended */
    }
    this.socket.ev.removeAllListeners();
    this.stream.clearListeners();
    await this.session.close(); // waits for the session writes still in flight
  }
}
