/**
 * A bare protocol initiator for the fuzz test and the benchmark's "server work isolated"
 * measurement: it performs the Noise handshake and login with the server's own primitives, so
 * the cost it adds is tiny and known. It is a test tool for the *server*; the client under test
 * is always real Baileys.
 */
import WebSocket from 'ws';
import { generateKeyPair, sharedKey, type KeyPair, type PreparedKeyPair } from '../../fake-server/crypto/curve.js';
import { NoiseTransport, SymmetricState } from '../../fake-server/crypto/noise.js';
import type { Device } from '../../fake-server/devices.js';
import { encodeFrame, FrameReader } from '../../fake-server/protocol/framing.js';
import { decodeFields, getBytes, ProtobufWriter } from '../../fake-server/protocol/protobuf.js';
import type { FakeWhatsAppServer } from '../../fake-server/server.js';

export const WA_HEADER = Buffer.from([87, 65, 6, 3]);

export function clientHello(ephemeral: Uint8Array): Buffer {
  return new ProtobufWriter().bytes(2, new ProtobufWriter().bytes(1, ephemeral).finish()).finish();
}

/** A device registered with the server for a raw client to log in as. */
export function registerRawDevice(server: FakeWhatsAppServer): { device: Device; noiseKey: KeyPair } {
  const noiseKey = generateKeyPair();
  const device = server.newDevice(server.phone(), { noisePublic: noiseKey.public, identityPublic: generateKeyPair().public });
  device.preKeyCount = 100;
  server.devices.add(device);
  return { device, noiseKey };
}

export class RawClient {
  readonly reader = new FrameReader();
  transport: NoiseTransport | undefined;
  private inbox: Buffer[] = [];
  private waiters: ((f: Buffer) => void)[] = [];
  closed: Promise<void>;

  private constructor(readonly ws: WebSocket) {
    // The server sends no intro: prime the reader as if it had.
    this.reader.push(WA_HEADER);
    ws.on('message', (data: Buffer) => {
      for (const f of this.reader.push(data)) {
        const w = this.waiters.shift();
        if (w) w(f);
        else this.inbox.push(f);
      }
    });
    ws.on('error', () => undefined);
    this.closed = new Promise((resolve) => ws.once('close', () => resolve()));
  }

  static open(url: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.once('open', () => resolve(new RawClient(ws)));
      ws.once('error', reject);
    });
  }

  nextFrame(timeoutMs = 5000): Promise<Buffer> {
    const f = this.inbox.shift();
    if (f) return Promise.resolve(f);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no frame from the server')), timeoutMs);
      this.waiters.push((frame) => {
        clearTimeout(t);
        resolve(frame);
      });
    });
  }

  send(bytes: Uint8Array): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(bytes);
  }

  /** Sends the intro and ClientHello; returns the symmetric state and ServerHello fields. */
  async hello(): Promise<{ state: SymmetricState; ephemeral: PreparedKeyPair; serverEphemeral: Buffer; encStatic: Buffer; encPayload: Buffer }> {
    const state = new SymmetricState();
    state.mixHash(WA_HEADER);
    const ephemeral = generateKeyPair();
    state.mixHash(ephemeral.public);
    this.send(Buffer.concat([WA_HEADER, encodeFrame(clientHello(ephemeral.public))]));
    const sh = getBytes(decodeFields(await this.nextFrame()), 3)!;
    const f = decodeFields(sh);
    return { state, ephemeral, serverEphemeral: Buffer.from(getBytes(f, 1)!), encStatic: Buffer.from(getBytes(f, 2)!), encPayload: Buffer.from(getBytes(f, 3)!) };
  }

  /** Completes the handshake and logs in as `device` with `noiseKey`. */
  async login(device: Device, noiseKey: KeyPair): Promise<void> {
    const { state, ephemeral, serverEphemeral, encStatic, encPayload } = await this.hello();
    state.mixHash(serverEphemeral);
    state.mixKey(sharedKey(ephemeral, serverEphemeral));
    const serverStatic = state.decrypt(encStatic);
    state.mixKey(sharedKey(ephemeral, serverStatic));
    state.decrypt(encPayload);
    const encKey = state.encrypt(noiseKey.public);
    state.mixKey(sharedKey(noiseKey, serverEphemeral));
    const payload = new ProtobufWriter().uint(1, BigInt(device.user)).uint(3, true).uint(18, device.device).uint(33, true).finish();
    const encLogin = state.encrypt(payload);
    const finish = new ProtobufWriter().bytes(4, new ProtobufWriter().bytes(1, encKey).bytes(2, encLogin).finish()).finish();
    this.send(encodeFrame(finish));
    const [write, read] = state.split();
    // NoiseTransport takes (decKey, encKey): the client decrypts with the responder→initiator key.
    this.transport = new NoiseTransport(read, write);
  }

  sendEncrypted(plaintext: Uint8Array): void {
    this.send(encodeFrame(this.transport!.encrypt(plaintext)));
  }

  close(): void {
    this.ws.terminate();
  }
}
