/**
 * Network faults from Toxiproxy on a real Baileys client under the reference supervisor. The
 * backend is the best available (the real toxiproxy-server when installed, as in CI; else the
 * embedded one): the conformance suite holds the two to the same behaviour.
 */
import { describe, expect, test } from 'vitest';
import { versionsUnderTest } from '../../../harness/baileys/versions.js';
import { systemClock } from '../../../core/clock.js';
import type { Supervisor, SupervisorEvent } from '../../../harness/supervisor/supervisor.js';
import { superviseThroughToxiproxy } from '../../support/proxied-supervisor.js';

const setup = (version: string) => superviseThroughToxiproxy(version);

const closes = (s: Supervisor) => s.events.list((e) => e.type === 'close') as Extract<SupervisorEvent, { type: 'close' }>[];

describe.each(versionsUnderTest())('Toxiproxy faults with Baileys %s', (version) => {
  test('blackhole (timeout toxic) → 408; once it clears, the same device logs in again', async () => {
    const { toxiproxy, proxy, supervisor, server, device, opens } = await setup(version);
    console.log(`toxiproxy backend: ${toxiproxy.kind} (${toxiproxy.detail})`);
    const appliedAt = systemClock.now();
    await toxiproxy.client.addToxic(proxy.name, { name: 'blackhole', type: 'timeout', stream: 'downstream', attributes: { timeout: 0 } });
    const lost = await supervisor.events.waitFor((e) => e.type === 'close', 15_000, 'the 408');
    expect(lost).toMatchObject({ code: 408 });
    const detectMs = lost.t - appliedAt;
    // Baileys' keep-alive: interval + 5 s at best, 2·interval + 5 s at worst (protocol.md).
    expect(detectMs).toBeGreaterThan(5_500);
    expect(detectMs).toBeLessThan(8_000);
    const clearedAt = systemClock.now();
    await toxiproxy.client.removeToxic(proxy.name, 'blackhole');
    const reopened = await opens(2, 15_000);
    console.log(`blackhole: detected in ${detectMs.toFixed(0)} ms, recovered ${(reopened.t - clearedAt).toFixed(0)} ms after it cleared`);
    const logins = server.events.list({ type: 'login' }).filter((e) => e.detail?.known);
    expect(logins.at(-1)!.jid).toBe(device.jid);
    expect(server.events.list({ type: 'registration' })).toHaveLength(0);
  }, 60_000);

  test('reset_peer → the connection closes; after it clears, the supervisor reconnects', async () => {
    const { toxiproxy, proxy, supervisor, opens } = await setup(version);
    await toxiproxy.client.addToxic(proxy.name, { name: 'reset', type: 'reset_peer', stream: 'upstream', attributes: { timeout: 0 } });
    const closed = await supervisor.events.waitFor((e) => e.type === 'close', 10_000, 'the close');
    console.log(`reset_peer on an open connection: Baileys reports ${(closed as { code?: number }).code}`);
    expect([428, 408, 500]).toContain((closed as { code?: number }).code);
    await toxiproxy.client.removeToxic(proxy.name, 'reset');
    await opens(2, 15_000);
  }, 60_000);

  test('steady 3 s latency with a 1 s keep-alive: pipelined pongs keep it open (observed, see README)', async () => {
    const { toxiproxy, proxy, supervisor, server } = await setup(version);
    await toxiproxy.client.addToxic(proxy.name, { name: 'slow', type: 'latency', stream: 'downstream', attributes: { latency: 3000, jitter: 0 } });
    const pingsBefore = server.events.list({ type: 'ping' }).length;
    // A bounded observation window: twice Baileys' 408 threshold (interval + 5 s).
    await new Promise((r) => setTimeout(r, 12_000));
    expect(closes(supervisor)).toEqual([]);
    expect(server.events.list({ type: 'ping' }).length - pingsBefore).toBeGreaterThanOrEqual(8);
  }, 60_000);
});
