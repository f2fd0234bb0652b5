/**
 * A module bot runs in the harness process: a socket it leaks (its stop() forgets it, or it makes
 * one after its stop) must not outlive its run. The harness ends every socket the bot's
 * makeWASocket made when the client stops, before the run's temp dir goes, and refuses new ones
 * (harness/bots/socket-tracker.ts). In CI a socket double-socket.mjs leaked saved its creds into
 * the removed dir: an unhandled ENOENT rejection that failed vitest although the test passed.
 */
import fc from 'fast-check';
import { existsSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { afterEach, beforeEach, describe, expect } from 'vitest';
import { virtualTest } from '../../harness/vitest.js';
import { systemClock } from '../../core/clock.js';
import { seedFrom } from '../../core/random.js';
import { versionsUnderTest } from '../../harness/baileys/versions.js';
import { loadConnector, moduleBot, type Connector, type ConnectorContext } from '../../harness/bots/module-bot.js';
import { runScenario } from '../../harness/scenario.js';
import { streamErrors } from '../../scenarios/stream-errors.js';

const seed = seedFrom(process.env.SCENARIO_SEED ?? '7');
// Real-world settings in virtual time (virtualTest): the runs take scale 1, the clock is fast.
const SCALE = 1;
// How long after a run a leftover would show itself (a reconnect loop, a late write).
const AFTER_MS = 1_500;

interface WsState {
  isOpen?: boolean;
  isConnecting?: boolean;
  isClosed?: boolean;
}
type Sock = { ws: WsState; end(e?: Error): unknown; ev: { on(event: string, fn: (arg: unknown) => void): void } };

/**
 * Wraps a connector so the test sees every socket it got from the Baileys it was handed, and what
 * each was doing when the run removed the bot's session directory (watched from the run's temp dir).
 */
function spied(inner: Connector) {
  const sockets: Sock[] = [];
  let liveAtRemoval: number | undefined;
  let watcher: FSWatcher | undefined;
  const live = () => sockets.filter((s) => s.ws.isOpen || s.ws.isConnecting).length;
  const connector: Connector = async (ctx: ConnectorContext) => {
    const mod = ctx.baileys as unknown as Record<string, unknown> & { default: { default?: unknown } };
    const real = (mod.default?.default ?? mod.default ?? mod.makeWASocket) as (config: Record<string, unknown>) => Sock;
    const make = (config: Record<string, unknown>) => {
      const sock = real(config);
      sockets.push(sock);
      return sock;
    };
    const baileys = new Proxy(ctx.baileys, { get: (t, k, r) => (k === 'default' || k === 'makeWASocket' ? make : Reflect.get(t, k, r)) });
    watcher = watch(dirname(ctx.authDir), (_, file) => {
      if (file !== basename(ctx.authDir) || liveAtRemoval !== undefined || existsSync(ctx.authDir)) return;
      liveAtRemoval = live();
    });
    watcher.on('error', () => undefined);
    return inner({ ...ctx, baileys });
  };
  return {
    connector,
    sockets,
    live,
    get liveAtRemoval() {
      return liveAtRemoval;
    },
    close: () => watcher?.close(),
  };
}

/**
 * The README loop (reconnect at once after any close but 401) with one mistake: its stop() ends the
 * current socket but does not stop the loop, so the close it causes starts another socket.
 * `halt()` is for the test only: it stops a loop the harness failed to stop.
 */
function reconnectsAfterItsStop() {
  let halted = false;
  const connector: Connector = async ({ baileys, wsUrl, authDir }) => {
    const makeWASocket = (baileys as unknown as { default: (c: Record<string, unknown>) => Sock }).default;
    const { state, saveCreds } = await baileys.useMultiFileAuthState(authDir);
    const { default: pino } = await import('pino');
    let current: Sock | undefined;
    const start = () => {
      if (halted) return;
      const sock = makeWASocket({ auth: state, waWebSocketUrl: wsUrl, logger: pino({ level: 'silent' }) });
      current = sock;
      sock.ev.on('creds.update', saveCreds as (arg: unknown) => void);
      sock.ev.on('connection.update', (u) => {
        const { connection, lastDisconnect } = u as { connection?: string; lastDisconnect?: { error?: { output?: { statusCode?: number } } } };
        if (connection === 'close' && lastDisconnect?.error?.output?.statusCode !== 401) start();
      });
    };
    start();
    return { stop: () => void current?.end(undefined) };
  };
  return { connector, halt: () => (halted = true) };
}

let rejections: unknown[] = [];
const onRejection = (reason: unknown) => rejections.push(reason);
beforeEach(() => {
  rejections = [];
  process.on('unhandledRejection', onRejection);
});
afterEach(() => {
  process.off('unhandledRejection', onRejection);
});

const rejected = () => rejections.map((r) => String((r as Error)?.stack ?? r));

describe.each(versionsUnderTest())('a module bot that leaks a socket, on Baileys %s', (version) => {
  virtualTest("its sockets are ended before the run's temp dir goes, and none it makes later connects", async () => {
    const bot = reconnectsAfterItsStop();
    const spy = spied(bot.connector);
    try {
      const run = await runScenario(streamErrors, [{ at: 500, fault: 'server-move', params: { kind: 'stream-error', code: 515 } }], { version, seed, scale: SCALE, clock: systemClock, bot: moduleBot('reconnects-after-its-stop', spy.connector) });
      expect(run.record.timeline.length).toBeGreaterThan(0);
      const made = spy.sockets.length;
      await new Promise((r) => setTimeout(r, AFTER_MS));
      expect(spy.liveAtRemoval, 'sockets open or connecting when the session dir was removed').toBe(0);
      expect(spy.live(), `sockets open or connecting ${AFTER_MS} ms after the run`).toBe(0);
      // Its loop made one more after its stop (refused: ended at once, and silent), then nothing.
      expect(spy.sockets.length, 'sockets made after the run').toBeLessThanOrEqual(made + 1);
      expect(rejected()).toEqual([]);
    } finally {
      bot.halt();
      spy.close();
      for (const s of spy.sockets) s.end(undefined);
    }
  }, { timeoutMs: 60_000 });
});

// The CI failure: double-socket.mjs (as in broken-bots.test.ts) leaks a socket when its stop lands
// while a reconnect is loading the session: about one run in four here. In virtual time this file runs
// in npm test's last pass, alone: in the first pass a CI sim starved this module bot while it started
// (it shares the run's event loop with the server) until its first connection closed before its open
// with no code from the server (the client's side gave up), and a bot that fights itself then never
// starts (the server's record: let in 3 times, closed 3 times (no code x2, 440 x1)).
const newest = versionsUnderTest().at(-1)!;
virtualTest(`double-socket as a module on Baileys ${newest}: no socket outlives its run, no unhandled rejection`, async () => {
  const inner = await loadConnector('test/support/broken-bots/double-socket.mjs');
  for (const schedule of fc.sample(streamErrors.schedules(), { seed, numRuns: 4 })) {
    const spy = spied(inner);
    try {
      await runScenario(streamErrors, schedule, { version: newest, seed, scale: SCALE, clock: systemClock, bot: moduleBot('test/support/broken-bots/double-socket.mjs', spy.connector) });
      await new Promise((r) => setTimeout(r, AFTER_MS));
      expect(spy.liveAtRemoval, `sockets open or connecting when the session dir was removed (${JSON.stringify(schedule)})`).toBe(0);
      expect(spy.live()).toBe(0);
      expect(rejected()).toEqual([]);
    } finally {
      spy.close();
      for (const s of spy.sockets) s.end(undefined);
    }
  }
}, { timeoutMs: 180_000 });
