/**
 * One schedule, three places faults are made (Toxiproxy, the fake server, the client's clock),
 * applied to a real Baileys client under the supervisor; applying and clearing each fault are
 * events on the same clock as the client's and the server's.
 */
import { describe, expect, test } from 'vitest';
import { versionsUnderTest } from '../../../harness/baileys/versions.js';
import { systemClock } from '../../../core/clock.js';
import { DateShim } from '../../../harness/faults/clock/date-shim.js';
import { injectorFor, shimClockOp } from '../../../harness/faults/injectors.js';
import { parseSchedule, runSchedule } from '../../../harness/faults/schedule.js';
import type { SupervisorEvent } from '../../../harness/supervisor/supervisor.js';
import { onCleanup } from '../../helpers.js';
import { superviseThroughToxiproxy } from '../../support/proxied-supervisor.js';

describe.each(versionsUnderTest())('a fault schedule on Baileys %s', (version) => {
  test('blackhole → 408 → recovery; then a 503 → backoff → open; every step on one clock', async () => {
    const { server, toxiproxy, proxy, supervisor } = await superviseThroughToxiproxy(version, { store: 'sqlite', seed: 3 });

    const schedule = parseSchedule([
      { at: 0, duration: 8_000, fault: 'toxic', params: { type: 'timeout', stream: 'downstream', attributes: { timeout: 0 } } },
      { at: 10_000, fault: 'server-move', params: { kind: 'stream-error', code: 503 } },
    ]);
    const shim = new DateShim(systemClock);
    onCleanup(() => shim.restore());
    const run = runSchedule(schedule, [injectorFor({ proxy: { client: toxiproxy.client, name: proxy.name, clock: systemClock }, server, clock: shimClockOp(shim) })], systemClock);
    onCleanup(() => run.cancel());
    await run.done;
    let opens = 0;
    await supervisor.events.waitFor((e) => e.type === 'open' && ++opens === 3, 15_000, 'the third open');

    const faults = run.events.list();
    expect(faults.map((e) => [e.type, e.fault])).toEqual([
      ['fault-applied', 'toxic'],
      ['fault-cleared', 'toxic'],
      ['fault-applied', 'server-move'],
    ]);
    const closes = supervisor.events.list((e) => e.type === 'close') as Extract<SupervisorEvent, { type: 'close' }>[];
    // During the blackhole: the 408, and 408s of retries that met it too; then the 503.
    const codes = closes.map((c) => c.code);
    expect(codes.at(-1)).toBe(503);
    expect(codes.slice(0, -1).length).toBeGreaterThanOrEqual(1);
    expect(new Set(codes.slice(0, -1))).toEqual(new Set([408]));
    // On one clock: the first 408 falls inside the blackhole, the 503 after the move.
    expect(closes[0]!.t).toBeGreaterThan(faults[0]!.t);
    expect(closes[0]!.t).toBeLessThan(faults[1]!.t);
    expect(closes.at(-1)!.t).toBeGreaterThan(faults[2]!.t);
    const reopened = supervisor.events.list((e) => e.type === 'open');
    console.log(
      `schedule on ${version}: closes ${codes.join(',')}; first 408 after ${(closes[0]!.t - faults[0]!.t).toFixed(0)} ms of blackhole; open ${(reopened[1]!.t - faults[1]!.t).toFixed(0)} ms after it cleared; open ${(reopened[2]!.t - closes.at(-1)!.t).toFixed(0)} ms after the 503`,
    );
    expect(server.events.list({ type: 'registration' })).toHaveLength(0);
  }, 60_000);
});
