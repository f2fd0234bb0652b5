/**
 * The judge reads only the fake server's record. Every run here is built by hand from SERVER
 * events (attributed to clients by their `chaos-client` label) plus fault events, on a virtual
 * clock starting at 0, and judged with the same settings a real run gets. Each invariant is shown
 * a timeline that breaks it and one that keeps it (and one too short to decide, where it can be).
 */
import { describe, expect, test } from 'vitest';
import type { ServerEvent, ServerEventType } from '../../fake-server/events.js';
import type { BotReport } from '../../harness/bots/bot.js';
import type { Schedule, ScheduleEvent } from '../../harness/faults/schedule.js';
import { judgeSettings } from '../../harness/bots/bounds.js';
import {
  backoffDiscipline,
  checkInvariants,
  doesNotGiveUp,
  neverTwoOpen,
  noQrAfterTransientFault,
  recoversWithinBound,
  replacedInstanceStandsDown,
  stopsAfter401,
  storeReloadsAfterCrash,
  type InvariantContext,
} from '../../harness/invariants.js';
import { clientMetrics } from '../../harness/recorder/metrics.js';
import { mergeTimeline, type RunRecord } from '../../harness/recorder/timeline.js';
import { DEFAULT_SUPERVISOR_CONFIG, type SupervisorConfig } from '../../harness/supervisor/config.js';
import type { SupervisorEvent } from '../../harness/supervisor/supervisor.js';

const config: SupervisorConfig = {
  ...DEFAULT_SUPERVISOR_CONFIG,
  keepAliveIntervalMs: 1000,
  loginTimeoutMs: 3000,
  connectTimeoutMs: 2000,
  backoff: { baseDelayMs: 100, maxDelayMs: 400, factor: 2, jitter: 'none', jitterFraction: 0 },
};
const JID = '1:1@s.whatsapp.net';

// Declared policy: bound = (2·1000 + 5000) + 400 + max(3000, 2000) + 2000; quiet = 400 + 3000 + 1000.
const DECLARED = judgeSettings({ config, declaresPolicy: true, scale: 1 });
const BOUND = 12_400;
const QUIET = 4_400;

// ---- building a run from the server's record -------------------------------------------------

let seq = 0;

/** What the fake server records for one client (its label) and device (its JID). */
function server(client = 0, jid = JID) {
  const label = String(client);
  const ev = (t: number, type: ServerEventType, conn: number | null, extra: { jid?: string; detail?: Record<string, unknown> } = {}): ServerEvent => ({ t, seq: ++seq, type, conn, client: label, ...extra });
  return {
    /** A connection attempt the server accepted (no JID yet: before login). */
    attempt: (t: number, conn: number) => ev(t, 'ws-open', conn, { detail: { remote: '127.0.0.1:1' } }),
    /** An attempt refused at the upgrade (admission policy), by status. */
    rejected: (t: number, status = 503) => ev(t, 'upgrade-rejected', null, { detail: { status } }),
    open: (t: number, conn: number) => ev(t, 'open', conn, { jid }),
    closed: (t: number, conn: number, d: { wasOpen: boolean; code?: number; why?: string }) => ev(t, 'closed', conn, { jid, detail: { why: d.why ?? 'socket closed', wasOpen: d.wasOpen, ...(d.code !== undefined ? { code: d.code } : {}) } }),
    refused: (t: number, conn: number, reason: number) => ev(t, 'login-refused', conn, { detail: { reason, why: 'device removed' } }),
    registration: (t: number, conn: number) => ev(t, 'registration', conn),
    /** ws-open, then open 100 ms later. */
    up: (t: number, conn: number) => [ev(t, 'ws-open', conn), ev(t + 100, 'open', conn, { jid })],
    /** ws-open, then a close before login 100 ms later (a failed attempt). */
    fail: (t: number, conn: number, code?: number) => [ev(t, 'ws-open', conn), ev(t + 100, 'closed', conn, { jid, detail: { why: 'login failed', wasOpen: false, ...(code !== undefined ? { code } : {}) } })],
  };
}

const applied = (t: number, fault: ScheduleEvent['fault'] = 'toxic', index = 0): ScheduleEvent => ({ t, type: 'fault-applied', index, fault });
const cleared = (t: number, fault: ScheduleEvent['fault'] = 'toxic', index = 0): ScheduleEvent => ({ t, type: 'fault-cleared', index, fault });
/** A toxic from `from` to `to` (schedule entry 0). */
const toxic = (from: number, to: number) => [applied(from), cleared(to)];

function record(parts: { server: (ServerEvent | ServerEvent[])[]; faults?: ScheduleEvent[]; end: number; jids?: string[]; clients?: (SupervisorEvent | BotReport)[][] }): RunRecord {
  const jids = parts.jids ?? [JID];
  return {
    start: 0,
    end: parts.end,
    jids,
    timeline: mergeTimeline({ clients: parts.clients ?? jids.map(() => []), server: parts.server.flat(), faults: parts.faults ?? [], jids }),
  };
}

function ctx(run: RunRecord, opts: { declaresPolicy?: boolean; recoverySloMs?: number; schedule?: Schedule } = {}): InvariantContext {
  const judge = judgeSettings({ config, declaresPolicy: opts.declaresPolicy ?? true, scale: 1, ...(opts.recoverySloMs !== undefined ? { recoverySloMs: opts.recoverySloMs } : {}) });
  return { run, schedule: opts.schedule ?? [], judge };
}

const s0 = server(0);

test('judge settings for this config: the declared bound and quiet time', () => {
  expect(DECLARED).toMatchObject({ recoveryBoundMs: BOUND, quietMs: QUIET, stormLimit: 30, stormWindowMs: 60_000, randomizedDelays: false, boundSource: 'its declared policy' });
  expect(judgeSettings({ config, declaresPolicy: false, scale: 1, recoverySloMs: 10_000 })).toMatchObject({ recoveryBoundMs: 12_000, quietMs: 6_000, boundSource: 'the recovery SLO (10 s)' });
});

// ---- recovers within the bound ---------------------------------------------------------------

describe('recovers within the bound', () => {
  /** Open at 100; a toxic 1000–8000 drops it at 3000 (no code: the network ended it); failed tries; open again at `reopen`. */
  const outage = (reopen: number | undefined, end: number) =>
    record({
      server: [s0.up(0, 1), s0.closed(3000, 1, { wasOpen: true, why: 'ping timeout' }), s0.fail(5000, 2), ...(reopen !== undefined ? [s0.up(reopen - 100, 3)] : [])],
      faults: toxic(1000, 8000),
      end,
    });

  test('declared policy: open 2 s after the clear is valid, 20 s is invalid', () => {
    expect(recoversWithinBound.check(ctx(outage(10_000, 40_000)), 0)).toMatchObject({ verdict: 'valid', message: expect.stringMatching(/open 2000 ms after the last fault \(bound 12400 ms, its declared policy\)/) });
    expect(recoversWithinBound.check(ctx(outage(28_000, 40_000)), 0)).toMatchObject({ verdict: 'invalid', message: expect.stringMatching(/open only 20000 ms.*its declared policy/) });
  });

  test('a bot with no policy is held to the SLO bound instead', () => {
    // The same 20 s recovery: within the default 60 s SLO, past a 10 s one.
    expect(recoversWithinBound.check(ctx(outage(28_000, 40_000), { declaresPolicy: false }), 0)).toMatchObject({ verdict: 'valid', message: expect.stringMatching(/bound 62000 ms, the recovery SLO \(60 s\)/) });
    expect(recoversWithinBound.check(ctx(outage(28_000, 40_000), { declaresPolicy: false, recoverySloMs: 10_000 }), 0)).toMatchObject({ verdict: 'invalid', message: expect.stringMatching(/the recovery SLO \(10 s\)/) });
  });

  test('never open again: unknown while the window is shorter than the bound, invalid past it', () => {
    expect(recoversWithinBound.check(ctx(outage(undefined, 8000 + BOUND - 1)), 0)).toMatchObject({ verdict: 'unknown', message: expect.stringMatching(/before the 12400 ms bound/) });
    expect(recoversWithinBound.check(ctx(outage(undefined, 8000 + BOUND)), 0)).toMatchObject({ verdict: 'invalid', message: expect.stringMatching(/not open again \(server side\)/) });
  });

  test('riding the fault out (never closed) is valid', () => {
    const run = record({ server: [s0.up(0, 1)], faults: toxic(1000, 8000), end: 20_000 });
    expect(recoversWithinBound.check(ctx(run), 0)).toMatchObject({ verdict: 'valid', message: expect.stringMatching(/open 0 ms after/) });
  });
});

// ---- does not give up ------------------------------------------------------------------------

describe('does not give up on a transient fault', () => {
  /** Open at 100; a server move at 1000 closes it with 503 at 1001. */
  const dropped503 = [s0.up(0, 1), s0.closed(1001, 1, { wasOpen: true, code: 503, why: 'server move' })];
  const move = [applied(1000, 'server-move')];

  test('no attempt for longer than quietMs after a 503, down at the end: stopped trying', () => {
    const run = record({ server: dropped503, faults: move, end: 1001 + QUIET + 1 });
    expect(doesNotGiveUp.check(ctx(run), 0)).toMatchObject({ verdict: 'invalid', message: expect.stringMatching(/stopped trying after the close at 1001 ms \(server sent 503\)/) });
    // One failed retry, then silence: still given up.
    const oneTry = record({ server: [...dropped503, s0.fail(1500, 2, 503)], faults: move, end: 1600 + QUIET + 1 });
    expect(doesNotGiveUp.check(ctx(oneTry), 0)).toMatchObject({ verdict: 'invalid', message: expect.stringMatching(/stopped trying/) });
  });

  test('still attempting at the end of the window is valid', () => {
    // Fails every 2 s through a long window, an attempt in flight when it ends.
    const tries = Array.from({ length: 19 }, (_, i) => s0.fail(2000 + 2000 * i, 2 + i, 503));
    const run = record({ server: [...dropped503, ...tries, s0.attempt(40_000, 100)], faults: move, end: 40_500 });
    expect(doesNotGiveUp.check(ctx(run), 0).verdict).toBe('valid');
  });

  test('logged out (a 401 close) is down by design', () => {
    const run = record({ server: [s0.up(0, 1), s0.closed(1001, 1, { wasOpen: true, code: 401, why: 'device removed' })], faults: move, end: 60_000 });
    expect(doesNotGiveUp.check(ctx(run), 0)).toMatchObject({ verdict: 'valid', message: expect.stringMatching(/down by design: logged out \(401\)/) });
  });

  test('open at the end is valid; a close just before the end with no attempt yet is unknown', () => {
    expect(doesNotGiveUp.check(ctx(record({ server: [...dropped503, s0.up(1500, 2)], faults: move, end: 30_000 })), 0).verdict).toBe('valid');
    expect(doesNotGiveUp.check(ctx(record({ server: dropped503, faults: move, end: 1001 + QUIET - 1 })), 0).verdict).toBe('unknown');
  });
});

// ---- stops after 401 -------------------------------------------------------------------------

describe('stops after 401', () => {
  const loggedOut = [s0.up(0, 1), s0.closed(2000, 1, { wasOpen: true, code: 401, why: 'device removed' })];

  test('attempts after a close with 401 are invalid', () => {
    const run = record({ server: [...loggedOut, s0.fail(2100, 2, 401), s0.fail(2500, 3, 401)], end: 30_000 });
    expect(stopsAfter401.check(ctx(run), 0)).toMatchObject({ verdict: 'invalid', message: expect.stringMatching(/2 attempt\(s\) after being logged out.*first one 100 ms after the 401/) });
  });

  test('a login refused with reason 401 counts as the 401', () => {
    // The close carries no code (the client hung up first): the refusal alone is the 401.
    const refused = [s0.attempt(1000, 1), s0.refused(1050, 1, 401), s0.closed(1060, 1, { wasOpen: false, why: 'client closed' })];
    expect(stopsAfter401.check(ctx(record({ server: [...refused, s0.attempt(1650, 2)], end: 30_000 })), 0)).toMatchObject({ verdict: 'invalid', message: expect.stringMatching(/first one 600 ms after the 401/) });
    expect(stopsAfter401.check(ctx(record({ server: refused, end: 1050 + QUIET })), 0).verdict).toBe('valid');
  });

  test('no attempt for quietMs after the 401 is valid; a shorter window is unknown', () => {
    expect(stopsAfter401.check(ctx(record({ server: loggedOut, end: 2000 + QUIET })), 0)).toMatchObject({ verdict: 'valid', message: expect.stringMatching(/stopped after 401/) });
    expect(stopsAfter401.check(ctx(record({ server: loggedOut, end: 2000 + QUIET - 1 })), 0)).toMatchObject({ verdict: 'unknown', message: expect.stringMatching(/only 4399 ms observed after the 401/) });
  });

  test('a close with another code is not a 401', () => {
    const run = record({ server: [s0.up(0, 1), s0.closed(2000, 1, { wasOpen: true, code: 503 }), s0.up(2100, 2)], end: 30_000 });
    expect(stopsAfter401.check(ctx(run), 0)).toMatchObject({ verdict: 'valid', message: 'no 401 sent' });
  });
});

// ---- a replaced instance stands down (440) ---------------------------------------------------

describe('a replaced instance stands down', () => {
  // Two instances of one device: client 1 logs in at 1950, the server replaces client 0 (440).
  const s1 = server(1);
  const replaced = [s0.up(0, 1), s1.attempt(1900, 2), s0.closed(2000, 1, { wasOpen: true, code: 440, why: 'server move' }), s1.open(2050, 2)];
  const jids = [JID, JID];

  test('the replaced one reconnecting is a ping-pong: invalid for both', () => {
    // Client 0 comes back and takes over: now client 1 is replaced, and comes back too.
    const pingPong = [...replaced, s0.attempt(2500, 3), s1.closed(2590, 2, { wasOpen: true, code: 440 }), s0.open(2600, 3), s1.attempt(3000, 4)];
    const results = checkInvariants(ctx(record({ server: pingPong, jids, end: 30_000 })), [replacedInstanceStandsDown]);
    expect(results.map((r) => r.verdict)).toEqual(['invalid', 'invalid']);
    expect(results[0]!.message).toMatch(/1 attempt\(s\) after being replaced \(440\): a ping-pong/);
  });

  test('standing down is valid; a window shorter than quietMs after the 440 is unknown', () => {
    expect(checkInvariants(ctx(record({ server: replaced, jids, end: 2000 + QUIET })), [replacedInstanceStandsDown]).map((r) => r.verdict)).toEqual(['valid', 'valid']);
    expect(replacedInstanceStandsDown.check(ctx(record({ server: replaced, jids, end: 2000 + QUIET })), 0).message).toMatch(/stood down after 440/);
    expect(replacedInstanceStandsDown.check(ctx(record({ server: replaced, jids, end: 3000 })), 0).verdict).toBe('unknown');
    expect(replacedInstanceStandsDown.check(ctx(record({ server: replaced, jids, end: 3000 })), 1)).toMatchObject({ verdict: 'valid', message: 'never replaced' });
  });

  test('the replaced instance is not expected to recover or to keep trying', () => {
    const c = ctx(record({ server: replaced, faults: [applied(1900, 'server-move')], jids, end: 60_000 }));
    expect(recoversWithinBound.check(c, 0)).toMatchObject({ verdict: 'valid', message: expect.stringMatching(/replaced by another instance \(440\)/) });
    expect(doesNotGiveUp.check(c, 0).verdict).toBe('valid');
  });

  // One client whose old connection the network cut silently (packets lost): the server still holds
  // it, the client's own new login replaces it (440 to the dead one). A handover, not another instance.
  const replacedBy = (t: number, conn: number, by: number): ServerEvent => ({ t, seq: ++seq, type: 'stanza', conn, client: '0', jid: JID, detail: { replacedBy: by } });
  const ownHandover = [s0.up(0, 1), s0.attempt(5000, 2), s0.open(5100, 2), replacedBy(5100, 1, 2), s0.closed(5150, 1, { wasOpen: true, code: 440, why: 'server move' })];

  test('its own newer login replacing a connection the server still held: a handover, valid at once while the newer one is open', () => {
    const c = ctx(record({ server: ownHandover, faults: [applied(1000, 'packet-loss')], end: 6000 }));
    expect(replacedInstanceStandsDown.check(c, 0)).toMatchObject({ verdict: 'valid', message: expect.stringMatching(/its own newer connection replaced one the server still held/) });
    // It is not "down by design": it is that newer connection, and must be judged as recovering.
    expect(doesNotGiveUp.check(c, 0)).toMatchObject({ verdict: 'valid', message: 'open at the end of the window' });
  });

  test('fighting itself is still a loop: attempts after its own replacement are invalid (two sockets racing)', () => {
    const selfFight = [...ownHandover, s0.attempt(5400, 3), s0.open(5500, 3), replacedBy(5500, 2, 3), s0.closed(5550, 2, { wasOpen: true, code: 440 })];
    expect(replacedInstanceStandsDown.check(ctx(record({ server: selfFight, end: 30_000 })), 0)).toMatchObject({ verdict: 'invalid', message: expect.stringMatching(/1 attempt\(s\) after being replaced \(440\)/) });
  });

  test('a handover whose newer connection closed again falls back to the quiet window', () => {
    const closedAgain = [...ownHandover, s0.closed(5800, 2, { wasOpen: true, why: 'socket closed' })];
    expect(replacedInstanceStandsDown.check(ctx(record({ server: closedAgain, end: 6000 })), 0).verdict).toBe('unknown');
  });
});

// ---- backoff discipline ----------------------------------------------------------------------

describe('backoff discipline', () => {
  const rejectedEvery = (n: number, everyMs: number) => Array.from({ length: n }, (_, i) => s0.rejected(1000 + i * everyMs));

  test('more than stormLimit attempts within stormWindowMs is a storm', () => {
    expect(backoffDiscipline.check(ctx(record({ server: rejectedEvery(31, 1000), end: 40_000 })), 0)).toMatchObject({ verdict: 'invalid', message: expect.stringMatching(/31 attempts within one real-world minute.*storm limit of 30/) });
    expect(backoffDiscipline.check(ctx(record({ server: rejectedEvery(30, 1000), end: 40_000 })), 0).verdict).toBe('valid');
    // 31 attempts, but spread over 63 s: at most 29 in any minute.
    expect(backoffDiscipline.check(ctx(record({ server: rejectedEvery(31, 2100), end: 70_000 })), 0)).toMatchObject({ verdict: 'valid', message: expect.stringMatching(/31 attempts, at most 29/) });
  });

  /** Dropped at 1000 (503), then failed attempts after the given gaps (each failure lasts 100 ms). */
  function retries(gaps: number[]) {
    const events: ServerEvent[][] = [s0.up(0, 1), [s0.closed(1000, 1, { wasOpen: true, code: 503 })]];
    let t = 1000;
    gaps.forEach((gap, i) => {
      t += gap;
      events.push(s0.fail(t, 2 + i, 503));
      t += 100;
    });
    return record({ server: events, end: t + 1000 });
  }

  test('a retry sooner than the minimum gap after repeated failures is a storm', () => {
    // Gap after the first failed attempt: 1000 ms; after the second: 100 ms.
    expect(backoffDiscipline.check(ctx(retries([100, 1000, 100])), 0)).toMatchObject({ verdict: 'invalid', message: expect.stringMatching(/after 2 failed attempts in a row it tried again 100 ms later, under the 250 ms minimum: a retry storm/) });
  });

  test('gaps that shrink below half the first within consecutive failures are invalid', () => {
    expect(backoffDiscipline.check(ctx(retries([100, 1000, 400])), 0)).toMatchObject({ verdict: 'invalid', message: expect.stringMatching(/after 2 failed attempts in a row the gap shrank to 400 ms, below half the first gap \(1000 ms\)/) });
  });

  test('growing gaps are valid', () => {
    expect(backoffDiscipline.check(ctx(retries([100, 200, 400, 800, 800])), 0).verdict).toBe('valid');
  });

  test('a bot declaring randomized delays may shrink its gaps', () => {
    const jittered = { ...config, backoff: { ...config.backoff, jitter: 'full' as const } };
    const c = ctx(retries([100, 1000, 100]));
    c.judge = judgeSettings({ config: jittered, declaresPolicy: true, scale: 1 });
    expect(backoffDiscipline.check(c, 0).verdict).toBe('valid');
  });

  test('an open in between starts a new run of failures', () => {
    // 1000 ms gap after one failure, then an open, then a drop and a short gap after one failure.
    const run = record({
      server: [s0.up(0, 1), s0.closed(1000, 1, { wasOpen: true, code: 503 }), s0.fail(1100, 2), s0.up(2200, 3), s0.closed(5000, 3, { wasOpen: true, code: 503 }), s0.fail(5100, 4), s0.up(5300, 5)],
      end: 20_000,
    });
    expect(backoffDiscipline.check(ctx(run), 0).verdict).toBe('valid');
  });
});

// ---- no QR re-pair ---------------------------------------------------------------------------

test('no QR re-pair: a registration seen by the server is invalid', () => {
  const repaired = record({ server: [s0.up(0, 1), s0.closed(2000, 1, { wasOpen: true }), s0.attempt(3000, 2), s0.registration(3050, 2)], faults: toxic(1000, 2500), end: 20_000 });
  expect(noQrAfterTransientFault.check(ctx(repaired), 0)).toMatchObject({ verdict: 'invalid', message: expect.stringMatching(/1 registration\(s\) seen by the server/) });
  const reloaded = record({ server: [s0.up(0, 1), s0.closed(2000, 1, { wasOpen: true }), s0.up(3000, 2)], faults: toxic(1000, 2500), end: 20_000 });
  expect(noQrAfterTransientFault.check(ctx(reloaded), 0).verdict).toBe('valid');
});

// ---- never two open --------------------------------------------------------------------------

test('never two open: two opens of one JID without a close between are invalid, for every client of it', () => {
  const s1 = server(1);
  const jids = [JID, JID];
  const both = record({ server: [s0.up(0, 1), s1.up(1000, 2)], jids, end: 20_000 });
  const results = checkInvariants(ctx(both), [neverTwoOpen]);
  expect(results.map((r) => r.verdict)).toEqual(['invalid', 'invalid']);
  expect(results[0]!.message).toMatch(/2 connections of the device open at once/);
  const handedOver = record({ server: [s0.up(0, 1), s0.closed(1050, 1, { wasOpen: true, code: 440 }), s1.up(1000, 2)], jids, end: 20_000 });
  expect(checkInvariants(ctx(handedOver), [neverTwoOpen]).map((r) => r.verdict)).toEqual(['valid', 'valid']);
  // A failed attempt's close (never open) does not free a slot.
  const failedThenTwo = record({ server: [s0.up(0, 1), s1.fail(500, 2), s1.up(1000, 3)], jids, end: 20_000 });
  expect(neverTwoOpen.check(ctx(failedThenTwo), 1).verdict).toBe('invalid');
});

// ---- the store reloads after a crash ---------------------------------------------------------

describe('the store reloads after every crash', () => {
  const kill: Schedule = [{ at: 5000, fault: 'kill', target: 0 }];
  const corrupt: Schedule = [{ at: 5000, fault: 'kill', target: 0, params: { corrupt: 'truncate' } }];
  /** Open at 100, killed at 5000: the server sees the socket drop at 5010. */
  const killed = [s0.up(0, 1), s0.closed(5010, 1, { wasOpen: true, why: 'socket closed' })];
  const faults = [applied(5000, 'kill')];

  test('a registration after a kill is invalid (the session was lost and re-paired)', () => {
    const run = record({ server: [...killed, s0.attempt(6000, 2), s0.registration(6050, 2)], faults, end: 30_000 });
    expect(storeReloadsAfterCrash.check(ctx(run, { schedule: kill }), 0)).toMatchObject({ verdict: 'invalid', message: expect.stringMatching(/kill 1 of 1: the restarted bot asked the server for a QR/) });
    // Even when the kill damaged the creds.
    expect(storeReloadsAfterCrash.check(ctx(run, { schedule: corrupt }), 0).verdict).toBe('invalid');
  });

  test('an open after a kill is valid', () => {
    const run = record({ server: [...killed, s0.up(6000, 2)], faults, end: 30_000 });
    expect(storeReloadsAfterCrash.check(ctx(run, { schedule: kill }), 0)).toMatchObject({ verdict: 'valid', message: expect.stringMatching(/1 kill\(s\): every restart reloaded its session/) });
  });

  test('a plain kill soon after a damaging one, while the bot rightly stays down, finds no session to reload: valid, and down by design', () => {
    const schedule: Schedule = [{ at: 5000, fault: 'kill', target: 0, params: { corrupt: 'delete' } }, { at: 7000, fault: 'kill', target: 0 }];
    const run = record({ server: killed, faults: [applied(5000, 'kill'), applied(7000, 'kill', 1)], end: 60_000 });
    const c = ctx(run, { schedule });
    expect(storeReloadsAfterCrash.check(c, 0).verdict).toBe('valid');
    expect(doesNotGiveUp.check(c, 0)).toMatchObject({ verdict: 'valid', message: expect.stringMatching(/creds were damaged by a crash \(delete\)/) });
  });

  test('a kill that damaged the creds and no open after it is valid (refusing the damaged store)', () => {
    const run = record({ server: killed, faults, end: 60_000 });
    const c = ctx(run, { schedule: corrupt });
    expect(storeReloadsAfterCrash.check(c, 0).verdict).toBe('valid');
    expect(recoversWithinBound.check(c, 0)).toMatchObject({ verdict: 'valid', message: expect.stringMatching(/creds were damaged by a crash \(truncate\)/) });
    expect(doesNotGiveUp.check(c, 0).verdict).toBe('valid');
  });

  test('a plain kill and no open: invalid once the bot has been quiet for the quiet period, unknown before', () => {
    // The restarted process tries once and is refused (its session did not load): still not reloaded.
    const tries = [s0.fail(6000, 2, 401)];
    expect(storeReloadsAfterCrash.check(ctx(record({ server: [...killed, ...tries], faults, end: 5000 + BOUND }), { schedule: kill }), 0)).toMatchObject({ verdict: 'invalid', message: expect.stringMatching(/did not log in again: the session did not reload/) });
    expect(storeReloadsAfterCrash.check(ctx(record({ server: killed, faults, end: 5000 + BOUND }), { schedule: kill }), 0).verdict).toBe('invalid');
    expect(storeReloadsAfterCrash.check(ctx(record({ server: killed, faults, end: 8000 }), { schedule: kill }), 0)).toMatchObject({ verdict: 'unknown', message: expect.stringMatching(/not logged in again in the 3000 ms observed/) });
  });

  test('a kill of another client, or of one that had stopped for good, is not held against it', () => {
    expect(storeReloadsAfterCrash.check(ctx(record({ server: killed, faults, end: 60_000 }), { schedule: [{ at: 5000, fault: 'kill', target: 1 }] }), 0)).toMatchObject({ verdict: 'valid', message: 'never killed' });
    // Logged out at 1000 and quiet since: killed at 10000, nothing to reload.
    const stopped = record({ server: [s0.up(0, 1), s0.closed(1000, 1, { wasOpen: true, code: 401 })], faults: [applied(10_000, 'kill')], end: 60_000 });
    expect(storeReloadsAfterCrash.check(ctx(stopped, { schedule: [{ at: 10_000, fault: 'kill', target: 0 }] }), 0).verdict).toBe('valid');
  });
});

// ---- a self-report that lies ------------------------------------------------------------------

test('a self-report that lies does not change a verdict', () => {
  // The bot says it reopened at 9000; the server saw no open after the drop at 3000.
  const lies: SupervisorEvent[] = [
    { t: 0, type: 'attempt', attempt: 1 },
    { t: 100, type: 'open', attempt: 1 },
    { t: 3000, type: 'close', attempt: 1 },
    { t: 8900, type: 'attempt', attempt: 2 },
    { t: 9000, type: 'open', attempt: 2 },
  ];
  const server = [s0.up(0, 1), s0.closed(3000, 1, { wasOpen: true, why: 'ping timeout' })];
  const honest = record({ server, faults: toxic(1000, 8000), end: 8000 + BOUND });
  const lying = record({ server, faults: toxic(1000, 8000), end: 8000 + BOUND, clients: [lies] });
  expect(lying.timeline.some((e) => e.source === 'client' && e.event.type === 'open' && e.t === 9000)).toBe(true);
  for (const inv of [recoversWithinBound, doesNotGiveUp]) expect(inv.check(ctx(lying), 0)).toEqual(inv.check(ctx(honest), 0));
  expect(recoversWithinBound.check(ctx(lying), 0)).toMatchObject({ verdict: 'invalid', message: expect.stringMatching(/not open again \(server side\)/) });
  const m = clientMetrics(lying, 0);
  expect(m).toMatchObject({ recoverMs: null, attempts: 1, selfReported: { attempts: 2 } });
  // A lie the other way round (it says it stopped, the server saw it open again) is not believed either.
  const stoppedLie: BotReport[] = [{ t: 3001, type: 'stopped', reason: 'gave-up' }];
  const reopened = record({ server: [...server, s0.up(8500, 2)], faults: toxic(1000, 8000), end: 30_000, clients: [stoppedLie] });
  expect(recoversWithinBound.check(ctx(reopened), 0).verdict).toBe('valid');
  expect(clientMetrics(reopened, 0)).toMatchObject({ recoverMs: 600, selfReported: { attempts: 0, stopped: 'gave-up' } });
});

// ---- metrics ---------------------------------------------------------------------------------

describe('clientMetrics, from the server record', () => {
  test('attempts (accepted and rejected at the upgrade), detection, observed gaps, recovery, availability', () => {
    // Open 100–2000 (toxic 1000–8000 drops it), rejected at 2100, fails 2300–2400, rejected at 2800, open 8300 (ws-open 8200).
    const run = record({
      server: [s0.up(0, 1), s0.closed(2000, 1, { wasOpen: true, why: 'ping timeout' }), s0.rejected(2100), s0.fail(2300, 2), s0.rejected(2800), s0.up(8200, 3)],
      faults: toxic(1000, 8000),
      end: 20_000,
    });
    const m = clientMetrics(run, 0);
    expect(m).toMatchObject({ client: 0, detectMs: [1000], recoverMs: 300, attempts: 5, qrRePairs: 0, sessionsLost: 0, maxOpenPerDevice: 1 });
    // Gaps: 2000→2100, 2100→2300 (rejected → next try), 2400→2800, 2800→8200.
    expect(m.delaysMs).toEqual([100, 200, 400, 5400]);
    expect(m.availability).toBeCloseTo((1900 + 11_700) / 20_000, 5);
    expect(m.selfReported).toBeUndefined();
  });

  test('recoverMs is null when not open at the end, 0 when it rode the fault out', () => {
    const down = record({ server: [s0.up(0, 1), s0.closed(2000, 1, { wasOpen: true }), s0.fail(2500, 2)], faults: toxic(1000, 8000), end: 30_000 });
    expect(clientMetrics(down, 0)).toMatchObject({ recoverMs: null, attempts: 2, delaysMs: [500] });
    const rodeOut = record({ server: [s0.up(0, 1)], faults: toxic(1000, 8000), end: 30_000 });
    expect(clientMetrics(rodeOut, 0)).toMatchObject({ recoverMs: 0, detectMs: [], attempts: 1, delaysMs: [], availability: (30_000 - 100) / 30_000 });
  });

  test('an instantaneous fault (a stream error) counts its close and reopen', () => {
    const run = record({ server: [s0.up(0, 1), s0.closed(1001, 1, { wasOpen: true, code: 515 }), s0.up(1140, 2)], faults: [applied(1000, 'server-move')], end: 5000 });
    expect(clientMetrics(run, 0)).toMatchObject({ detectMs: [1], recoverMs: 240, delaysMs: [139] });
  });

  test('registrations are QR re-pairs and a lost session; the device count spans clients', () => {
    const s1 = server(1);
    const run = record({ server: [s0.up(0, 1), s1.up(500, 2), s0.attempt(3000, 3), s0.registration(3010, 3)], jids: [JID, JID], end: 10_000 });
    expect(clientMetrics(run, 0)).toMatchObject({ qrRePairs: 1, sessionsLost: 1, maxOpenPerDevice: 2, attempts: 2 });
    expect(clientMetrics(run, 1)).toMatchObject({ qrRePairs: 0, sessionsLost: 0, maxOpenPerDevice: 2, attempts: 1 });
  });
});
