/**
 * The fake WhatsApp Web server: a WebSocket endpoint on 127.0.0.1 that the real, unmodified
 * Baileys client pairs with, logs in to and stays connected to, plus the handles tests and the
 * control API use to observe it and to make it fail.
 */
import { createServer, type Server as HttpServer, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import { systemClock, type Clock } from '../core/clock.js';
import { Connection, type ConnectionContext, type ConnectionInfo } from './connection.js';
import { generateTestRoot, issueCertChain, type TestRoot } from './crypto/certs.js';
import { generateKeyPair } from './crypto/curve.js';
import type { ServerIdentity } from './crypto/noise.js';
import { DeviceRegistry, type Device } from './devices.js';
import { EventLog } from './events.js';
import { MessageService } from './messaging/service.js';
import { DEFAULT_ADMISSION, type AdmissionPolicy, type ServerMove } from './moves.js';
import { parsePairingQr, SimulatedPhone } from './phone.js';
import { loadDefaultTokenDictionary, type TokenDictionary } from './protocol/tokens.js';

export interface FakeServerOptions {
  host?: string;
  /** 0 (default) picks an ephemeral port. */
  port?: number;
  clock?: Clock;
  admission?: Partial<AdmissionPolicy>;
  /** Reuse a test root (e.g. one a client already trusts); a new one is generated otherwise. */
  testRoot?: TestRoot;
  /**
   * Meter protocol handling in process CPU time rather than wall time (for benchmarks: wall time
   * overstates it when clients compete for the same cores; the CPU meter costs a syscall a frame).
   */
  meterHandlerCpu?: boolean;
  /**
   * The token dictionary clients compress their nodes with. Without it, the server reads one from
   * a `@whiskeysockets/baileys` (or `baileys`) package it can resolve, and fails if there is none.
   */
  dictionary?: TokenDictionary;
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

export type MoveTarget = number | 'all';

/** The query parameter that labels a client's connections (`FakeWhatsAppServer.clientUrl`). */
const CLIENT_PARAM = 'chaos-client';
const clientLabel = (path: string | undefined): string | undefined => (path ? (new URL(path, 'ws://x').searchParams.get(CLIENT_PARAM) ?? undefined) : undefined);

import { PortInUseError } from '../core/port-in-use.js';
export { PortInUseError };

export class FakeWhatsAppServer {
  readonly events: EventLog;
  readonly devices = new DeviceRegistry();
  /** Chat messages between simulated contacts and the bots (messaging/service.ts). */
  readonly messages: MessageService;
  readonly testRoot: TestRoot;
  readonly clock: Clock;
  private readonly identity: ServerIdentity;
  private admissionPolicy: AdmissionPolicy;
  private readonly connections = new Map<number, Connection>();
  private readonly refs = new Map<string, Connection>();
  private readonly phones = new Map<string, SimulatedPhone>();
  private readonly sockets = new Set<Socket>();
  private nextConnId = 0;
  private readonly handlerStats: { handlerMs: number; writeMs: number; meter: () => number };
  private nextPhone = 15550000000;
  private http: HttpServer | undefined;
  private wss: WebSocketServer | undefined;
  private boundPort = 0;

  private constructor(
    private readonly dictionary: TokenDictionary,
    private readonly options: FakeServerOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.events = new EventLog(this.clock);
    this.messages = new MessageService({
      events: this.events,
      devices: this.devices,
      lidFor: (user) => this.lidFor(user),
      openLinks: (jid) => [...this.connections.values()].filter((c) => c.open && c.alive() && c.device?.jid === jid),
      wallSeconds: () => String(Math.floor((this.clock.wallNow() + this.admissionPolicy.serverClockOffsetMs) / 1000)),
    });
    this.testRoot = options.testRoot ?? generateTestRoot();
    const staticKey = generateKeyPair();
    this.identity = {
      staticKey,
      certChain: issueCertChain(this.testRoot, staticKey.public, this.clock.wallNow() / 1000),
    };
    this.admissionPolicy = { ...DEFAULT_ADMISSION, ...options.admission };
    this.handlerStats = { handlerMs: 0, writeMs: 0, meter: options.meterHandlerCpu ? cpuMs : () => this.clock.now() };
  }

  static async start(options: FakeServerOptions = {}): Promise<FakeWhatsAppServer> {
    const server = new FakeWhatsAppServer(options.dictionary ?? (await loadDefaultTokenDictionary()), options);
    await server.listen(options.port ?? 0);
    return server;
  }

  get host(): string {
    return this.options.host ?? '127.0.0.1';
  }
  get port(): number {
    return this.boundPort;
  }
  /** The URL to give Baileys as `waWebSocketUrl`. */
  get wsUrl(): string {
    return `ws://${this.host}:${this.boundPort}/ws/chat`;
  }
  /** A URL of this server's (or a proxy's) labelled for one client: its every connection carries the label. */
  static clientUrl(wsUrl: string, client: string | number): string {
    const url = new URL(wsUrl);
    url.searchParams.set(CLIENT_PARAM, String(client));
    return url.href;
  }
  /** The test root's public key: what a client must trust (`trustTestRoot`). */
  get trustedPublicKey(): Buffer {
    return this.testRoot.keyPair.public;
  }

  admission(): AdmissionPolicy {
    return this.admissionPolicy;
  }

  /** Changes how connections arriving from now on are treated. */
  setAdmission(change: Partial<AdmissionPolicy>): AdmissionPolicy {
    this.admissionPolicy = { ...this.admissionPolicy, ...change };
    this.events.record('fault-applied', null, { detail: { admission: change } });
    return this.admissionPolicy;
  }

  resetAdmission(): void {
    this.admissionPolicy = { ...DEFAULT_ADMISSION, ...this.options.admission };
    this.events.record('fault-cleared', null, { detail: { admission: 'reset' } });
  }

  listConnections(filter: { live?: boolean } = {}): ConnectionInfo[] {
    return [...this.connections.values()].filter((c) => !filter.live || c.phase !== 'closed').map((c) => c.info());
  }

  /**
   * Counters for benchmarks: connections accepted, time in protocol handling, and the part of it
   * spent handing frames to the socket (a system call each, costly in sandboxes).
   */
  stats(): { connectionsAccepted: number; protocolHandlerMs: number; socketWriteMs: number } {
    return { connectionsAccepted: this.nextConnId, protocolHandlerMs: this.handlerStats.handlerMs, socketWriteMs: this.handlerStats.writeMs };
  }

  /** TCP sockets the server holds open (every accepted socket until it closes). */
  openSockets(): number {
    return this.sockets.size;
  }

  /** Timers still pending on all connections (0 when nothing is in flight). */
  pendingTimers(): number {
    let n = 0;
    for (const c of this.connections.values()) n += c.pendingTimers;
    return n;
  }

  /** Applies a move to one connection or all live ones; returns how many it reached. */
  apply(move: ServerMove, target: MoveTarget = 'all'): number {
    if (target === 'all') {
      const live = [...this.connections.values()];
      for (const c of live) c.applyMove(move);
      return live.length;
    }
    const conn = this.connections.get(target);
    if (!conn) throw new Error(`Failed to apply ${move.kind}: no live connection ${target}. List them with listConnections() or GET /connections.`);
    conn.applyMove(move);
    return 1;
  }

  /** The simulated phone for a number (created on first use). */
  phone(phoneNumber?: string): SimulatedPhone {
    const number = phoneNumber ?? String(++this.nextPhone);
    let phone = this.phones.get(number);
    if (!phone) {
      phone = new SimulatedPhone(number);
      this.phones.set(number, phone);
    }
    return phone;
  }

  /** A new device record for a phone (not yet registered). */
  newDevice(phone: SimulatedPhone, keys: { noisePublic: Buffer; identityPublic: Buffer }): Device {
    const user = phone.phoneNumber;
    const device = this.devices.allocateDeviceNumber(user);
    return {
      jid: `${user}:${device}@s.whatsapp.net`,
      lid: `${this.lidFor(user)}:${device}@lid`,
      user,
      device,
      noisePublic: keys.noisePublic,
      identityPublic: keys.identityPublic,
      preKeyCount: 0,
      createdAt: this.clock.now(),
    };
  }

  lidFor(user: string): string {
    return String(BigInt(user) + 200_000_000_000_000n);
  }

  /**
   * The simulated phone scans a QR the client showed: the server sends `pair-success` on the
   * connection that issued the QR's ref. Resolves with the device's JID once the client signed.
   */
  async scanQr(qr: string, opts: { phoneNumber?: string; timeoutMs?: number } = {}): Promise<string> {
    const parsed = parsePairingQr(qr);
    const conn = this.refs.get(parsed.ref);
    if (!conn) throw new Error('Failed to scan the QR: its ref belongs to no live connection waiting for pairing. Scan the newest QR the client printed.');
    const phone = this.phone(opts.phoneNumber);
    const device = this.newDevice(phone, { noisePublic: parsed.noisePublic, identityPublic: parsed.identityPublic });
    conn.acceptScan(parsed, phone, device);
    const paired = await this.events.waitFor(
      (e) => e.conn === conn.id && (e.type === 'paired' || e.type === 'closed'),
      opts.timeoutMs ?? 10_000,
      `the client on connection ${conn.id} to confirm pairing`,
    );
    if (paired.type !== 'paired') throw new Error(`Failed to pair: connection ${conn.id} closed before it confirmed the pairing.`);
    return device.jid;
  }

  /** Drops every connection and listens again on the same port (a server restart). */
  async restart(): Promise<void> {
    this.events.record('fault-applied', null, { detail: { restart: true } });
    await this.stopListening();
    await this.listen(this.boundPort);
    this.events.record('fault-cleared', null, { detail: { restart: true } });
  }

  async close(): Promise<void> {
    await this.stopListening();
  }

  // ---- internals --------------------------------------------------------------------------

  private context(): ConnectionContext {
    return {
      clock: this.clock,
      events: this.events,
      identity: this.identity,
      dictionary: this.dictionary,
      devices: this.devices,
      messaging: this.messages,
      admission: () => this.admissionPolicy,
      registerRefs: (refs, conn) => refs.forEach((r) => this.refs.set(r, conn)),
      forgetRefs: (conn) => this.forgetRefs(conn),
      lidFor: (user) => this.lidFor(user),
      stats: this.handlerStats,
      onLogin: (conn) => {
        for (const other of this.connections.values()) {
          if (other !== conn && other.device?.jid === conn.device?.jid && other.phase === 'authenticated') {
            this.events.record('stanza', other.id, { jid: other.device!.jid, detail: { replacedBy: conn.id } });
            other.applyMove({ kind: 'conflict' });
          }
        }
      },
      onClosed: (conn) => {
        this.forgetRefs(conn);
        this.connections.delete(conn.id);
        this.messages.onClosed(conn);
      },
    };
  }

  private forgetRefs(conn: Connection): void {
    for (const [ref, c] of this.refs) if (c === conn) this.refs.delete(ref);
  }

  private listen(port: number): Promise<void> {
    const http = createServer((req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain' }).end('This is a fake WhatsApp Web endpoint: connect with a WebSocket.\n');
    });
    const wss = new WebSocketServer({ noServer: true, maxPayload: 8 * 1024 * 1024 });
    const ctx = this.context();
    http.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined); // the connection records its own errors
      this.events.record('tcp-accepted', null, { detail: { remote: `${socket.remoteAddress}:${socket.remotePort}` } });
    });
    http.on('upgrade', (req, socket, head) => {
      const client = clientLabel(req.url);
      const status = this.admissionPolicy.rejectUpgrade;
      if (status) {
        this.events.record('upgrade-rejected', null, { ...(client !== undefined ? { client } : {}), detail: { status } });
        socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Rejected'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        const id = ++this.nextConnId;
        this.connections.set(id, new Connection(id, ws, socket as Socket, ctx, client));
      });
    });
    this.http = http;
    this.wss = wss;
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        this.http = undefined;
        if (err.code === 'EADDRINUSE') {
          reject(new PortInUseError(`Failed to start the fake server: ${this.host}:${port} is already in use. Pick another --port, or 0 for an ephemeral one.`));
        } else reject(err);
      };
      http.once('error', onError);
      http.listen(port, this.host, () => {
        http.off('error', onError);
        const addr = http.address();
        this.boundPort = typeof addr === 'object' && addr ? addr.port : port;
        resolve();
      });
    });
  }

  private async stopListening(): Promise<void> {
    const http = this.http;
    if (!http) return;
    this.http = undefined;
    for (const c of [...this.connections.values()]) c.applyMove({ kind: 'drop' });
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    this.wss?.close();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  }
}
