/**
 * Chat messages through the fake server, judged by the real Baileys: what a contact sends arrives
 * as `messages.upsert` with its text (end-to-end encrypted with libsignal), what the bot sends is
 * decrypted by the contact, and the server's queue, receipts and retries behave as WhatsApp's.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { versionsUnderTest } from '../../harness/baileys/versions.js';
import type { FakeWhatsAppServer } from '../../fake-server/server.js';
import type { ServerEvent } from '../../fake-server/events.js';
import { startControlApi } from '../../fake-server/control-api.js';
import { provisionDevice } from '../../harness/provision.js';
import { connectClient, onCleanup, openClient, startServer, tempDir } from '../helpers.js';

const ALICE = '15559990001@s.whatsapp.net';
const BOB = '15559990002@s.whatsapp.net';
const CAROL = '15559990003@s.whatsapp.net';

interface Upsert {
  type: string;
  messages: { key: { id?: string; remoteJid?: string }; message?: { conversation?: string; extendedTextMessage?: { text?: string } } | null; messageStubType?: number }[];
}
interface Sock {
  ev: { on(event: string, fn: (arg: never) => void): void };
  readMessages(keys: unknown[]): Promise<void>;
  sendMessage(jid: string, content: { text: string }, opts?: { quoted?: unknown }): Promise<{ key: { id: string } }>;
}

/** Records every upserted message of a socket, with a bounded wait for one. */
function upserts(sock: Sock) {
  const seen: { type: string; id?: string; text?: string; stub?: number; raw: unknown }[] = [];
  const waiters: (() => void)[] = [];
  sock.ev.on('messages.upsert', ((u: Upsert) => {
    for (const m of u.messages) {
      seen.push({ type: u.type, id: m.key.id, text: m.message?.conversation ?? m.message?.extendedTextMessage?.text ?? undefined, stub: m.messageStubType ?? undefined, raw: m });
    }
    for (const w of waiters.splice(0)) w();
  }) as never);
  const waitFor = (pred: (m: (typeof seen)[number]) => boolean, ms: number, what: string) =>
    new Promise<(typeof seen)[number]>((resolve, reject) => {
      const check = () => {
        const hit = seen.find(pred);
        if (hit) {
          clearTimeout(timer);
          resolve(hit);
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}; saw ${JSON.stringify(seen.map(({ raw: _, ...s }) => s))}`)), ms);
      if (check()) return;
      const again = () => {
        if (!check()) waiters.push(again);
      };
      waiters.push(again);
    });
  return { seen, waitFor };
}

/** 7.x holds events 20 s for a history sync on a first connection; the fake server sends none. */
const socketConfig = { shouldSyncHistoryMessage: () => false };

/** Polls a condition on the client's side (its events arrive on its own schedule), bounded. */
async function until(cond: () => boolean, ms: number, what: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const wait = (server: FakeWhatsAppServer, type: ServerEvent['type'], pred: (d: Record<string, unknown>) => boolean, ms = 10_000) =>
  server.events.waitFor((e) => e.type === type && pred(e.detail ?? {}), ms, `server event ${type}`);

describe.each(versionsUnderTest())('messages with Baileys %s', (version) => {
  test('a contact’s text arrives as pkmsg, then msg; receipts come back', async () => {
    const server = await startServer();
    const { client, device } = await openClient(server, version, { socketConfig });
    const sock = client.socket as unknown as Sock;
    const got = upserts(sock);

    const { id } = server.messages.send({ from: ALICE, to: device.jid, text: 'hello bot' });
    const first = await got.waitFor((m) => m.id === id, 10_000, 'the first message');
    expect(first).toMatchObject({ type: 'notify', text: 'hello bot' });
    const receipted = await wait(server, 'message-receipted', (d) => d.id === id);
    expect(receipted.jid).toBe(device.jid);
    expect(server.events.list({ type: 'message-sent' }).find((e) => e.detail?.id === id)?.detail).toMatchObject({ enc: 'pkmsg', offline: false, attempt: 1, from: ALICE, to: device.jid });

    const second = server.messages.send({ from: ALICE, to: device.jid, text: 'second' });
    expect(await got.waitFor((m) => m.id === second.id, 10_000, 'the second message')).toMatchObject({ type: 'notify', text: 'second' });
    expect(server.events.list({ type: 'message-sent' }).find((e) => e.detail?.id === second.id)?.detail).toMatchObject({ enc: 'msg' });
    await wait(server, 'message-receipted', (d) => d.id === second.id);
  });

  test('the bot’s quoted answer is decrypted by the contact and acked', async () => {
    const server = await startServer();
    const { client, device } = await openClient(server, version, { socketConfig });
    const sock = client.socket as unknown as Sock;
    const got = upserts(sock);
    const { id } = server.messages.send({ from: BOB, to: device.jid, text: 'ping 1' });
    const inbound = await got.waitFor((m) => m.id === id, 10_000, 'the message');

    const statuses: { id?: string; status?: number }[] = [];
    sock.ev.on('messages.update', ((updates: { key: { id?: string }; update: { status?: number } }[]) => {
      for (const u of updates) statuses.push({ id: u.key.id, status: u.update.status });
    }) as never);
    const sent = await sock.sendMessage(BOB, { text: 'pong 1' }, { quoted: inbound.raw });
    const answered = await wait(server, 'message-answered', (d) => d.id === sent.key.id);
    expect(answered.jid).toBe(device.jid);
    expect(answered.detail).toMatchObject({ from: device.jid, to: BOB, text: 'pong 1', inReplyTo: id });
    await wait(server, 'message-acked', (d) => d.id === sent.key.id);
    // Both versions encrypt a copy for the bot's own phone (device 0 of its number): it needs a bundle.
    expect(server.messages.sent().find((m) => m.id === sent.key.id)!.recipients).toContain(`${device.jid.split(':')[0]}@s.whatsapp.net`);
    // The contact's phone receipts it: the bot sees status 3 (delivered).
    await until(() => statuses.some((u) => u.id === sent.key.id && u.status === 3), 10_000, () => `status 3 for ${sent.key.id}; saw ${JSON.stringify(statuses)}`);

    // An answer that quotes nothing is matched by the inbound text it contains.
    const echo = await sock.sendMessage(BOB, { text: 'echo: ping 1' });
    expect((await wait(server, 'message-answered', (d) => d.id === echo.key.id)).detail).toMatchObject({ text: 'echo: ping 1', inReplyTo: id });

    // The bot reads the message: a read receipt (the server's privacy answer has read receipts on).
    await sock.readMessages([(inbound.raw as { key: unknown }).key]);
    await wait(server, 'message-receipted', (d) => d.id === id && d.receiptType === 'read');

    // A fresh chat (no session yet): the bot fetches the contact's key bundles, one copy per device.
    const fresh = await sock.sendMessage(CAROL, { text: 'hi carol' });
    expect((await wait(server, 'message-answered', (d) => d.id === fresh.key.id)).detail).toMatchObject({ to: CAROL, text: 'hi carol' });
    // Carol has two devices: each decrypted its own copy (7.x addresses them by LID).
    const carol = server.messages.contacts().find((c) => c.jid === CAROL)!;
    const copies = server.messages.sent().find((m) => m.id === fresh.key.id)!.decryptedBy;
    expect(copies.map((j) => j.replace(carol.lid.split('@')[0]!, '15559990003').replace('@lid', '@s.whatsapp.net')).sort()).toEqual([CAROL, '15559990003:1@s.whatsapp.net'].sort());
  });

  test('a message for a bot that is offline is queued, delivered at login as append, the marker after its receipt', async () => {
    const server = await startServer();
    const { client, device, authDir, conn } = await openClient(server, version, { socketConfig });
    await client.end();
    await server.events.waitFor((e) => e.type === 'closed' && e.conn === conn, 10_000, 'the first connection to close');

    const { id } = server.messages.send({ from: ALICE, to: device.jid, text: 'while you were away' });
    const queued = await wait(server, 'message-queued', (d) => d.id === id);
    expect(queued).toMatchObject({ jid: device.jid, conn: null, detail: { from: ALICE, to: device.jid, text: 'while you were away' } });

    const again = await connectClient(server, version, { authDir, socketConfig });
    const got = upserts(again.socket as unknown as Sock);
    expect(await got.waitFor((m) => m.id === id, 15_000, 'the queued message')).toMatchObject({ type: 'append', text: 'while you were away' });
    const sent = await wait(server, 'message-sent', (d) => d.id === id);
    expect(sent.detail).toMatchObject({ offline: true, attempt: 1, enc: 'pkmsg' });
    const receipted = await wait(server, 'message-receipted', (d) => d.id === id);
    const marker = await server.events.waitFor((e) => e.type === 'offline-marker' && e.conn === sent.conn, 10_000, 'the offline marker');
    expect(marker.detail).toEqual({ count: 1, after: 'receipts' });
    expect(marker.seq).toBeGreaterThan(receipted.seq);
    expect(server.messages.list().find((m) => m.id === id)?.deliveries).toEqual([expect.objectContaining({ to: device.jid, state: 'receipted', attempts: 1, offline: true })]);
  });

  test('a bot that lost its Signal session asks for a retry and decrypts the resend', async () => {
    const server = await startServer();
    const { client, device, authDir, conn } = await openClient(server, version, { socketConfig });
    const got = upserts(client.socket as unknown as Sock);
    const first = server.messages.send({ from: ALICE, to: device.jid, text: 'first' });
    await got.waitFor((m) => m.id === first.id, 10_000, 'the first message');
    await wait(server, 'message-receipted', (d) => d.id === first.id);
    await client.end();
    await server.events.waitFor((e) => e.type === 'closed' && e.conn === conn, 10_000, 'the first connection to close');
    // The bot forgets every Signal session; the contact's side still has its (now confirmed) one.
    const sessions = (await readdir(authDir)).filter((f) => f.startsWith('session-'));
    expect(sessions.length).toBeGreaterThan(0);
    for (const f of sessions) await rm(join(authDir, f));

    const again = await connectClient(server, version, { authDir, socketConfig });
    await again.waitFor('open', 15_000);
    await server.events.waitFor((e) => e.type === 'offline-marker' && e.jid === device.jid && e.conn !== conn, 10_000, 'the second login');
    const after = upserts(again.socket as unknown as Sock);
    const { id } = server.messages.send({ from: ALICE, to: device.jid, text: 'can you read this' });
    expect((await wait(server, 'message-sent', (d) => d.id === id)).detail).toMatchObject({ enc: 'msg', attempt: 1 });
    const failed = await wait(server, 'message-decrypt-failed', (d) => d.id === id, 15_000);
    expect(failed).toMatchObject({ jid: device.jid, detail: { from: ALICE, to: device.jid, retryCount: 1 } });
    // 6.7.21 first asks its own phone for the message and sends the retry receipt 5 s later.
    const gap = failed.t - (await wait(server, 'message-sent', (d) => d.id === id)).t;
    if (version.startsWith('6.')) expect(gap).toBeGreaterThanOrEqual(4_900);
    else expect(gap).toBeLessThan(4_900); // 7.x: at once
    expect((await wait(server, 'message-sent', (d) => d.id === id && d.attempt === 2)).detail).toMatchObject({ enc: 'pkmsg' });
    expect(await after.waitFor((m) => m.id === id && m.text !== undefined, 15_000, 'the resent message')).toMatchObject({ text: 'can you read this' });
    await wait(server, 'message-receipted', (d) => d.id === id);
  });

  test('a delivery the bot never receipted is redelivered at its next login', async () => {
    const server = await startServer();
    const { client, device, authDir, conn } = await openClient(server, version, { socketConfig });
    // The link goes silent: the server writes the message into a black hole and no receipt comes.
    server.apply({ kind: 'silence' }, conn);
    const { id } = server.messages.send({ from: BOB, to: device.jid, text: 'lost in transit' });
    expect((await wait(server, 'message-sent', (d) => d.id === id)).detail).toMatchObject({ attempt: 1, offline: false });
    server.apply({ kind: 'drop' }, conn);
    await client.waitFor('close', 10_000);
    await client.end();

    const again = await connectClient(server, version, { authDir, socketConfig });
    const got = upserts(again.socket as unknown as Sock);
    expect(await got.waitFor((m) => m.id === id, 15_000, 'the redelivered message')).toMatchObject({ type: 'append', text: 'lost in transit' });
    expect((await wait(server, 'message-sent', (d) => d.id === id && d.attempt === 2)).detail).toMatchObject({ offline: true });
    await wait(server, 'message-receipted', (d) => d.id === id);
  });

  test('a bot whose pre-keys the server holds but never received gets the text as <plaintext>', async () => {
    const server = await startServer();
    const authDir = await tempDir();
    const device = await provisionDevice(server, { authDir, baileysVersion: version, preKeys: 'held-by-server' });
    const client = await connectClient(server, version, { authDir, socketConfig });
    await client.waitFor('open', 15_000);
    await server.events.waitFor((e) => e.type === 'offline-marker' && e.jid === device.jid, 10_000, 'the login');
    const got = upserts(client.socket as unknown as Sock);
    const { id } = server.messages.send({ from: ALICE, to: device.jid, text: 'no keys to encrypt to' });
    expect(await got.waitFor((m) => m.id === id, 10_000, 'the message')).toMatchObject({ type: 'notify', text: 'no keys to encrypt to' });
    expect((await wait(server, 'message-sent', (d) => d.id === id)).detail).toMatchObject({ enc: 'plaintext' });
    await wait(server, 'message-receipted', (d) => d.id === id);
  });

  // The other tests turn history sync off (socketConfig), as messages.md expected 7.x to hold
  // events 20 s after a first login's marker; with the default config nothing waits.
  test('with the default config (history sync on), a live message reaches the handler at once', async () => {
    const server = await startServer();
    const { client, device } = await openClient(server, version);
    const got = upserts(client.socket as unknown as Sock);
    const started = Date.now();
    const { id } = server.messages.send({ from: BOB, to: device.jid, text: 'are you there' });
    expect(await got.waitFor((m) => m.id === id, 10_000, 'the message')).toMatchObject({ type: 'notify', text: 'are you there' });
    expect(Date.now() - started).toBeLessThan(5_000);
    await wait(server, 'message-receipted', (d) => d.id === id);
  });

  test('a group message from a contact arrives with its sender key (skmsg), and the bot’s answer in the group is read by every member', async () => {
    const server = await startServer();
    const { client, device } = await openClient(server, version, { socketConfig });
    const sock = client.socket as unknown as Sock;
    const got = upserts(sock);
    const group = server.messages.group().jid;
    const first = server.messages.send({ from: CAROL, to: group, text: 'hello group' });
    const m1 = await got.waitFor((m) => m.id === first.id, 10_000, 'the group message');
    expect(m1).toMatchObject({ type: 'notify', text: 'hello group' });
    expect((m1.raw as { key: { remoteJid: string; participant: string } }).key).toMatchObject({ remoteJid: group, participant: CAROL });
    expect((await wait(server, 'message-sent', (d) => d.id === first.id)).detail).toMatchObject({ enc: 'skmsg', group, to: device.jid, senderKey: true });
    await wait(server, 'message-receipted', (d) => d.id === first.id);
    // The second needs no sender key: the bot holds Carol's chain.
    const second = server.messages.send({ from: CAROL, to: group, text: 'again' });
    expect(await got.waitFor((m) => m.id === second.id, 10_000, 'the second group message')).toMatchObject({ text: 'again' });
    expect((await wait(server, 'message-sent', (d) => d.id === second.id)).detail).toMatchObject({ enc: 'skmsg', senderKey: false });
    await wait(server, 'message-receipted', (d) => d.id === second.id);

    // The bot answers in the group: its sender key goes to every member device, the text once as skmsg.
    const sent = await sock.sendMessage(group, { text: 'hi all' }, { quoted: m1.raw });
    const answered = await wait(server, 'message-answered', (d) => d.id === sent.key.id);
    expect(answered.detail).toMatchObject({ from: device.jid, to: group, text: 'hi all', inReplyTo: first.id });
    expect(server.messages.sent().find((m) => m.id === sent.key.id)!.decryptedBy).toHaveLength(4); // Alice, Bob, Carol's two
    const later = await sock.sendMessage(group, { text: 'and again' });
    expect((await wait(server, 'message-answered', (d) => d.id === later.key.id)).detail).toMatchObject({ to: group, text: 'and again' });
  });

  test('a burst of 40 messages from two contacts arrives whole, each receipted once', async () => {
    const server = await startServer();
    const { client, device } = await openClient(server, version, { socketConfig });
    const got = upserts(client.socket as unknown as Sock);
    const sent = Array.from({ length: 40 }, (_, n) => server.messages.send({ from: n % 2 ? ALICE : BOB, to: device.jid, text: `burst ${n}` }));
    for (const [n, { id }] of sent.entries()) expect(await got.waitFor((m) => m.id === id, 15_000, `burst ${n}`)).toMatchObject({ text: `burst ${n}` });
    await until(() => server.messages.list().every((m) => m.deliveries.every((d) => d.state === 'receipted')), 10_000, () => JSON.stringify(server.messages.list().filter((m) => m.deliveries.some((d) => d.state !== 'receipted'))));
    expect(server.events.list({ type: 'message-receipted' })).toHaveLength(40);
    expect(server.events.list({ type: 'message-decrypt-failed' })).toHaveLength(0);
    expect(got.seen.filter((m) => m.text?.startsWith('burst'))).toHaveLength(40); // no duplicates
  });

  test('20 messages queued while offline arrive in order as append, the marker counting them after their receipts', async () => {
    const server = await startServer();
    const { client, device, authDir, conn } = await openClient(server, version, { socketConfig });
    await client.end();
    await server.events.waitFor((e) => e.type === 'closed' && e.conn === conn, 10_000, 'the first connection to close');
    const ids = Array.from({ length: 20 }, (_, n) => server.messages.send({ from: n % 2 ? ALICE : CAROL, to: device.jid, text: `queued ${n}` }).id);
    const again = await connectClient(server, version, { authDir, socketConfig });
    const got = upserts(again.socket as unknown as Sock);
    const marker = await server.events.waitFor((e) => e.type === 'offline-marker' && e.jid === device.jid && e.conn !== conn, 20_000, 'the offline marker');
    expect(marker.detail).toEqual({ count: 20, after: 'receipts' });
    for (const id of ids) await got.waitFor((m) => m.id === id, 10_000, `queued ${id}`);
    const order = got.seen.filter((m) => m.text?.startsWith('queued'));
    expect(order.map((m) => [m.type, m.text])).toEqual(ids.map((_, n) => ['append', `queued ${n}`]));
  });

  test('a delivery lost on a connection that another login replaced (440) reaches the new one', async () => {
    const server = await startServer();
    const { device, authDir, conn } = await openClient(server, version, { socketConfig });
    server.apply({ kind: 'silence' }, conn); // written into a black hole: no receipt
    const { id } = server.messages.send({ from: BOB, to: device.jid, text: 'who gets this' });
    await wait(server, 'message-sent', (d) => d.id === id && d.attempt === 1);
    const second = await connectClient(server, version, { authDir, socketConfig });
    const got = upserts(second.socket as unknown as Sock);
    expect(await got.waitFor((m) => m.id === id, 15_000, 'the message on the new connection')).toMatchObject({ text: 'who gets this' });
    const redelivered = await wait(server, 'message-sent', (d) => d.id === id && d.attempt === 2);
    expect(redelivered.conn).not.toBe(conn);
    await wait(server, 'message-receipted', (d) => d.id === id);
  });
});

describe('messages over the control API', () => {
  const [version] = versionsUnderTest().slice(-1);

  test('POST /messages is locked, refuses an unknown contact or bot with a 400 that says what to use, and delivers', async () => {
    const server = await startServer();
    const ctl = await startControlApi(server);
    onCleanup(() => ctl.close());
    const { client, device } = await openClient(server, version!, { socketConfig });
    const got = upserts(client.socket as unknown as Sock);
    const post = (body: unknown, token = ctl.token) =>
      fetch(`${ctl.url}/messages`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as { id?: string; error?: string },
      }));

    expect((await post({ from: ALICE, to: device.jid, text: 'x' }, 'not-the-token-at-all')).status).toBe(401);
    const stranger = await post({ from: '19999999999@s.whatsapp.net', to: device.jid, text: 'x' });
    expect(stranger).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^Failed to accept the message: "from" .* is not a simulated contact.*Use one of 15559990001@s\.whatsapp\.net/) } });
    const nobody = await post({ from: ALICE, to: '19999999999:1@s.whatsapp.net', text: 'x' });
    expect(nobody).toMatchObject({ status: 400, body: { error: expect.stringMatching(/"to" .* names no registered bot device\. Use a device jid from GET \/devices/) } });
    expect((await post({ from: ALICE, text: 'x' })).status).toBe(400);

    const contacts = (await (await fetch(`${ctl.url}/contacts`)).json()) as { jid: string; lid: string }[];
    expect(contacts.map((c) => c.jid)).toEqual([ALICE, BOB, CAROL]);
    expect(contacts[0]!.lid).toBe(`${server.lidFor('15559990001')}@lid`);

    const ok = await post({ from: ALICE, to: device.jid, text: 'over http' });
    expect(ok.status).toBe(201);
    expect(await got.waitFor((m) => m.id === ok.body.id, 10_000, 'the message')).toMatchObject({ text: 'over http' });
    await wait(server, 'message-receipted', (d) => d.id === ok.body.id);
    // A user jid (no device) reaches every device of that number.
    const toUser = await post({ from: BOB, to: `${device.jid.split(':')[0]}@s.whatsapp.net`, text: 'to the number' });
    expect(await got.waitFor((m) => m.id === toUser.body.id, 10_000, 'the message to the user jid')).toMatchObject({ text: 'to the number' });
    const listed = (await (await fetch(`${ctl.url}/messages`)).json()) as { inbound: { id: string; deliveries: { state: string }[] }[] };
    expect(listed.inbound.find((m) => m.id === ok.body.id)?.deliveries).toEqual([expect.objectContaining({ state: 'receipted' })]);
  });
});
