/**
 * A scenario proves its fault happened: the effect is read from the server's record, and a run
 * where it never appeared is unknown (never valid).
 */
import { describe, expect, test } from 'vitest';
import { conflictSeen, cutClosesOpen, judgeEffect, killCutsConnection, loggedOutDelivered, loginHung, loginsRefused, metLiveClient, racyLogin, silenceDeclaredDead, streamErrorsDelivered } from '../../harness/effects.js';
import { silencesLink } from '../../harness/faults/silence.js';
import type { Schedule } from '../../harness/faults/schedule.js';
import type { InvariantContext } from '../../harness/invariants.js';
import type { TimelineEntry } from '../../harness/recorder/timeline.js';
import { RESTART_PAD_MS, scaleSchedule, SILENCE_PAD_MS } from '../../harness/scenario.js';

const blackhole = (at: number, duration: number) => ({ at, duration, fault: 'toxic' as const, params: { type: 'timeout', stream: 'downstream', attributes: { timeout: 0 } } });
const server = (t: number, type: string, detail: Record<string, unknown> = {}): TimelineEntry => ({ t, source: 'server', client: 0, event: { t, type, detail } as never });
const fault = (t: number, type: 'fault-applied' | 'fault-cleared', index: number): TimelineEntry => ({ t, source: 'fault', event: { t, type, index, fault: 'toxic' } });
const ctx = (schedule: Schedule, timeline: TimelineEntry[]): InvariantContext => ({ run: { start: 0, end: 100_000, jids: ['1@s.whatsapp.net'], timeline }, schedule, judge: {} as never });

const silence = silenceDeclaredDead(silencesLink);

test('a 408 during the blackhole (the client closed the open connection while the link was silent) is the effect seen', () => {
  const r = judgeEffect(silence, ctx([blackhole(1_000, 60_000)], [server(0, 'open'), fault(1_000, 'fault-applied', 0), server(40_000, 'closed', { why: 'ws-close 1005', wasOpen: true }), fault(61_000, 'fault-cleared', 0)]));
  expect(r.verdict).toBe('valid');
});

test('a close only once the link returned (a 428, as at a time scale with no padding) is not the effect: unknown, with why', () => {
  const r = judgeEffect(silence, ctx([blackhole(1_000, 2_700)], [server(0, 'open'), fault(1_000, 'fault-applied', 0), fault(3_700, 'fault-cleared', 0), server(3_720, 'closed', { why: 'ws-close 1006', wasOpen: true })]));
  expect(r.verdict).toBe('unknown');
  expect(r.message).toMatch(/did not close before the link returned: no 408/);
});

test('a close the server made itself (it sent a code) is not the client declaring the link dead', () => {
  const r = judgeEffect(silence, ctx([blackhole(1_000, 60_000)], [server(0, 'open'), fault(1_000, 'fault-applied', 0), server(5_000, 'closed', { why: 'ws-close 1000', wasOpen: true, code: 515 }), fault(61_000, 'fault-cleared', 0)]));
  expect(r.verdict).toBe('unknown');
});

test('stream errors: each code sent to an open connection must close it with that code', () => {
  const move = (at: number, code: number) => ({ at, fault: 'server-move' as const, params: { kind: 'stream-error', code } });
  const seen = judgeEffect(streamErrorsDelivered, ctx([move(1_000, 515)], [server(0, 'open'), fault(1_000, 'fault-applied', 0), server(1_010, 'closed', { wasOpen: true, code: 515 })]));
  expect(seen.verdict).toBe('valid');
  const lost = judgeEffect(streamErrorsDelivered, ctx([move(1_000, 515)], [server(0, 'open'), fault(1_000, 'fault-applied', 0)]));
  expect(lost.verdict).toBe('unknown');
  expect(lost.message).toMatch(/stream error 515/);
});

test('at a time scale a silence keeps what does not scale and what follows it moves by as much; other faults scale plainly', () => {
  const move = { at: 100_000, fault: 'server-move' as const, params: { kind: 'stream-error', code: 515 } };
  const scaled = scaleSchedule([blackhole(10_000, 60_000), move], 0.04);
  expect(scaled[0]).toMatchObject({ at: 400, duration: 2_400 + SILENCE_PAD_MS });
  expect(scaled[1]!.at).toBe(4_000 + SILENCE_PAD_MS);
  expect(scaleSchedule([blackhole(10_000, 60_000)], 1)[0]).toMatchObject({ at: 10_000, duration: 60_000 });
});

test('at a time scale what follows a kill moves by a restart\'s machine time; what shares its time does not; at scale 1 nothing moves', () => {
  const kill = (at: number) => ({ at, fault: 'kill' as const });
  const move = (at: number) => ({ at, fault: 'server-move' as const, params: { kind: 'stream-error', code: 515 } });
  const scaled = scaleSchedule([kill(40_000), move(40_000), kill(90_000), move(150_000)], 0.04);
  expect(scaled.map((e) => e.at)).toEqual([1_600, 1_600, 3_600 + RESTART_PAD_MS, 6_000 + 2 * RESTART_PAD_MS]);
  expect(scaleSchedule([kill(40_000), kill(90_000)], 1).map((e) => e.at)).toEqual([40_000, 90_000]);
});

describe('each scenario proves its fault happened, from the server record', () => {
  const admission = (at: number, duration: number, params: Record<string, unknown>) => ({ at, duration, fault: 'admission' as const, params });
  const applied = (t: number, index: number, cleared?: number) => [fault(t, 'fault-applied', index), ...(cleared !== undefined ? [fault(cleared, 'fault-cleared', index)] : [])];

  test('an overload must refuse a login with its code; one that met no attempt proves nothing', () => {
    const s = [admission(1_000, 30_000, { refuseLogin: 503 })];
    expect(judgeEffect(loginsRefused, ctx(s, [...applied(1_000, 0, 31_000), server(2_000, 'login-refused', { reason: 503 })])).verdict).toBe('valid');
    const none = judgeEffect(loginsRefused, ctx(s, [...applied(1_000, 0, 31_000), server(32_000, 'login-refused', { reason: 503 })]));
    expect(none.verdict).toBe('unknown');
    expect(none.message).toMatch(/no login was refused before it cleared/);
  });

  test('a cut must close the connection open at the time, even one closed just before its stamp (the API answered late)', () => {
    const s = [{ at: 1_000, fault: 'server-restart' as const }];
    const restart = cutClosesOpen('server-restart');
    expect(judgeEffect(restart, ctx(s, [server(-5_000, 'open'), server(990, 'closed', { wasOpen: true }), ...applied(1_000, 0)])).verdict).toBe('valid');
    expect(judgeEffect(restart, ctx(s, [server(-5_000, 'open'), ...applied(1_000, 0)])).verdict).toBe('unknown');
    // Nothing open when it struck: not counted, so the run proved nothing.
    expect(judgeEffect(restart, ctx(s, [...applied(1_000, 0), server(2_000, 'open')])).message).toMatch(/no such fault met a live client/);
  });

  test('a 401 reaches the bot as a close or a refused login; a 440 anywhere proves two instances met', () => {
    const move = [{ at: 1_000, fault: 'server-move' as const, params: { kind: 'logged-out' } }];
    expect(judgeEffect(loggedOutDelivered, ctx(move, [server(-6_000, 'ws-open'), server(-5_000, 'open'), ...applied(1_000, 0), server(1_005, 'closed', { wasOpen: true, code: 401 })])).verdict).toBe('valid');
    expect(judgeEffect(loggedOutDelivered, ctx([admission(1_000, 60_000, { refuseLogin: 401 })], [...applied(1_000, 0, 61_000), server(3_000, 'login-refused', { reason: 401 })])).verdict).toBe('valid');
    expect(judgeEffect(loggedOutDelivered, ctx(move, [server(-6_000, 'ws-open'), server(-5_000, 'open'), ...applied(1_000, 0), server(1_005, 'closed', { wasOpen: true, code: 515 })])).verdict).toBe('unknown');
    expect(judgeEffect(conflictSeen, ctx([], [server(5_000, 'closed', { wasOpen: true, code: 440 })])).verdict).toBe('valid');
    expect(judgeEffect(conflictSeen, ctx([], [server(5_000, 'closed', { wasOpen: true, code: 515 })])).verdict).toBe('unknown');
  });

  test('hanging logins, the race window and kills each need their own sign', () => {
    expect(judgeEffect(loginHung, ctx([admission(1_000, 20_000, { withholdSuccess: true })], [...applied(1_000, 0, 21_000), server(2_000, 'success-withheld')])).verdict).toBe('valid');
    expect(judgeEffect(loginHung, ctx([admission(1_000, 20_000, { rejectUpgrade: 503 })], [...applied(1_000, 0, 21_000)])).verdict).toBe('unknown');
    expect(judgeEffect(racyLogin, ctx([admission(1_000, 20_000, { postHandshakeDelayMs: 0 })], [...applied(1_000, 0, 21_000), server(4_000, 'success-sent')])).verdict).toBe('valid');
    const kill = [{ at: 1_000, fault: 'kill' as const }];
    const connected = [server(-5_000, 'ws-open'), server(-4_000, 'login')];
    expect(judgeEffect(killCutsConnection, ctx(kill, [...connected, ...applied(1_000, 0), server(1_500, 'closed', { why: 'ws-close 1006', wasOpen: false })])).verdict).toBe('valid');
    expect(judgeEffect(killCutsConnection, ctx(kill, [...connected, ...applied(1_000, 0)])).verdict).toBe('unknown');
    // A process already down (it refused damaged creds) is not cut again: that kill is not counted.
    expect(judgeEffect(killCutsConnection, ctx(kill, [...applied(1_000, 0)])).message).toMatch(/no such fault met a live client/);
  });

  test('faults with no single server-side sign must at least meet an open connection', () => {
    const toxic = [blackhole(1_000, 5_000)];
    expect(judgeEffect(metLiveClient, ctx(toxic, [server(-5_000, 'open'), ...applied(1_000, 0, 6_000)])).verdict).toBe('valid');
    expect(judgeEffect(metLiveClient, ctx(toxic, [...applied(1_000, 0, 6_000), server(7_000, 'open')])).verdict).toBe('unknown');
  });
});

test('an instant fault is judged until a later-scheduled fault begins, not one scheduled at the same moment; a fault at the window start meets the connection just opened', () => {
  const s = [{ at: 0, fault: 'kill' as const, params: { atNextWrite: true } }, { at: 0, fault: 'server-move' as const, params: { kind: 'stream-error', code: 515 } }];
  const tl = [server(-3_000, 'ws-open'), fault(1_000, 'fault-applied', 1), fault(1_200, 'fault-applied', 0), server(3_000, 'closed', { why: 'tcp-close' })];
  expect(judgeEffect(killCutsConnection, ctx(s, tl)).verdict).toBe('valid');
  expect(judgeEffect(metLiveClient, ctx([blackhole(0, 5_000)], [server(500, 'open'), fault(1_000, 'fault-applied', 0), fault(6_000, 'fault-cleared', 0)])).verdict).toBe('valid');
});

test('in a herd, one client closing does not make the others read as closed: a restart while another client is open is counted', () => {
  const other = (t: number, type: string, conn: number, detail: Record<string, unknown> = {}): TimelineEntry => ({ t, source: 'server', client: 1, event: { t, type, conn, detail } as never });
  const mine = (t: number, type: string, conn: number, detail: Record<string, unknown> = {}): TimelineEntry => ({ t, source: 'server', client: 0, event: { t, type, conn, detail } as never });
  const s = [{ at: 5_000, fault: 'server-restart' as const }];
  const tl = [mine(0, 'open', 1), other(100, 'open', 2), mine(2_000, 'closed', 1, { wasOpen: true }), fault(5_000, 'fault-applied', 0)];
  // Client 1 was open when the restart struck and nothing closed it: missing, not "no fault met a live client".
  expect(judgeEffect(cutClosesOpen('server-restart'), ctx(s, tl)).message).toMatch(/fault #0 \(server-restart\) was applied but no open connection closed/);
  expect(judgeEffect(cutClosesOpen('server-restart'), ctx(s, [...tl, other(5_010, 'closed', 2, { wasOpen: true })])).verdict).toBe('valid');
});
