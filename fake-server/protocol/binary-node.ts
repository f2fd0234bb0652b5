/**
 * WhatsApp's binary XML ("binary nodes"). Decoding understands every encoding a client may use
 * (tokens, packed nibbles and hex, JID forms); encoding writes every string raw (BINARY_8/20/32),
 * which every client decodes whatever its token dictionary: the server's output does not depend
 * on the client's version.
 */
import { inflateSync } from 'node:zlib';
import type { TokenDictionary } from './tokens.js';

/** The server's own address, the `from` of what it sends. */
export const S_WHATSAPP_NET = 's.whatsapp.net';

export interface BinaryNode {
  tag: string;
  attrs: Record<string, string>;
  content?: BinaryNode[] | Uint8Array | string;
}

const TAG = {
  LIST_EMPTY: 0,
  DICTIONARY_0: 236,
  DICTIONARY_3: 239,
  INTEROP_JID: 245,
  FB_JID: 246,
  AD_JID: 247,
  LIST_8: 248,
  LIST_16: 249,
  JID_PAIR: 250,
  HEX_8: 251,
  BINARY_8: 252,
  BINARY_20: 253,
  BINARY_32: 254,
  NIBBLE_8: 255,
} as const;

/** Largest inflated frame accepted: a compressed frame cannot make the server allocate more. */
const MAX_INFLATED_BYTES = 4 * 1024 * 1024;

export class BinaryNodeError extends Error {
  override name = 'BinaryNodeError';
}

export function encodeBinaryNode(node: BinaryNode): Buffer {
  const out: number[] = [0]; // flags byte: not compressed
  const chunks: Buffer[] = [];
  const flush = () => {
    if (out.length) {
      chunks.push(Buffer.from(out));
      out.length = 0;
    }
  };
  const writeLength = (len: number) => {
    if (len < 256) out.push(TAG.BINARY_8, len);
    else if (len < 1 << 20) out.push(TAG.BINARY_20, (len >> 16) & 0x0f, (len >> 8) & 0xff, len & 0xff);
    else out.push(TAG.BINARY_32, (len >>> 24) & 0xff, (len >> 16) & 0xff, (len >> 8) & 0xff, len & 0xff);
  };
  const writeBytes = (data: Uint8Array) => {
    writeLength(data.length);
    flush();
    chunks.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  };
  const writeListStart = (size: number) => {
    if (size === 0) out.push(TAG.LIST_EMPTY);
    else if (size < 256) out.push(TAG.LIST_8, size);
    else out.push(TAG.LIST_16, (size >> 8) & 0xff, size & 0xff);
  };
  const writeNode = (n: BinaryNode) => {
    const attrs = Object.entries(n.attrs).filter(([, v]) => v !== undefined && v !== null);
    writeListStart(1 + attrs.length * 2 + (n.content === undefined ? 0 : 1));
    writeBytes(Buffer.from(n.tag, 'utf8'));
    for (const [k, v] of attrs) {
      writeBytes(Buffer.from(k, 'utf8'));
      writeBytes(Buffer.from(String(v), 'utf8'));
    }
    if (n.content === undefined) return;
    if (typeof n.content === 'string') writeBytes(Buffer.from(n.content, 'utf8'));
    else if (n.content instanceof Uint8Array) writeBytes(n.content);
    else {
      writeListStart(n.content.length);
      for (const child of n.content) writeNode(child);
    }
  };
  writeNode(node);
  flush();
  return Buffer.concat(chunks);
}

const JID_DOMAIN_SERVERS: Record<number, string> = { 0: 's.whatsapp.net', 1: 'lid', 128: 'hosted', 129: 'hosted.lid' };

export function decodeBinaryNode(frame: Uint8Array, dict: TokenDictionary): BinaryNode {
  if (frame.length < 1) throw new BinaryNodeError('empty frame');
  let buf = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength).subarray(1);
  if (frame[0]! & 2) {
    try {
      buf = inflateSync(buf, { maxOutputLength: MAX_INFLATED_BYTES });
    } catch (err) {
      throw new BinaryNodeError(`cannot inflate frame: ${(err as Error).message}`);
    }
  }
  let pos = 0;
  const byte = (): number => {
    if (pos >= buf.length) throw new BinaryNodeError('end of stream');
    return buf[pos++]!;
  };
  const bytes = (n: number): Buffer => {
    if (pos + n > buf.length) throw new BinaryNodeError('end of stream');
    const b = buf.subarray(pos, pos + n);
    pos += n;
    return b;
  };
  const int = (n: number): number => {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + byte();
    return v;
  };
  const int20 = () => ((byte() & 0x0f) << 16) | (byte() << 8) | byte();
  const packed = (tag: number): string => {
    const start = byte();
    let s = '';
    const unpack = (v: number): string => {
      if (tag === TAG.HEX_8) {
        if (v < 10) return String(v);
        return String.fromCharCode(65 + v - 10);
      }
      if (v <= 9) return String(v);
      if (v === 10) return '-';
      if (v === 11) return '.';
      if (v === 15) return '\0';
      throw new BinaryNodeError(`invalid nibble ${v}`);
    };
    for (let i = 0; i < (start & 0x7f); i++) {
      const b = byte();
      s += unpack(b >> 4) + unpack(b & 0x0f);
    }
    return start >> 7 ? s.slice(0, -1) : s;
  };
  const listSize = (tag: number): number => {
    if (tag === TAG.LIST_EMPTY) return 0;
    if (tag === TAG.LIST_8) return byte();
    if (tag === TAG.LIST_16) return int(2);
    throw new BinaryNodeError(`invalid list tag ${tag}`);
  };
  const string = (tag: number): string => {
    if (tag >= 1 && tag < dict.single.length) return dict.single[tag] ?? '';
    if (tag >= TAG.DICTIONARY_0 && tag <= TAG.DICTIONARY_3) {
      const token = dict.double[tag - TAG.DICTIONARY_0]?.[byte()];
      if (token === undefined) throw new BinaryNodeError('invalid double-byte token');
      return token;
    }
    switch (tag) {
      case TAG.LIST_EMPTY:
        return '';
      case TAG.BINARY_8:
        return bytes(byte()).toString('utf8');
      case TAG.BINARY_20:
        return bytes(int20()).toString('utf8');
      case TAG.BINARY_32:
        return bytes(int(4)).toString('utf8');
      case TAG.JID_PAIR: {
        const user = string(byte());
        const server = string(byte());
        if (!server) throw new BinaryNodeError('invalid jid pair');
        return `${user}@${server}`;
      }
      case TAG.AD_JID: {
        const domain = byte();
        const device = byte();
        const user = string(byte());
        return `${user}${device ? `:${device}` : ''}@${JID_DOMAIN_SERVERS[domain] ?? 's.whatsapp.net'}`;
      }
      case TAG.FB_JID: {
        const user = string(byte());
        const device = int(2);
        return `${user}:${device}@${string(byte())}`;
      }
      case TAG.INTEROP_JID: {
        const user = string(byte());
        const device = int(2);
        const integrator = int(2);
        return `${integrator}-${user}:${device}@${pos < buf.length ? string(byte()) : 'interop'}`;
      }
      case TAG.HEX_8:
      case TAG.NIBBLE_8:
        return packed(tag);
      default:
        throw new BinaryNodeError(`invalid string tag ${tag}`);
    }
  };
  const node = (depth: number): BinaryNode => {
    if (depth > 64) throw new BinaryNodeError('nodes nested too deeply');
    const size = listSize(byte());
    const tag = size ? string(byte()) : '';
    if (!size || !tag) throw new BinaryNodeError('invalid node');
    const attrs: Record<string, string> = {};
    for (let i = 0; i < (size - 1) >> 1; i++) {
      const key = string(byte());
      attrs[key] = string(byte());
    }
    if (size % 2 === 1) return { tag, attrs };
    const t = byte();
    let content: BinaryNode['content'];
    if (t === TAG.LIST_EMPTY || t === TAG.LIST_8 || t === TAG.LIST_16) {
      const n = listSize(t);
      content = [];
      for (let i = 0; i < n; i++) content.push(node(depth + 1));
    } else if (t === TAG.BINARY_8) content = bytes(byte());
    else if (t === TAG.BINARY_20) content = bytes(int20());
    else if (t === TAG.BINARY_32) content = bytes(int(4));
    else content = string(t);
    return { tag, attrs, content };
  };
  return node(0);
}

export function childNodes(node: BinaryNode | undefined): BinaryNode[] {
  return Array.isArray(node?.content) ? node.content : [];
}

export function childNode(node: BinaryNode | undefined, tag: string): BinaryNode | undefined {
  return childNodes(node).find((c) => c.tag === tag);
}

/** A short human-readable form for logs and events: `<iq type=get xmlns=w:p><ping/></iq>`. */
export function describeNode(node: BinaryNode): string {
  const attrs = Object.entries(node.attrs)
    .map(([k, v]) => ` ${k}=${v}`)
    .join('');
  const kids = childNodes(node);
  if (kids.length) return `<${node.tag}${attrs}>${kids.slice(0, 4).map(describeNode).join('')}${kids.length > 4 ? '…' : ''}</${node.tag}>`;
  return `<${node.tag}${attrs}/>`;
}
