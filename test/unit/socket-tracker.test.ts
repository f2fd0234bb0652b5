/**
 * The Baileys a module bot is given (harness/bots/socket-tracker.ts): the loaded module with its
 * makeWASocket recording each socket; the harness ends them all when the client stops and refuses
 * new ones after. The e2e side (real sockets, a real run) is test/e2e/module-bot-sockets.test.ts.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, test } from 'vitest';
import { loadBaileys, versionsUnderTest, type BaileysModule, type BaileysSocket } from '../../harness/baileys/versions.js';
import { trackSockets } from '../../harness/bots/socket-tracker.js';

/** A socket like Baileys 6.x's: end() emits the close within, once. */
function fakeSocket() {
  const ev = new EventEmitter();
  let closed = false;
  const sock = {
    ev,
    ws: { isClosed: false, close() {} },
    end() {
      if (closed) return;
      closed = true;
      sock.ws.isClosed = true;
      ev.emit('connection.update', { connection: 'close' });
    },
  };
  return sock as unknown as BaileysSocket & { ws: { isClosed: boolean } };
}

const fakeModule = () => {
  const made: ReturnType<typeof fakeSocket>[] = [];
  const make = () => {
    const s = fakeSocket();
    made.push(s);
    return s;
  };
  return { made, mod: { default: make, makeWASocket: make, DisconnectReason: { loggedOut: 401 } } as unknown as BaileysModule };
};

describe.each(versionsUnderTest())('the module handed to a bot, Baileys %s', (version) => {
  test('is the loaded module but for makeWASocket, which is one recording function wherever a bot looks', async () => {
    const real = await loadBaileys(version);
    const { baileys } = trackSockets(real);
    const r = real as unknown as Record<PropertyKey, unknown>;
    const w = baileys as unknown as Record<PropertyKey, unknown> & { default: { default?: unknown } };
    const keys = (o: object) => Reflect.ownKeys(o).map(String).sort();
    expect(keys(w)).toEqual(keys(r));
    for (const key of Reflect.ownKeys(r)) if (key !== 'default' && key !== 'makeWASocket') expect(w[key], String(key)).toBe(r[key]);
    expect(w.default).not.toBe(r.default);
    const found = w.default?.default ?? w.default ?? w.makeWASocket;
    expect(found).toBe(w.makeWASocket);
    expect(Object.prototype.toString.call(w)).toBe('[object Module]');
  });
});

test('endAll ends every socket still open, waits for their close, and refuses new ones: ended at once and silent', async () => {
  const { made, mod } = fakeModule();
  const tracker = trackSockets(mod);
  const a = tracker.baileys.default({});
  const b = tracker.baileys.makeWASocket!({});
  a.end();
  expect(tracker.live()).toBe(1);
  expect(made.map((s) => s.ws.isClosed)).toEqual([true, false]);
  await tracker.endAll(1_000);
  expect(made.map((s) => s.ws.isClosed)).toEqual([true, true]);
  expect(tracker.live()).toBe(0);
  const late = tracker.baileys.default({});
  expect(made.at(-1)!.ws.isClosed).toBe(true);
  let heard = false;
  late.ev.on('connection.update', () => (heard = true));
  expect(heard).toBe(false);
  expect([tracker.made, tracker.refused]).toEqual([2, 1]);
  expect(b).toBe(made[1]);
});

test('a bot that reconnects on the close its own stop caused: the new socket is ended too', async () => {
  const { made, mod } = fakeModule();
  const tracker = trackSockets(mod);
  const make = tracker.baileys.default;
  const start = () => make({}).ev.on('connection.update', (u: { connection?: string }) => u.connection === 'close' && start());
  start();
  made[0]!.end(); // the bot's stop: its close handler starts another socket at once
  await tracker.endAll(1_000);
  expect(made.length).toBe(3); // the first, the one its stop started, one refused when that one closed
  expect(made.every((s) => s.ws.isClosed)).toBe(true);
  expect([tracker.made, tracker.refused]).toEqual([2, 1]);
});

test('endAll is bounded: a socket that never closes does not hold the stop longer than the timeout', async () => {
  const tracker = trackSockets({ default: () => ({ ev: new EventEmitter(), ws: { isClosed: false }, end: () => new Promise(() => undefined) }) } as unknown as BaileysModule);
  tracker.baileys.default({});
  const t = Date.now();
  await tracker.endAll(200);
  expect(Date.now() - t).toBeLessThan(1_000);
  expect(tracker.live()).toBe(1);
});
