/**
 * WhatsApp's framing inside WebSocket messages: the client's very first bytes are an intro
 * (an optional `ED` routing prefix, then the 4-byte `WA` header), after which every frame is a
 * 3-byte big-endian length and its payload. Several frames may share one WebSocket message and
 * one frame may span several.
 */

export const WA_HEADER_PREFIX = Buffer.from([87, 65, 6]); // "WA", 6, then DICT_VERSION

export class FramingError extends Error {
  override name = 'FramingError';
}

export interface Intro {
  /** The 4-byte WA header, mixed into the Noise hash. */
  waHeader: Buffer;
  dictVersion: number;
  routingInfo?: Buffer;
}

/** Largest frame accepted from a client: larger lengths are an attack or garbage. */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;

export class FrameReader {
  private pending: Buffer = Buffer.alloc(0);
  private intro: Intro | undefined;

  get introSeen(): Intro | undefined {
    return this.intro;
  }

  /** Appends received bytes; returns the complete frames now available. */
  push(chunk: Uint8Array): Buffer[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : Buffer.from(chunk);
    if (!this.intro && !this.readIntro()) return [];
    const frames: Buffer[] = [];
    while (this.pending.length >= 3) {
      const size = (this.pending[0]! << 16) | (this.pending[1]! << 8) | this.pending[2]!;
      if (size > MAX_FRAME_BYTES) throw new FramingError(`frame of ${size} bytes exceeds ${MAX_FRAME_BYTES}`);
      if (this.pending.length < size + 3) break;
      frames.push(this.pending.subarray(3, size + 3));
      this.pending = this.pending.subarray(size + 3);
    }
    return frames;
  }

  private readIntro(): boolean {
    const p = this.pending;
    let offset = 0;
    let routingInfo: Buffer | undefined;
    if (p.length >= 1 && p[0] === 0x45 /* E */) {
      const expected = [0x45, 0x44, 0, 1];
      for (let i = 1; i < Math.min(p.length, 4); i++) if (p[i] !== expected[i]) throw new FramingError('malformed ED routing prefix');
      if (p.length < 7) return false;
      const len = (p[4]! << 16) | p.readUInt16BE(5);
      if (p.length < 7 + len) return false;
      routingInfo = p.subarray(7, 7 + len);
      offset = 7 + len;
    }
    if (p.length < offset + 4) {
      const have = p.subarray(offset);
      if (!WA_HEADER_PREFIX.subarray(0, have.length).equals(have.subarray(0, Math.min(have.length, 3)))) {
        throw new FramingError('connection does not start with the WA header');
      }
      return false;
    }
    const waHeader = p.subarray(offset, offset + 4);
    if (!waHeader.subarray(0, 3).equals(WA_HEADER_PREFIX)) throw new FramingError('connection does not start with the WA header');
    this.intro = { waHeader: Buffer.from(waHeader), dictVersion: waHeader[3]!, ...(routingInfo ? { routingInfo: Buffer.from(routingInfo) } : {}) };
    this.pending = p.subarray(offset + 4);
    return true;
  }
}

export function encodeFrame(payload: Uint8Array): Buffer {
  if (payload.length >= 1 << 24) throw new FramingError('frame too large for a 3-byte length');
  const out = Buffer.allocUnsafe(3 + payload.length);
  out[0] = (payload.length >> 16) & 0xff;
  out[1] = (payload.length >> 8) & 0xff;
  out[2] = payload.length & 0xff;
  out.set(payload, 3);
  return out;
}
