/**
 * The server's answers to the two queries a sender makes before it encrypts: which devices a user
 * has (`iq get usync`, with its LID), and a key bundle per device (`iq get encrypt <key>`).
 */
import { childNode, childNodes, type BinaryNode } from '../protocol/binary-node.js';
import type { DeviceRegistry } from '../devices.js';
import type { Directory } from './directory.js';
import { parseJid } from './directory.js';
import type { KeyStore } from './key-store.js';
import { withoutKeyType } from './signal.js';

const be = (n: number, len: number): Buffer => {
  const b = Buffer.alloc(len);
  b.writeUIntBE(n, 0, len);
  return b;
};

export interface Resolver {
  directory: Directory;
  keys: KeyStore;
  devices: DeviceRegistry;
  lidFor(user: string): string;
}

/** The bot user a jid names (phone number or LID), if any registered device has it. */
export function botUserOf(r: Resolver, jid: string): string | undefined {
  const p = parseJid(jid);
  if (!p) return undefined;
  for (const d of r.devices.list()) {
    if (p.server === 's.whatsapp.net' && d.user === p.user) return d.user;
    if (p.server === 'lid' && r.lidFor(d.user) === p.user) return d.user;
  }
  return undefined;
}

/** `<usync>` answer: devices (device 0 first; others need key-index or Baileys drops them) and the LID. */
export function answerUsync(r: Resolver, iq: BinaryNode, asker: { user: string; device: number }): BinaryNode[] {
  const usync = childNode(iq, 'usync');
  const wanted = new Set(childNodes(childNode(usync, 'query')).map((q) => q.tag));
  const users = childNodes(childNode(usync, 'list')).filter((u) => u.tag === 'user');
  const list = users.map((u): BinaryNode => {
    const jid = u.attrs.jid ?? '';
    const parsed = parseJid(jid);
    const contact = r.directory.contact(jid);
    const botUser = contact ? undefined : botUserOf(r, jid);
    let devices: { id: number; keyIndex?: number }[] = [];
    let lid: string | undefined;
    if (contact) {
      devices = [...contact.devices.keys()].map((id) => (id === 0 ? { id } : { id, keyIndex: id }));
      lid = contact.lid;
    } else if (botUser) {
      // The phone, and the asking companion itself (Baileys leaves its own device out).
      devices = [{ id: 0 }, ...(botUser === asker.user ? [{ id: asker.device, keyIndex: asker.device }] : [])];
      lid = `${r.lidFor(botUser)}@lid`;
    }
    const content: BinaryNode[] = [];
    if (wanted.has('devices')) {
      content.push({
        tag: 'devices',
        attrs: {},
        content: [{ tag: 'device-list', attrs: {}, content: devices.map((d) => ({ tag: 'device', attrs: { id: String(d.id), ...(d.keyIndex !== undefined ? { 'key-index': String(d.keyIndex) } : {}) } })) }],
      });
    }
    if (wanted.has('lid') && lid && parsed?.server !== 'lid') content.push({ tag: 'lid', attrs: { val: lid } });
    if (wanted.has('contact')) content.push({ tag: 'contact', attrs: { type: contact || botUser ? 'in' : 'out' } });
    return { tag: 'user', attrs: { jid }, content };
  });
  return [{ tag: 'usync', attrs: { ...(usync?.attrs.sid ? { sid: usync.attrs.sid } : {}), mode: 'query', context: usync?.attrs.context ?? 'message' }, content: [{ tag: 'result', attrs: {} }, { tag: 'list', attrs: {}, content: list }] }];
}

export interface BundleParts {
  registrationId: number;
  identity: Buffer;
  signedPreKey: { id: number; public: Buffer; signature: Buffer };
  preKey?: { id: number; public: Buffer };
}

/** A bundle for any device jid the server knows: a contact device, a bot's phone, or a bot companion's upload. */
export function bundleFor(r: Resolver, jid: string): BundleParts | undefined {
  const contact = r.directory.contactDevice(jid);
  if (contact) return contact.party.bundle();
  const p = parseJid(jid);
  const botUser = botUserOf(r, jid);
  if (!p || !botUser) return undefined;
  if (p.device === 0) return r.directory.phoneOf(botUser).bundle();
  const b = r.keys.take(`${botUser}:${p.device}@s.whatsapp.net`);
  if (!b) return undefined;
  return {
    registrationId: b.registrationId,
    identity: withoutKeyType(b.identityKey),
    signedPreKey: { id: b.signedPreKey.keyId, public: withoutKeyType(b.signedPreKey.publicKey), signature: b.signedPreKey.signature },
    ...(b.preKey ? { preKey: { id: b.preKey.keyId, public: withoutKeyType(b.preKey.publicKey) } } : {}),
  };
}

/** `<list>` answer to `iq get encrypt <key><user jid/>...`; an unknown jid gets an `<error>` (the send fails, as for a real unknown). */
export function answerKeyRequest(r: Resolver, iq: BinaryNode): BinaryNode[] {
  const users = childNodes(childNode(iq, 'key')).filter((u) => u.tag === 'user');
  const list = users.map((u): BinaryNode => {
    const jid = u.attrs.jid ?? '';
    const b = bundleFor(r, jid);
    if (!b) return { tag: 'user', attrs: { jid }, content: [{ tag: 'error', attrs: { code: '404', text: 'item-not-found' } }] };
    return {
      tag: 'user',
      attrs: { jid },
      content: [
        { tag: 'registration', attrs: {}, content: be(b.registrationId, 4) },
        { tag: 'type', attrs: {}, content: Buffer.from([5]) },
        { tag: 'identity', attrs: {}, content: b.identity },
        {
          tag: 'skey',
          attrs: {},
          content: [
            { tag: 'id', attrs: {}, content: be(b.signedPreKey.id, 3) },
            { tag: 'value', attrs: {}, content: b.signedPreKey.public },
            { tag: 'signature', attrs: {}, content: b.signedPreKey.signature },
          ],
        },
        ...(b.preKey
          ? [{ tag: 'key', attrs: {}, content: [{ tag: 'id', attrs: {}, content: be(b.preKey.id, 3) }, { tag: 'value', attrs: {}, content: b.preKey.public }] } as BinaryNode]
          : []),
      ],
    };
  });
  return [{ tag: 'list', attrs: {}, content: list }];
}

/**
 * `iq get privacy`: the account's settings. Read receipts on ("all"), as a new WhatsApp account
 * has them, so a bot's readMessages sends `type="read"` (with none, Baileys sends "read-self").
 */
export function answerPrivacy(): BinaryNode[] {
  const all = ['last', 'online', 'profile', 'status', 'readreceipts', 'groupadd', 'calladd'];
  return [{ tag: 'privacy', attrs: {}, content: all.map((name) => ({ tag: 'category', attrs: { name, value: 'all' } })) }];
}

/**
 * `iq xmlns="w:g2" type="get" to=<group>` (group metadata): the simulated group with every contact
 * and every registered bot user as members, phone-number addressed. Undefined for another group.
 */
export function answerGroup(r: Resolver, groupJid: string | undefined): BinaryNode[] | undefined {
  const group = r.directory.group(groupJid);
  if (!group) return undefined;
  const members = [...r.directory.list().map((c) => c.jid), ...new Set(r.devices.list().filter((d) => !d.removed).map((d) => `${d.user}@s.whatsapp.net`))];
  return [
    {
      tag: 'group',
      attrs: { id: group.jid.split('@')[0]!, subject: group.subject, s_t: String(group.creation), s_o: group.creator, creation: String(group.creation), creator: group.creator, addressing_mode: 'pn', size: String(members.length) },
      content: members.map((jid) => ({ tag: 'participant', attrs: { jid, ...(jid === group.creator ? { type: 'superadmin' } : {}) } })),
    },
  ];
}
