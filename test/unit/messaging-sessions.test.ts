/**
 * The simulated contacts' Signal session handling (fake-server/messaging/): a fresh session keeps
 * the older ones (what the bot sealed on them still decrypts), a contact that cannot decrypt the
 * bot's copy sends it a retry receipt (at most 5 per message and device), and a redelivery the
 * bot acks with error 487 (a key it already used) counts as delivered.
 */
import { describe, expect, test } from 'vitest';
import { ALICE, BOT, FakeLink, messagingFixture, settle } from '../support/messaging-fixture.js';
import { MAX_ANSWER_RETRIES } from '../../fake-server/messaging/outbound.js';
import { SignalParty } from '../../fake-server/messaging/party.js';
import { withKeyType, type SignalBundle } from '../../fake-server/messaging/signal.js';
import type { BinaryNode } from '../../fake-server/protocol/binary-node.js';


const asBundle = (b: ReturnType<SignalParty['bundle']>): SignalBundle => ({
  registrationId: b.registrationId,
  identityKey: withKeyType(b.identity),
  signedPreKey: { keyId: b.signedPreKey.id, publicKey: withKeyType(b.signedPreKey.public), signature: b.signedPreKey.signature },
  preKey: { keyId: b.preKey.id, publicKey: withKeyType(b.preKey.public) },
});

function setup() {
  const fixture = messagingFixture();
  const link = new FakeLink(1, fixture.device, fixture.events);
  fixture.links.push(link);
  return { ...fixture, link };
}


describe('contact sessions', () => {
  test('a fresh session keeps the older one: an answer sealed on it still decrypts', async () => {
    const alice = new SignalParty('alice');
    const bot = new SignalParty('bot');
    await alice.startSession('bot', asBundle(bot.bundle()));
    const first = await alice.encrypt('bot', Buffer.from('one'));
    expect(first.type).toBe('pkmsg');
    expect((await bot.decrypt('alice', first.type, first.ciphertext)).toString()).toBe('one');
    const answer = await bot.encrypt('alice', Buffer.from('echo: one'));
    // Alice starts afresh (a resend) before the answer arrives.
    await alice.startSession('bot', asBundle(bot.bundle()));
    expect((await alice.decrypt('bot', answer.type, answer.ciphertext)).toString()).toBe('echo: one');
    // And the new session works too.
    const second = await alice.encrypt('bot', Buffer.from('two'));
    expect(second.type).toBe('pkmsg');
    expect((await bot.decrypt('alice', second.type, second.ciphertext)).toString()).toBe('two');
  });

  test(`a contact that cannot decrypt the bot's copy sends a retry receipt, at most ${MAX_ANSWER_RETRIES} times`, async () => {
    const { events, service, link } = setup();
    const junk: BinaryNode = {
      tag: 'message',
      attrs: { id: 'OUT1', to: ALICE, type: 'text' },
      content: [{ tag: 'participants', attrs: {}, content: [{ tag: 'to', attrs: { jid: ALICE }, content: [{ tag: 'enc', attrs: { v: '2', type: 'msg' }, content: Buffer.from('not a signal message') }] }] }],
    };
    for (let n = 0; n < MAX_ANSWER_RETRIES + 2; n++) {
      service.onStanza(link, junk);
      await events.waitFor((e) => e.type === 'message-undecryptable' && events.list({ type: 'message-undecryptable' }).length > n, 2_000, 'message-undecryptable');
    }
    const retries = link.sent.filter((x) => x.tag === 'receipt' && x.attrs.type === 'retry');
    expect(retries).toHaveLength(MAX_ANSWER_RETRIES);
    expect(retries[0]).toMatchObject({ attrs: { id: 'OUT1', from: ALICE, type: 'retry' } });
    const [retry, registration] = retries[0]!.content as BinaryNode[];
    expect(retry).toMatchObject({ tag: 'retry', attrs: { count: '1', id: 'OUT1', v: '1' } });
    expect(registration!.tag).toBe('registration');
    expect((registration!.content as Buffer).readUInt32BE(0)).toBe(service.directory.contactDevice(ALICE)!.party.registrationId);
    expect(retries.map((r) => (r.content as BinaryNode[])[0]!.attrs.count)).toEqual(['1', '2', '3', '4', '5']);
    expect(events.list({ type: 'message-retry-requested' }).map((e) => e.detail)).toEqual([1, 2, 3, 4, 5].map((retryCount) => ({ id: 'OUT1', from: BOT, to: ALICE, retryCount })));
  });

  test('an ack with error 487 to a redelivery counts as delivered; to a first delivery it is a refusal', async () => {
    const { events, service, link, links, device } = setup();
    const { id } = service.send({ from: ALICE, to: BOT, text: 'once' });
    await settle();
    service.onStanza(link, { tag: 'ack', attrs: { class: 'message', id, error: '487' } });
    expect(service.list()[0]!.deliveries[0]).toMatchObject({ state: 'rejected' });

    const again = service.send({ from: ALICE, to: BOT, text: 'twice' });
    await settle();
    link.open = false;
    service.onClosed(link);
    const second = new FakeLink(2, device, events);
    links.push(second);
    service.onOpen(second);
    await settle();
    service.onStanza(second, { tag: 'ack', attrs: { class: 'message', id: again.id, error: '487' } });
    expect(service.list()[1]!.deliveries[0]).toMatchObject({ state: 'receipted', attempts: 2, receipts: ['ack-487'] });
    expect(events.list({ type: 'message-receipted' }).map((e) => e.detail)).toEqual([{ id: again.id, from: ALICE, to: BOT, duplicate: true, ackError: 487 }]);
  });
});
