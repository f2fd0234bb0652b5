/**
 * Client clock faults on a real Baileys client (in process, Date shim). Baileys' keep-alive
 * compares `Date.now()` with the `new Date()` of the last frame received, so a wall-clock step
 * changes what it concludes. These tests record what it does.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { versionsUnderTest } from '../../../harness/baileys/versions.js';
import { systemClock } from '../../../core/clock.js';
import { DateShim } from '../../../harness/faults/clock/date-shim.js';
import { openClient, startServer } from '../../helpers.js';

const shim = new DateShim(systemClock);
afterEach(() => shim.restore());

describe.each(versionsUnderTest())('client clock faults, Baileys %s', (version) => {
  test('a forward jump larger than the keep-alive window ends a healthy, idle connection with 408', async () => {
    const server = await startServer();
    shim.install();
    const { client, conn } = await openClient(server, version, { keepAliveIntervalMs: 1000 });
    // Idle means nothing in flight: right after a ping's pong has landed. (A frame received after
    // the jump stamps lastDateRecv with the jumped clock, and the jump goes unnoticed.)
    await server.events.waitFor((e) => e.type === 'ping' && e.conn === conn, 5_000, 'a ping');
    await new Promise((r) => setTimeout(r, 200));
    const jumpedAt = systemClock.now();
    shim.jump(60_000);
    const close = await client.waitFor('close', 5_000);
    expect(close.code).toBe(408);
    // The next keep-alive tick (≤ 1 interval) sees "no frame for 60 s".
    expect(close.t - jumpedAt).toBeLessThan(1_500);
    expect(server.listConnections({ live: true }).filter((c) => c.silenced)).toEqual([]);
  });

  test('a backward jump while the server is silent delays the 408 by the size of the jump', async () => {
    const server = await startServer();
    shim.install();
    const { client } = await openClient(server, version, { keepAliveIntervalMs: 1000 });
    const silencedAt = systemClock.now();
    server.apply({ kind: 'silence' });
    shim.jump(-5_000);
    const close = await client.waitFor('close', 20_000);
    const detectMs = close.t - silencedAt;
    console.log(`Baileys ${version}: silence + 5 s backward jump detected after ${detectMs.toFixed(0)} ms (≈ 6–7 s without the jump)`);
    expect(close.code).toBe(408);
    expect(detectMs).toBeGreaterThan(10_500);
    expect(detectMs).toBeLessThan(13_500);
  }, 30_000);
});

test('the shim moves Date.now() and new Date() but not timers or the harness clock, and restores', async () => {
  const realNow = Date.now();
  shim.install();
  shim.jump(3_600_000);
  expect(Date.now() - realNow).toBeGreaterThan(3_599_000);
  expect(new Date().getTime() - realNow).toBeGreaterThan(3_599_000);
  expect(new Date(0).getTime()).toBe(0);
  const t0 = systemClock.now();
  await new Promise((r) => setTimeout(r, 50));
  expect(systemClock.now() - t0).toBeLessThan(1_000);
  shim.drift(1); // twice as fast
  const d0 = Date.now();
  await new Promise((r) => setTimeout(r, 100));
  expect(Date.now() - d0).toBeGreaterThan(180);
  shim.restore();
  expect(Math.abs(Date.now() - realNow)).toBeLessThan(5_000);
});

describe('client clock faults in a subprocess', () => {
  test('a forward jump sent to one child ends its idle connection with 408; the harness clock is untouched', async () => {
    const { ChildClient } = await import('../../../harness/drivers/subprocess.js');
    const { provisionDevice } = await import('../../../harness/provision.js');
    const { openSessionStore } = await import('../../../harness/session/index.js');
    const { DEFAULT_SUPERVISOR_CONFIG } = await import('../../../harness/supervisor/config.js');
    const { tempDir, onCleanup } = await import('../../helpers.js');
    const { join } = await import('node:path');
    const version = versionsUnderTest().at(-1)!;
    const server = await startServer();
    const store = { type: 'sqlite' as const, path: join(await tempDir(), 's.db') };
    await provisionDevice(server, { store: openSessionStore(store), baileysVersion: version });
    const child = new ChildClient({ version, store, wsUrl: server.wsUrl, trustedPublicKey: server.trustedPublicKey.toString('base64'), config: { ...DEFAULT_SUPERVISOR_CONFIG, keepAliveIntervalMs: 1000 }, seed: 1 });
    onCleanup(() => child.stop());
    await child.events.waitFor((e) => e.type === 'open', 20_000, 'open', () => child.error ?? '');
    const conn = server.listConnections({ live: true })[0]!.id;
    let pings = 0;
    await server.events.waitFor((e) => e.type === 'ping' && e.conn === conn && ++pings >= 2, 5_000, 'pings');
    await new Promise((r) => setTimeout(r, 200)); // idle: the last pong has landed
    const before = Date.now();
    child.clock('jump', 120_000);
    const close = await child.events.waitFor((e) => e.type === 'close', 5_000, 'the 408');
    expect(close).toMatchObject({ code: 408 });
    expect(Math.abs(Date.now() - before)).toBeLessThan(10_000); // our own clock did not move
  });
});
