/**
 * The server's record of the Signal message keys the bot seals its copies with
 * (fake-server/messaging/key-reuse.ts), on real libsignal sessions: a key used for two different
 * messages (what Baileys 6.7.21 does when it sends several at once) is a reuse; a resend of the
 * same bytes is not.
 */
import { describe, expect, test } from 'vitest';
import { ALICE, BOT, FakeLink, messagingFixture, settle } from '../support/messaging-fixture.js';
import { MessageKeyLedger, messageKeyOf } from '../../fake-server/messaging/key-reuse.js';
import { SignalParty } from '../../fake-server/messaging/party.js';
import { encodeChatText, padRandomMax16 } from '../../fake-server/messaging/proto.js';
import { withKeyType, type SignalBundle } from '../../fake-server/messaging/signal.js';
import type { BinaryNode } from '../../fake-server/protocol/binary-node.js';

const asBundle = (b: ReturnType<SignalParty['bundle']>): SignalBundle => ({
  registrationId: b.registrationId,
  identityKey: withKeyType(b.identity),
  signedPreKey: { keyId: b.signedPreKey.id, publicKey: withKeyType(b.signedPreKey.public), signature: b.signedPreKey.signature },
  preKey: { keyId: b.preKey.id, publicKey: withKeyType(b.preKey.public) },
});

/** The party's serialized session records (what a client's key store holds). */
const recordsOf = (p: SignalParty) => (p as unknown as { sessions: Map<string, unknown> }).sessions;

/** Seals B with the key A was sealed with: the session is read before A's encrypt and stored back after it, as a slow read in Baileys' transaction cache does. */
async function sealTwiceWithOneKey(bot: SignalParty, peer: string, a: Buffer, b: Buffer) {
  const [[key, saved]] = [...recordsOf(bot)] as [[string, unknown]];
  const copy = structuredClone(saved);
  const first = await bot.encrypt(peer, a);
  recordsOf(bot).set(key, copy);
  const second = await bot.encrypt(peer, b);
  return { first, second };
}

async function pair() {
  const bot = new SignalParty('bot');
  const alice = new SignalParty('alice');
  await bot.startSession('alice', asBundle(alice.bundle()));
  return { bot, alice };
}

describe('MessageKeyLedger', () => {
  test('sequential encrypts, across a ratchet step: every key once, no reuse', async () => {
    const { bot, alice } = await pair();
    const ledger = new MessageKeyLedger();
    const counters: number[] = [];
    for (let n = 0; n < 3; n++) {
      const { type, ciphertext } = await bot.encrypt('alice', Buffer.from(`one ${n}`));
      expect(type).toBe('pkmsg');
      counters.push(messageKeyOf(type, ciphertext)!.counter);
      expect(ledger.see(BOT, ALICE, `A${n}`, type, ciphertext)).toBeUndefined();
      await alice.decrypt('bot', type, ciphertext);
    }
    bot.confirmSession('alice');
    // Alice answers: the bot's next messages come from a new ratchet key, counters from 0 again.
    const reply = await alice.encrypt('bot', Buffer.from('hi'));
    await bot.decrypt('alice', reply.type, reply.ciphertext);
    for (let n = 0; n < 3; n++) {
      const { type, ciphertext } = await bot.encrypt('alice', Buffer.from(`two ${n}`));
      expect(type).toBe('msg');
      counters.push(messageKeyOf(type, ciphertext)!.counter);
      expect(ledger.see(BOT, ALICE, `B${n}`, type, ciphertext)).toBeUndefined();
    }
    expect(counters).toEqual([0, 1, 2, 0, 1, 2]);
  });

  test('the same ciphertext seen twice (a resend of the stanza) is not a reuse', async () => {
    const { bot } = await pair();
    const ledger = new MessageKeyLedger();
    const { type, ciphertext } = await bot.encrypt('alice', Buffer.from('once'));
    expect(ledger.see(BOT, ALICE, 'A', type, ciphertext)).toBeUndefined();
    expect(ledger.see(BOT, ALICE, 'A', type, Buffer.from(ciphertext))).toBeUndefined();
  });

  test('a different message sealed with a key already used is a reuse, naming the first (pkmsg and msg)', async () => {
    const { bot, alice } = await pair();
    const ledger = new MessageKeyLedger();
    const pk = await sealTwiceWithOneKey(bot, 'alice', Buffer.from('answer A'), Buffer.from('answer B'));
    expect(pk.second.type).toBe('pkmsg');
    expect(ledger.see(BOT, ALICE, 'A', pk.first.type, pk.first.ciphertext)).toBeUndefined();
    expect(ledger.see(BOT, ALICE, 'B', pk.second.type, pk.second.ciphertext)).toEqual({ firstId: 'A', counter: 0 });
    // Scoped to the pair: the same bytes from another bot device, or to another contact device, are new.
    expect(ledger.see(BOT, `${ALICE}#1`, 'B', pk.second.type, pk.second.ciphertext)).toBeUndefined();

    await alice.decrypt('bot', pk.first.type, pk.first.ciphertext);
    bot.confirmSession('alice');
    for (let n = 0; n < 4; n++) ledger.see(BOT, ALICE, `M${n}`, 'msg', (await bot.encrypt('alice', Buffer.from(`m${n}`))).ciphertext);
    const m = await sealTwiceWithOneKey(bot, 'alice', Buffer.from('answer C'), Buffer.from('answer D'));
    expect(m.second.type).toBe('msg');
    expect(ledger.see(BOT, ALICE, 'C', m.first.type, m.first.ciphertext)).toBeUndefined();
    expect(ledger.see(BOT, ALICE, 'D', m.second.type, m.second.ciphertext)).toEqual({ firstId: 'C', counter: 5 });
    // What the contact sees: the second cannot be decrypted.
    await alice.decrypt('bot', m.first.type, m.first.ciphertext);
    await expect(alice.decrypt('bot', m.second.type, m.second.ciphertext)).rejects.toThrow();
  });

  test('garbage is ignored, never thrown', () => {
    const ledger = new MessageKeyLedger();
    for (const [type, body] of [
      ['msg', Buffer.alloc(0)],
      ['msg', Buffer.from([0x33])],
      ['msg', Buffer.from('not a signal message')],
      ['pkmsg', Buffer.from([0x33, 0x0a, 0xff, 0xff])],
      ['msg', Buffer.from([0x33, 0x0a, 0x21, 1, 2, 3, 4, 5, 6, 7, 8, 9])],
      ['skmsg', Buffer.from([0x33, 1, 2, 3])],
    ] as const) {
      expect(() => ledger.see(BOT, ALICE, 'X', type, body)).not.toThrow();
      expect(ledger.see(BOT, ALICE, 'Y', type, body)).toBeUndefined();
    }
  });

  test('bounded: past the cap the oldest key is forgotten', async () => {
    const { bot } = await pair();
    const ledger = new MessageKeyLedger(2);
    const { first, second } = await sealTwiceWithOneKey(bot, 'alice', Buffer.from('A'), Buffer.from('B'));
    ledger.see(BOT, ALICE, 'A', first.type, first.ciphertext);
    for (let n = 0; n < 2; n++) {
      const c = await bot.encrypt('alice', Buffer.from(`n${n}`));
      ledger.see(BOT, ALICE, `N${n}`, c.type, c.ciphertext);
    }
    expect(ledger.see(BOT, ALICE, 'B', second.type, second.ciphertext)).toBeUndefined();
  });
});

describe('the server records a reused message key', () => {
  test('two answers to Alice sealed with one key: message-key-reused for the second, the contact cannot decrypt it', async () => {
    const { events, service, device, links } = messagingFixture();
    const link = new FakeLink(1, device, events);
    links.push(link);
    // The bot (a real Signal party standing in for Baileys) starts a session from the server's bundle for Alice.
    const bot = new SignalParty('bot');
    await bot.startSession(ALICE, asBundle(service.directory.contactDevice(ALICE)!.party.bundle()));
    const text = (t: string) => padRandomMax16(encodeChatText({ text: t }));
    const { first, second } = await sealTwiceWithOneKey(bot, ALICE, text('answer A'), text('answer B'));
    const stanza = (id: string, c: typeof first): BinaryNode => ({
      tag: 'message',
      attrs: { id, to: ALICE, type: 'text' },
      content: [{ tag: 'participants', attrs: {}, content: [{ tag: 'to', attrs: { jid: ALICE }, content: [{ tag: 'enc', attrs: { v: '2', type: c.type }, content: c.ciphertext }] }] }],
    });
    service.onStanza(link, stanza('OUT1', first));
    await events.waitFor((e) => e.type === 'message-answered', 2_000, 'the first answer');
    service.onStanza(link, stanza('OUT1', first)); // the same stanza again: not a reuse
    service.onStanza(link, stanza('OUT2', second));
    await events.waitFor((e) => e.type === 'message-undecryptable' && e.detail?.id === 'OUT2', 2_000, 'the second answer refused');
    await settle();
    expect(events.list({ type: 'message-key-reused' }).map((e) => ({ jid: e.jid, detail: e.detail }))).toEqual([{ jid: BOT, detail: { id: 'OUT2', firstId: 'OUT1', from: BOT, to: ALICE, counter: 0 } }]);
  });
});
