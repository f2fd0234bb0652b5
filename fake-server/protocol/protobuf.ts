/**
 * A minimal protobuf wire codec: just enough for the handful of WhatsApp messages the fake
 * server reads and writes. Hand-written so the server does not depend on any Baileys version's
 * generated WAProto code (the thing under test).
 */

export type FieldValue = bigint | Uint8Array;

/** Decoded fields by number; repeated fields keep every occurrence in order. */
export type Fields = Map<number, FieldValue[]>;

export class ProtobufError extends Error {
  override name = 'ProtobufError';
}

export function decodeFields(buf: Uint8Array): Fields {
  const fields: Fields = new Map();
  let pos = 0;
  const readVarint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= buf.length) throw new ProtobufError('truncated varint');
      const byte = buf[pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw new ProtobufError('varint too long');
    }
  };
  const take = (n: number): Uint8Array => {
    if (n < 0 || pos + n > buf.length) throw new ProtobufError('truncated field');
    const out = buf.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  while (pos < buf.length) {
    const key = readVarint();
    const fieldNo = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (fieldNo === 0) throw new ProtobufError('field number 0');
    let value: FieldValue;
    switch (wireType) {
      case 0:
        value = readVarint();
        break;
      case 1:
        value = take(8);
        break;
      case 2:
        value = take(Number(readVarint()));
        break;
      case 5:
        value = take(4);
        break;
      default:
        throw new ProtobufError(`unsupported wire type ${wireType}`);
    }
    const list = fields.get(fieldNo);
    if (list) list.push(value);
    else fields.set(fieldNo, [value]);
  }
  return fields;
}

export function getBytes(fields: Fields, no: number): Uint8Array | undefined {
  const v = fields.get(no)?.at(-1);
  if (v === undefined) return undefined;
  if (!(v instanceof Uint8Array)) throw new ProtobufError(`field ${no}: expected bytes`);
  return v;
}

export function getVarint(fields: Fields, no: number): bigint | undefined {
  const v = fields.get(no)?.at(-1);
  if (v === undefined) return undefined;
  if (typeof v !== 'bigint') throw new ProtobufError(`field ${no}: expected varint`);
  return v;
}

export function getString(fields: Fields, no: number): string | undefined {
  const b = getBytes(fields, no);
  return b === undefined ? undefined : Buffer.from(b).toString('utf8');
}

/** Builds a message field by field; undefined values are skipped (proto2 optional). */
export class ProtobufWriter {
  private readonly parts: Uint8Array[] = [];

  private varint(value: bigint): void {
    const out: number[] = [];
    let v = BigInt.asUintN(64, value);
    while (v >= 0x80n) {
      out.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(Number(v));
    this.parts.push(Uint8Array.from(out));
  }

  uint(no: number, value: number | bigint | boolean | undefined): this {
    if (value === undefined) return this;
    this.varint(BigInt((no << 3) | 0));
    this.varint(typeof value === 'boolean' ? (value ? 1n : 0n) : BigInt(value));
    return this;
  }

  bytes(no: number, value: Uint8Array | string | undefined): this {
    if (value === undefined) return this;
    const data = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    this.varint(BigInt((no << 3) | 2));
    this.varint(BigInt(data.length));
    this.parts.push(data);
    return this;
  }

  finish(): Buffer {
    return Buffer.concat(this.parts);
  }
}
