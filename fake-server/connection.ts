/**
 * One client connection: Noise handshake, then login or registration, then the stanzas Baileys
 * sends after login, and the server moves applied to it. A protocol error closes this connection
 * only and is recorded; it never reaches the rest of the server.
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { Clock } from '../core/clock.js';
import { NoiseResponder, type NoiseTransport, type ServerIdentity } from './crypto/noise.js';
import type { Device, DeviceRegistry } from './devices.js';
import type { EventLog, ServerEventType } from './events.js';
import type { AdmissionPolicy, ServerMove } from './moves.js';
import { moveModule } from './moves/index.js';
import type { MoveHands } from './moves/move.js';
import { childNode, childNodes, decodeBinaryNode, describeNode, encodeBinaryNode, S_WHATSAPP_NET, type BinaryNode } from './protocol/binary-node.js';
import { encodeFrame, FrameReader } from './protocol/framing.js';
import type { ClientPayload } from './protocol/messages.js';
import type { TokenDictionary } from './protocol/tokens.js';
import type { PairingQr, SimulatedPhone } from './phone.js';
import type { MessagingLink } from './messaging/link.js';
import type { MessageService } from './messaging/service.js';

export { S_WHATSAPP_NET };

/** What a connection needs from the server that owns it. */
export interface ConnectionContext {
  clock: Clock;
  events: EventLog;
  identity: ServerIdentity;
  dictionary: TokenDictionary;
  devices: DeviceRegistry;
  /** Chat messages: the connection hands it keys, queries, stanzas and its open (messaging/). */
  messaging: MessageService;
  admission(): AdmissionPolicy;
  /** Makes `ref` findable by a QR scan; returns a function that forgets it. */
  registerRefs(refs: string[], conn: Connection): void;
  forgetRefs(conn: Connection): void;
  /** The lid user for a phone number (stable per number). */
  lidFor(user: string): string;
  /** A device logged in on `conn`: older connections of the same device are replaced (440), as WhatsApp does. */
  onLogin(conn: Connection): void;
  onClosed(conn: Connection): void;
  /** Time spent handling client frames (protocol work, including the writes it makes). */
  stats: { handlerMs: number; writeMs: number; meter: () => number };
}

export type ConnectionPhase = 'hello' | 'finish' | 'authenticated' | 'closing' | 'closed';

export interface ConnectionInfo {
  id: number;
  phase: ConnectionPhase;
  kind?: 'login' | 'registration';
  jid?: string;
  open: boolean;
  silenced: boolean;
  remote: string;
  acceptedAt: number;
  /** The client label from its URL, if it had one. */
  client?: string;
}

/** How long the server waits for a client to close after a stream error before dropping it. */
const CLOSE_GRACE_MS = 1000;
const QR_REF_COUNT = 6;

export class Connection implements MessagingLink {
  phase: ConnectionPhase = 'hello';
  kind: 'login' | 'registration' | undefined;
  device: Device | undefined;
  open = false;
  silenced = false;
  readonly acceptedAt: number;

  private readonly reader = new FrameReader();
  private noise: NoiseResponder | undefined;
  private transport: NoiseTransport | undefined;
  private clientStatic: Buffer | undefined;
  private registration: ClientPayload['registration'];
  private readonly timers = new Set<NodeJS.Timeout>();
  private pendingPairing: { iqId: string; phone: SimulatedPhone; qr: PairingQr; device: Device } | undefined;
  private iqCounter = 0;
  /** The close code the server's last move implies (what the client is told), for the `closed` event. */
  private sentCode: number | undefined;

  constructor(
    readonly id: number,
    private readonly ws: WebSocket,
    private readonly socket: Socket,
    private readonly ctx: ConnectionContext,
    /** The client label from the URL (`?chaos-client=`), recorded on every event of this connection. */
    readonly client?: string,
  ) {
    this.acceptedAt = ctx.clock.now();
    ws.on('message', (data: Buffer, isBinary: boolean) => this.onMessage(isBinary ? data : Buffer.from(data)));
    ws.on('close', (code: number) => this.finalize(`ws-close ${code}`));
    ws.on('error', (err: Error) => this.protocolError(`websocket: ${err.message}`));
    socket.on('close', () => this.finalize('tcp-close'));
    this.record('ws-open', { remote: this.remote });
  }

  get remote(): string {
    return `${this.socket.remoteAddress}:${this.socket.remotePort}`;
  }

  /** Timers still pending: zero once closed (checked by the fuzz test for leaks). */
  get pendingTimers(): number {
    return this.timers.size;
  }

  info(): ConnectionInfo {
    return {
      id: this.id,
      phase: this.phase,
      ...(this.kind ? { kind: this.kind } : {}),
      ...(this.device ? { jid: this.device.jid } : {}),
      open: this.open,
      silenced: this.silenced,
      remote: this.remote,
      acceptedAt: this.acceptedAt,
      ...(this.client !== undefined ? { client: this.client } : {}),
    };
  }

  /** False once closing or closed (messaging checks it before a late write). */
  alive(): boolean {
    return !this.finished();
  }

  record(type: ServerEventType, detail?: Record<string, unknown>): void {
    this.ctx.events.record(type, this.id, { ...(this.device ? { jid: this.device.jid } : {}), ...(this.client !== undefined ? { client: this.client } : {}), ...(detail ? { detail } : {}) });
  }

  later(ms: number, fn: () => void): void {
    if (this.phase === 'closed') return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (this.phase !== 'closed') fn();
    }, ms);
    this.timers.add(t);
  }

  serverSeconds(): string {
    return String(Math.floor((this.ctx.clock.wallNow() + this.ctx.admission().serverClockOffsetMs) / 1000));
  }

  // ---- inbound ----------------------------------------------------------------------------

  private onMessage(data: Buffer): void {
    if (this.finished()) return;
    const started = this.ctx.stats.meter();
    try {
      const frames = this.reader.push(data);
      for (const frame of frames) {
        if (this.finished()) return;
        this.onFrame(frame);
      }
    } catch (err) {
      this.protocolError((err as Error).message);
    } finally {
      this.ctx.stats.handlerMs += this.ctx.stats.meter() - started;
    }
  }

  private finished(): boolean {
    return this.phase === 'closed' || this.phase === 'closing';
  }

  private onFrame(frame: Buffer): void {
    const admission = this.ctx.admission();
    switch (this.phase) {
      case 'hello': {
        if (admission.closeMidHandshake) {
          this.record('fault-applied', { admission: 'closeMidHandshake' });
          this.closeNow('close mid-handshake');
          return;
        }
        if (admission.silentHandshake) {
          this.record('fault-applied', { admission: 'silentHandshake' });
          this.silenced = true;
          this.phase = 'finish';
          return;
        }
        this.noise = new NoiseResponder(this.ctx.identity, this.reader.introSeen!.waHeader);
        this.send(this.noise.respondToHello(frame));
        this.phase = 'finish';
        return;
      }
      case 'finish': {
        if (this.silenced) return;
        const { clientStatic, payload, transport } = this.noise!.acceptFinish(frame);
        this.transport = transport;
        this.clientStatic = clientStatic;
        this.noise = undefined;
        this.phase = 'authenticated';
        this.record('handshake-done');
        this.afterHandshake(payload, admission);
        return;
      }
      case 'authenticated': {
        if (this.silenced) return;
        const node = decodeBinaryNode(this.transport!.decrypt(frame), this.ctx.dictionary);
        this.onNode(node);
        return;
      }
    }
  }

  private afterHandshake(payload: ClientPayload, admission: AdmissionPolicy): void {
    const delay = admission.postHandshakeDelayMs;
    if (payload.registration) {
      this.kind = 'registration';
      this.registration = payload.registration;
      this.record('registration');
      this.afterDelay(delay, () => this.sendPairDevice());
      return;
    }
    this.kind = 'login';
    const user = payload.username?.toString();
    const device = user === undefined ? undefined : this.ctx.devices.find(user, payload.device ?? 0);
    const known = device && !device.removed && device.noisePublic.equals(this.clientStatic!);
    if (device && known) this.device = device;
    this.record('login', { user, device: payload.device, known: !!known, passive: payload.passive, pull: payload.pull, ...(payload.appVersion ? { appVersion: payload.appVersion } : {}) });
    if (known) this.ctx.onLogin(this);
    if (!known) {
      this.record('login-refused', { reason: 401, why: device ? (device.removed ? 'device removed' : 'noise key mismatch') : 'unknown device' });
      this.afterDelay(delay, () => this.failAndClose(401));
      return;
    }
    if (admission.refuseLogin) {
      this.record('login-refused', { reason: admission.refuseLogin, why: 'admission policy' });
      this.afterDelay(delay, () => this.failAndClose(admission.refuseLogin!));
      return;
    }
    if (admission.withholdSuccess) {
      this.record('success-withheld');
      return;
    }
    this.afterDelay(delay, () => {
      this.sendNode({ tag: 'success', attrs: { t: this.serverSeconds(), lid: this.device!.lid, props: '0', location: 'chaos', creation: this.serverSeconds() } });
      this.record('success-sent');
    });
  }

  private afterDelay(ms: number, fn: () => void): void {
    if (ms <= 0) fn();
    else
      this.later(ms, () => {
        const started = this.ctx.stats.meter();
        fn();
        this.ctx.stats.handlerMs += this.ctx.stats.meter() - started;
      });
  }

  private onNode(node: BinaryNode): void {
    if (node.tag === 'iq') return this.onIq(node);
    this.record('stanza', { node: describeNode(node) });
    if (node.tag === 'message' || node.tag === 'receipt' || node.tag === 'ack') this.ctx.messaging.onStanza(this, node);
  }

  private onIq(iq: BinaryNode): void {
    const { id, type, xmlns } = iq.attrs;
    if (type === 'result' || type === 'error') {
      if (this.pendingPairing && id === this.pendingPairing.iqId) return this.finishPairing(iq);
      this.record('iq', { type, id });
      return;
    }
    const first = childNodes(iq)[0];
    let content: BinaryNode[] | undefined;
    if (xmlns === 'w:p') {
      this.record('ping');
    } else if (xmlns === 'encrypt' && first?.tag === 'count') {
      content = [{ tag: 'count', attrs: { value: String(this.device?.preKeyCount ?? 0) } }];
    } else if (xmlns === 'encrypt' && first?.tag === 'digest') {
      content = [{ tag: 'digest', attrs: {} }];
    } else if (xmlns === 'encrypt' && type === 'set' && childNode(iq, 'list')) {
      if (this.device) this.device.preKeyCount += childNodes(childNode(iq, 'list')).length;
      this.ctx.messaging.onKeyUpload(this, iq);
    } else if (xmlns === 'encrypt' && type === 'get' && first?.tag === 'key') {
      content = this.ctx.messaging.answerKeyRequest(this, iq);
    } else if (xmlns === 'usync' && first?.tag === 'usync') {
      content = this.ctx.messaging.answerUsync(this, iq);
    } else if (xmlns === 'privacy' && type === 'get' && first?.tag === 'privacy') {
      content = this.ctx.messaging.answerPrivacy();
    } else if (xmlns === 'w:g2' && type === 'get' && first?.tag === 'query') {
      content = this.ctx.messaging.answerGroup(iq.attrs.to);
    }
    if (xmlns !== 'w:p') this.record('iq', { type, xmlns, child: first?.tag });
    this.sendNode({ tag: 'iq', attrs: { id: id ?? '', type: 'result', from: S_WHATSAPP_NET }, ...(content ? { content } : {}) });
    if (xmlns === 'passive' && first?.tag === 'active' && !this.open) {
      this.open = true;
      this.record('open');
      // Queued messages first; the offline marker follows their receipts (messaging/inbound.ts).
      this.ctx.messaging.onOpen(this);
    }
  }

  // ---- pairing ----------------------------------------------------------------------------

  private sendPairDevice(): void {
    const refs = Array.from({ length: QR_REF_COUNT }, () => `2@${randomBytes(24).toString('base64')}`);
    this.ctx.registerRefs(refs, this);
    this.sendNode({
      tag: 'iq',
      attrs: { id: this.nextIqId(), type: 'set', from: S_WHATSAPP_NET, xmlns: 'md' },
      content: [{ tag: 'pair-device', attrs: {}, content: refs.map((r) => ({ tag: 'ref', attrs: {}, content: Buffer.from(r) })) }],
    });
    this.record('pair-device-sent', { refs: refs.length });
  }

  /** Called by the server when the simulated phone scanned a QR whose ref is ours. */
  acceptScan(qr: PairingQr, phone: SimulatedPhone, device: Device): void {
    if (this.phase !== 'authenticated' || this.kind !== 'registration' || !this.registration) {
      throw new Error(`connection ${this.id} is not waiting for a QR scan (phase ${this.phase})`);
    }
    if (!qr.noisePublic.equals(this.clientStatic!) || !qr.identityPublic.equals(this.registration.identityKey)) {
      throw new Error(`the QR's keys do not match connection ${this.id}'s registration`);
    }
    const { deviceIdentity } = phone.vouchFor(qr.identityPublic, qr.advSecret, this.ctx.clock.wallNow() / 1000);
    const iqId = this.nextIqId();
    this.pendingPairing = { iqId, phone, qr, device };
    this.record('qr-scanned', { jid: device.jid });
    this.sendNode({
      tag: 'iq',
      attrs: { id: iqId, type: 'set', from: S_WHATSAPP_NET, t: this.serverSeconds() },
      content: [
        {
          tag: 'pair-success',
          attrs: {},
          content: [
            { tag: 'device-identity', attrs: {}, content: deviceIdentity },
            { tag: 'platform', attrs: { name: 'android' } },
            { tag: 'device', attrs: { jid: device.jid, lid: device.lid } },
          ],
        },
      ],
    });
  }

  private finishPairing(reply: BinaryNode): void {
    const pending = this.pendingPairing!;
    this.pendingPairing = undefined;
    const signed = childNode(childNode(reply, 'pair-device-sign'), 'device-identity')?.content;
    if (!(signed instanceof Uint8Array) || !pending.phone.checkDeviceSignature(pending.qr.identityPublic, signed)) {
      this.record('protocol-error', { error: 'pair-device-sign missing or its device signature is invalid' });
      this.failAndClose(401);
      return;
    }
    this.ctx.devices.add(pending.device);
    this.ctx.forgetRefs(this);
    this.device = pending.device;
    this.record('paired', { jid: pending.device.jid });
    // What real WhatsApp does next: ask the new companion to restart and log in.
    this.applyMove({ kind: 'stream-error', code: 515 });
  }

  // ---- outbound and moves -----------------------------------------------------------------

  private nextIqId(): string {
    return `chaos-${this.id}-${++this.iqCounter}`;
  }

  private send(payload: Uint8Array): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    const frame = encodeFrame(payload);
    const started = this.ctx.stats.meter();
    this.ws.send(frame);
    this.ctx.stats.writeMs += this.ctx.stats.meter() - started;
  }

  sendNode(node: BinaryNode): void {
    if (!this.transport || this.silenced || this.phase === 'closed') return;
    this.send(this.transport.encrypt(encodeBinaryNode(node)));
  }

  applyMove(move: ServerMove): void {
    if (this.phase === 'closed') return;
    this.record(move.kind === 'resume' ? 'fault-cleared' : 'fault-applied', { move });
    const m = moveModule(move.kind);
    this.sentCode = m?.closeCode?.(move) ?? this.sentCode;
    m?.act(this.hands, move);
  }

  /** What a move (moves/) may do to this connection. */
  private readonly hands: MoveHands = {
    silence: (on) => {
      this.silenced = on;
    },
    sendAndClose: (node) => this.sendAndClose(node),
    failAndClose: (reason) => this.failAndClose(reason),
    closeNow: (why) => this.closeNow(why),
    drop: () => {
      this.socket.destroy();
      this.finalize('dropped');
    },
    removeDevice: () => {
      if (this.device) this.device.removed = true;
    },
  };

  private failAndClose(reason: number): void {
    this.sentCode = reason;
    this.sendAndClose({ tag: 'failure', attrs: { reason: String(reason), location: 'chaos' } });
  }

  /** Sends a final stanza even when silenced, then waits for the client to close (or drops it). */
  private sendAndClose(node: BinaryNode): void {
    if (this.transport) {
      this.silenced = false;
      this.sendNode(node);
    }
    this.phase = 'closing';
    this.later(CLOSE_GRACE_MS, () => this.ws.terminate());
  }

  private closeNow(why: string): void {
    this.phase = 'closing';
    this.ws.close(1000, why);
    this.later(CLOSE_GRACE_MS, () => this.ws.terminate());
  }

  private protocolError(message: string): void {
    if (this.phase === 'closed') return;
    this.record('protocol-error', { error: message });
    this.ws.terminate();
    this.finalize('protocol-error');
  }

  private finalize(why: string): void {
    if (this.phase === 'closed') return;
    const wasOpen = this.open;
    this.phase = 'closed';
    this.open = false;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.pendingPairing = undefined;
    if (!this.socket.destroyed) this.socket.destroy();
    this.record('closed', { why, wasOpen, ...(this.sentCode !== undefined ? { code: this.sentCode } : {}) });
    this.ctx.onClosed(this);
  }
}
