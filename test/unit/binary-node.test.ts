import { describe, expect, test } from 'vitest';
import { BinaryNodeError, decodeBinaryNode, encodeBinaryNode, type BinaryNode } from '../../fake-server/protocol/binary-node.js';
import { loadTokenDictionary } from '../../harness/baileys/tokens.js';
import { baileysFileUrl, loadBaileys, versionsUnderTest } from '../../harness/baileys/versions.js';

const sample: BinaryNode = {
  tag: 'iq',
  attrs: { id: '1234.5678-9', type: 'result', from: 's.whatsapp.net', to: '15550000001:3@s.whatsapp.net', xmlns: 'encrypt' },
  content: [
    { tag: 'count', attrs: { value: '812' } },
    { tag: 'ref', attrs: {}, content: Buffer.from('2@abcdef') },
    { tag: 'list', attrs: {}, content: Array.from({ length: 300 }, (_, i) => ({ tag: 'key', attrs: { id: String(i) }, content: Buffer.alloc(33, i) })) },
  ],
};

const toComparable = (n: any): unknown => ({
  tag: n.tag,
  attrs: n.attrs,
  content: Array.isArray(n.content) ? n.content.map(toComparable) : n.content === undefined ? undefined : Buffer.from(n.content).toString('hex'),
});

describe.each(versionsUnderTest())('binary nodes with Baileys %s', (version) => {
  test('what the server encodes, the client decodes to the same node', async () => {
    const baileys = (await loadBaileys(version)) as any;
    const decoded = await baileys.decodeBinaryNode(encodeBinaryNode(sample));
    expect(toComparable(decoded)).toEqual(toComparable(sample));
  });

  test('what the client encodes (tokens, packed numbers, JIDs), the server decodes', async () => {
    const baileys = (await loadBaileys(version)) as any;
    const dict = await loadTokenDictionary();
    const nodes: BinaryNode[] = [
      sample,
      { tag: 'message', attrs: { to: '15550000001@s.whatsapp.net', id: '3EB0ABCDEF0123', type: 'text', t: '1700000000' }, content: 'héllo' },
      { tag: 'receipt', attrs: { to: '123456789012345:7@lid', participant: '15550000001:2@s.whatsapp.net', id: 'ABCDEF0123456789' } },
      { tag: 'presence', attrs: { name: 'chaos bot', type: 'available' } },
    ];
    for (const node of nodes) {
      const bytes = baileys.encodeBinaryNode(node);
      expect(toComparable(decodeBinaryNode(bytes, dict))).toEqual(toComparable(node));
    }
  });

  test('every supported version uses the dictionary the server loaded', async () => {
    const baileys = (await loadBaileys(version)) as any;
    const dict = await loadTokenDictionary();
    expect(baileys.DICT_VERSION ?? 3).toBe(dict.dictVersion);
    const constants = await import(baileysFileUrl(version, 'lib/WABinary/constants.js'));
    expect(constants.SINGLE_BYTE_TOKENS).toEqual(dict.single);
    expect(constants.DOUBLE_BYTE_TOKENS).toEqual(dict.double);
  });
});

test('malformed input raises a BinaryNodeError, never anything else', async () => {
  const dict = await loadTokenDictionary();
  for (const bad of [Buffer.from([]), Buffer.from([0]), Buffer.from([0, 248]), Buffer.from([0, 248, 1]), Buffer.from([0, 248, 2, 200, 236]), Buffer.from([2, 1, 2, 3])]) {
    expect(() => decodeBinaryNode(bad, dict)).toThrow(BinaryNodeError);
  }
});
