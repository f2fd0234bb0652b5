/**
 * The server's inbound message bookkeeping without a client: resends stop after five retry
 * receipts, the offline marker waits for receipts but no longer than its bound, and what a
 * connection was given and never receipted is queued again when it closes.
 */
import { describe, expect, test } from 'vitest';
import { ALICE, BOT, FakeLink, messagingFixture as setup, settle } from '../support/messaging-fixture.js';
import { MAX_RESENDS, OFFLINE_MARKER_TIMEOUT_MS } from '../../fake-server/messaging/inbound.js';
import type { BinaryNode } from '../../fake-server/protocol/binary-node.js';


const retry = (id: string, count: number): BinaryNode => ({ tag: 'receipt', attrs: { id, type: 'retry', to: ALICE }, content: [{ tag: 'retry', attrs: { count: String(count), id } }] });

describe('inbound messages', () => {
  test(`retry receipts are answered with a resend on a fresh session, at most ${MAX_RESENDS} times`, async () => {
    const { events, device, links, service } = setup();
    const link = new FakeLink(1, device, events);
    links.push(link);
    const { id } = service.send({ from: ALICE, to: BOT, text: 'hi' });
    await settle();
    for (let n = 1; n <= MAX_RESENDS + 2; n++) {
      service.onStanza(link, retry(id, n));
      await settle();
    }
    // What WhatsApp delivers: the sender's PN with its LID (7.x then needs no lookup) and push name.
    expect(link.sent[0]).toMatchObject({ tag: 'message', attrs: { from: ALICE, id, type: 'text', notify: 'Alice', sender_lid: '200015559990001@lid', t: '1700000000' } });
    expect((link.sent[0]!.content as BinaryNode[])[0]!.attrs).toEqual({ v: '2', type: 'pkmsg' });
    const sent = events.list({ type: 'message-sent' }).map((e) => e.detail);
    expect(sent).toHaveLength(1 + MAX_RESENDS);
    expect(sent.map((d) => d!.attempt)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(sent.slice(1).every((d) => d!.enc === 'pkmsg')).toBe(true);
    const encs = link.sent.filter((n) => n.tag === 'message').map((n) => (n.content as BinaryNode[])[0]!.attrs);
    expect(encs.map((a) => a.count)).toEqual([undefined, '1', '2', '3', '4', '5']);
    expect(events.list({ type: 'message-decrypt-failed' })).toHaveLength(MAX_RESENDS + 2);
    // Every receipt is acked, as WhatsApp does.
    expect(link.sent.filter((n) => n.tag === 'ack' && n.attrs.class === 'receipt')).toHaveLength(MAX_RESENDS + 2);
  });

  test(`the offline marker waits for the queued messages' receipts, at most ${OFFLINE_MARKER_TIMEOUT_MS / 1000} s`, async () => {
    const { events, device, links, service } = setup();
    const a = service.send({ from: ALICE, to: BOT, text: 'one' });
    service.send({ from: ALICE, to: BOT, text: 'two' });
    expect(events.list({ type: 'message-queued' })).toHaveLength(2);

    const link = new FakeLink(1, device, events);
    links.push(link);
    service.onOpen(link);
    await settle();
    expect(link.sent.filter((n) => n.tag === 'message').map((n) => n.attrs.offline)).toEqual(['1', '1']);
    service.onStanza(link, { tag: 'receipt', attrs: { id: a.id, to: ALICE, type: 'inactive' } });
    expect(link.sent.some((n) => n.tag === 'ib')).toBe(false); // one receipt still missing
    link.timers.forEach((fn) => fn()); // the bound runs out
    const marker = link.sent.find((n) => n.tag === 'ib')!;
    expect((marker.content as BinaryNode[])[0]).toEqual({ tag: 'offline', attrs: { count: '2' } });
    expect(events.list({ type: 'offline-marker' })[0]!.detail).toEqual({ count: 2, after: 'timeout' });
  });

  test('what a closed connection never receipted is queued again and redelivered with the same ciphertext', async () => {
    const { events, device, links, service } = setup();
    const first = new FakeLink(1, device, events);
    links.push(first);
    const { id } = service.send({ from: ALICE, to: BOT, text: 'lost' });
    await settle();
    first.open = false;
    service.onClosed(first);
    expect(service.list()[0]!.deliveries[0]!.state).toBe('queued');

    const second = new FakeLink(2, device, events);
    links.push(second);
    service.onOpen(second);
    await settle();
    const body = (l: FakeLink) => ((l.sent.find((n) => n.tag === 'message')!.content as BinaryNode[])[0]!.content as Buffer).toString('hex');
    expect(body(second)).toBe(body(first));
    expect(events.list({ type: 'message-sent' }).map((e) => [e.conn, e.detail!.attempt, e.detail!.offline])).toEqual([
      [1, 1, false],
      [2, 2, true],
    ]);
    expect(service.list()).toEqual([expect.objectContaining({ id, deliveries: [expect.objectContaining({ state: 'sent', attempts: 2 })] })]);
  });

  test('a message from the bot that the contact cannot decrypt is acked and recorded as undecryptable', async () => {
    const { events, device, links, service } = setup();
    const link = new FakeLink(1, device, events);
    links.push(link);
    service.onStanza(link, {
      tag: 'message',
      attrs: { id: 'OUT1', to: ALICE, type: 'text' },
      content: [{ tag: 'participants', attrs: {}, content: [{ tag: 'to', attrs: { jid: ALICE }, content: [{ tag: 'enc', attrs: { v: '2', type: 'msg' }, content: Buffer.from('not a signal message') }] }] }],
    });
    expect(link.sent[0]).toMatchObject({ tag: 'ack', attrs: { class: 'message', id: 'OUT1', from: ALICE } });
    const failed = await events.waitFor((e) => e.type === 'message-undecryptable', 2_000, 'message-undecryptable');
    expect(failed).toMatchObject({ jid: BOT, detail: { id: 'OUT1', from: BOT, to: ALICE, error: expect.stringContaining(ALICE) } });
    expect(events.list({ type: 'message-acked' }).map((e) => e.detail)).toEqual([{ id: 'OUT1' }]);
  });

  test('malformed stanzas and queries from a client throw nothing', async () => {
    const { events, device, links, service } = setup();
    const link = new FakeLink(1, device, events);
    links.push(link);
    const junk: BinaryNode[] = [
      { tag: 'receipt', attrs: {} },
      { tag: 'receipt', attrs: { id: 'nope', type: 'retry' }, content: [{ tag: 'keys', attrs: {}, content: 'x' }] },
      { tag: 'ack', attrs: { class: 'message' } },
      { tag: 'message', attrs: {} },
      { tag: 'message', attrs: { id: 'X', to: 'not a jid' }, content: [{ tag: 'enc', attrs: {}, content: 'text, not bytes' }] },
      { tag: 'message', attrs: { id: 'Y', to: ALICE }, content: [{ tag: 'participants', attrs: {}, content: Buffer.from('x') }] },
    ];
    for (const n of junk) expect(() => service.onStanza(link, n)).not.toThrow();
    expect(() => service.answerUsync(link, { tag: 'iq', attrs: {} })).not.toThrow();
    expect(() => service.answerKeyRequest(link, { tag: 'iq', attrs: {}, content: [{ tag: 'key', attrs: {}, content: [{ tag: 'user', attrs: {} }] }] })).not.toThrow();
    expect(() => service.onKeyUpload(link, { tag: 'iq', attrs: {}, content: [{ tag: 'list', attrs: {} }] })).not.toThrow();
    expect(events.list({ type: 'protocol-error' }).map((e) => e.detail!.error)).toEqual([expect.stringMatching(/^key upload: registration is missing/)]);
    await settle();
  });

  test('what a replaced connection never receipted goes to the connection that replaced it', async () => {
    const { events, device, links, service } = setup();
    const first = new FakeLink(1, device, events);
    links.push(first);
    const { id } = service.send({ from: ALICE, to: BOT, text: 'in flight' });
    await settle();
    const second = new FakeLink(2, device, events);
    links.push(second);
    service.onOpen(second); // nothing queued: the old connection still holds it
    first.open = false;
    service.onClosed(first);
    await settle();
    expect(second.sent.filter((n) => n.tag === 'message').map((n) => n.attrs.id)).toEqual([id]);
    expect(events.list({ type: 'message-sent' }).map((e) => [e.conn, e.detail!.attempt])).toEqual([
      [1, 1],
      [2, 2],
    ]);
  });
});
