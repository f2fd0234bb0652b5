/** Pure parts of the server's messaging: the key upload parser and store, the proto.Message text codec, padding. */
import { describe, expect, test } from 'vitest';
import { KeyStore, parseKeyUpload, parseRetryKeys } from '../../fake-server/messaging/key-store.js';
import { decodeChatText, encodeChatText, padRandomMax16, unpad } from '../../fake-server/messaging/proto.js';
import { ProtobufWriter } from '../../fake-server/protocol/protobuf.js';
import type { BinaryNode } from '../../fake-server/protocol/binary-node.js';

const be = (n: number, len: number) => {
  const b = Buffer.alloc(len);
  b.writeUIntBE(n, 0, len);
  return b;
};
const node = (tag: string, content?: BinaryNode['content']): BinaryNode => ({ tag, attrs: {}, ...(content !== undefined ? { content } : {}) });
const skey = node('skey', [node('id', be(7, 3)), node('value', Buffer.alloc(32, 2)), node('signature', Buffer.alloc(64, 3))]);
/** What Baileys' getNextPreKeysNode sends. */
const upload = (ids: number[]): BinaryNode => ({
  tag: 'iq',
  attrs: { xmlns: 'encrypt', type: 'set' },
  content: [
    node('registration', be(4242, 4)),
    node('type', Buffer.from([5])),
    node('identity', Buffer.alloc(32, 1)),
    node('list', ids.map((id) => node('key', [node('id', be(id, 3)), node('value', Buffer.alloc(32, id))]))),
    skey,
  ],
});

describe('key upload', () => {
  test('parses registration, identity, signed pre-key and one-time pre-keys', () => {
    const keys = parseKeyUpload(upload([1, 2, 300000]));
    expect(keys.registrationId).toBe(4242);
    expect(keys.identity).toEqual(Buffer.alloc(32, 1));
    expect(keys.signedPreKey).toEqual({ id: 7, public: Buffer.alloc(32, 2), signature: Buffer.alloc(64, 3) });
    expect(keys.preKeys.map((k) => k.id)).toEqual([1, 2, 300000]);
  });

  test('a malformed part is named', () => {
    const bad = upload([1]);
    (bad.content as BinaryNode[])[2] = node('identity', Buffer.alloc(31));
    expect(() => parseKeyUpload(bad)).toThrow(/identity is 31 bytes, expected 32/);
  });

  test('each one-time pre-key is handed out once, then bundles come without one', () => {
    const store = new KeyStore();
    store.upload('1:1@s.whatsapp.net', parseKeyUpload(upload([1, 2])));
    expect(store.count('1:1@s.whatsapp.net')).toBe(2);
    const a = store.take('1:1@s.whatsapp.net')!;
    const b = store.take('1:1@s.whatsapp.net')!;
    expect([a.preKey?.keyId, b.preKey?.keyId]).toEqual([1, 2]);
    expect(a.identityKey).toEqual(Buffer.concat([Buffer.from([5]), Buffer.alloc(32, 1)])); // libsignal's form
    expect(a.registrationId).toBe(4242);
    expect(store.take('1:1@s.whatsapp.net')!.preKey).toBeUndefined();
    expect(store.take('2:1@s.whatsapp.net')).toBeUndefined();
  });

  test('a retry receipt’s <keys> refresh the bundle with its fresh pre-key', () => {
    const store = new KeyStore();
    store.upload('1:1@s.whatsapp.net', parseKeyUpload(upload([])));
    const receipt: BinaryNode = {
      tag: 'receipt',
      attrs: { type: 'retry' },
      content: [node('retry'), node('registration', be(4242, 4)), node('keys', [node('type', Buffer.from([5])), node('identity', Buffer.alloc(32, 1)), node('key', [node('id', be(99, 3)), node('value', Buffer.alloc(32, 9))]), skey])],
    };
    store.refresh('1:1@s.whatsapp.net', parseRetryKeys(receipt)!);
    expect(store.take('1:1@s.whatsapp.net')!.preKey?.keyId).toBe(99);
  });
});

describe('proto.Message text', () => {
  test('conversation round-trips', () => {
    expect(decodeChatText(encodeChatText({ text: 'héllo' }))).toEqual({ text: 'héllo' });
  });

  test('a quote is extendedTextMessage with contextInfo.stanzaId', () => {
    expect(decodeChatText(encodeChatText({ text: 'answer', quotedId: '3EB0AB', quotedParticipant: '1@s.whatsapp.net' }))).toEqual({
      text: 'answer',
      quotedId: '3EB0AB',
      quotedParticipant: '1@s.whatsapp.net',
    });
  });

  test('deviceSentMessage (field 31) is unwrapped with its destination', () => {
    const inner = encodeChatText({ text: 'to bob' });
    const dsm = new ProtobufWriter().bytes(1, '2@s.whatsapp.net').bytes(2, inner).finish();
    const wrapped = new ProtobufWriter().bytes(31, dsm).finish();
    expect(decodeChatText(wrapped)).toEqual({ text: 'to bob', destinationJid: '2@s.whatsapp.net' });
  });

  test('a message with no text decodes to undefined', () => {
    expect(decodeChatText(new ProtobufWriter().uint(2, 1).finish())).toBeUndefined();
  });

  test('padding is 1-16 bytes each equal to its length, and unpads', () => {
    const msg = encodeChatText({ text: 'x' });
    for (let pad = 1; pad <= 16; pad++) {
      const padded = padRandomMax16(msg, pad);
      expect(padded.length).toBe(msg.length + pad);
      expect(padded.subarray(msg.length).every((b) => b === pad)).toBe(true);
      expect(unpad(padded)).toEqual(msg);
    }
    expect(() => unpad(Buffer.from([1, 0]))).toThrow(/invalid padding/);
  });
});
