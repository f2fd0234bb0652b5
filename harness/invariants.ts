/**
 * Named, reusable checks of a run. A verdict is valid, invalid, or unknown (the observation window
 * ended before the check could decide): unknown is never reported as a pass.
 */
import type { Schedule, ScheduleEvent } from './faults/schedule.js';
import { clientEvidence, expectedDown, firstTerminal, killsOf, openAt } from './recorder/evidence.js';
import { clientMetrics } from './recorder/metrics.js';
import type { RunRecord } from './recorder/timeline.js';
import type { BotReport } from './recorder/timeline.js';

/**
 * valid / invalid / unknown (the window ended before the check could decide: never a pass) /
 * error (the harness could not run or observe the scenario as asked: never blamed on the bot).
 */
export type Verdict = 'valid' | 'invalid' | 'unknown' | 'error';

export interface InvariantResult {
  invariant: string;
  client: number;
  verdict: Verdict;
  message: string;
}

/** How a run is judged: bounds in measured (time-scaled) ms. */
export interface JudgeSettings {
  /** The longest a bot may take to be open again after the last fault cleared. */
  recoveryBoundMs: number;
  /** Where the bound comes from, for messages: "its declared policy" or "the recovery SLO (60 s)". */
  boundSource: string;
  /** A bot down this long with no attempt has given up (it is not merely backing off). */
  quietMs: number;
  /** Most attempts a client may make in any window of `stormWindowMs`. */
  stormLimit: number;
  stormWindowMs: number;
  /** How the storm window reads in messages. */
  stormWindowName: string;
  /** After two or more failed attempts in a row, the next attempt waits at least this long. */
  minRetryGapMs: number;
  /** The bot declares full or decorrelated jitter: its gaps may shrink by design. */
  randomizedDelays: boolean;
}

export interface InvariantContext {
  run: RunRecord;
  schedule: Schedule;
  /** The bounds this bot is held to (harness/bots/bounds.ts: its declared policy, or the SLO). */
  judge: JudgeSettings;
}

export interface Invariant {
  name: string;
  check(ctx: InvariantContext, client: number): Omit<InvariantResult, 'invariant' | 'client'>;
}

const clientEvents = (ctx: InvariantContext, client: number) =>
  ctx.run.timeline.filter((e) => e.source === 'client' && e.client === client).map((e) => e.event as BotReport);

const ms = (v: number) => `${v.toFixed(0)} ms`;
const faultEvents = (ctx: InvariantContext) => ctx.run.timeline.filter((e) => e.source === 'fault');

export const recoversWithinBound: Invariant = {
  name: 'recovers within the bound',
  check(ctx, client) {
    const m = clientMetrics(ctx.run, client);
    const ev = clientEvidence(ctx.run, client);
    const bound = ctx.judge.recoveryBoundMs;
    const lastClear = faultEvents(ctx).at(-1);
    if (!lastClear) return { verdict: 'valid', message: 'no faults' };
    const down = expectedDown(ctx.run, client, ctx.schedule, ev);
    if (down && !ev.openAtEnd) return { verdict: 'valid', message: `not expected to recover: ${down}` };
    if (m.recoverMs === null) {
      return ctx.run.end - lastClear.t < bound
        ? { verdict: 'unknown', message: `window ended ${ms(ctx.run.end - lastClear.t)} after the last fault, before the ${ms(bound)} bound (${ctx.judge.boundSource})` }
        : { verdict: 'invalid', message: `not open again (server side) within ${ms(bound)} of the last fault clearing (${ctx.judge.boundSource})` };
    }
    return m.recoverMs <= bound
      ? { verdict: 'valid', message: `open ${ms(m.recoverMs)} after the last fault (bound ${ms(bound)}, ${ctx.judge.boundSource})` }
      : { verdict: 'invalid', message: `open only ${ms(m.recoverMs)} after the last fault (bound ${ms(bound)}, ${ctx.judge.boundSource})` };
  },
};

export const doesNotGiveUp: Invariant = {
  name: 'does not give up on a transient fault',
  check(ctx, client) {
    const ev = clientEvidence(ctx.run, client);
    if (ev.openAtEnd) return { verdict: 'valid', message: 'open at the end of the window' };
    const down = expectedDown(ctx.run, client, ctx.schedule, ev);
    if (down) return { verdict: 'valid', message: `down by design: ${down}` };
    const lastClose = ev.closes.at(-1);
    // Still trying: an attempt within the last quiet period (a rejected upgrade is an attempt and a close at once).
    if (ev.attempts.some((t) => ctx.run.end - t < ctx.judge.quietMs)) return { verdict: 'valid', message: 'down at the end, but still attempting' };
    const lastTry = Math.max(lastClose?.t ?? -Infinity, faultEvents(ctx).at(-1)?.t ?? -Infinity);
    const quiet = ctx.run.end - lastTry;
    if (quiet < ctx.judge.quietMs) return { verdict: 'unknown', message: `down at the end, closed ${ms(quiet)} before it (giving up is declared after ${ms(ctx.judge.quietMs)} without an attempt)` };
    const what = lastClose ? `the close at ${ms(lastClose.t - ctx.run.start)}${lastClose.code !== undefined ? ` (server sent ${lastClose.code})` : ` (${lastClose.why})`}` : 'the last fault';
    return { verdict: 'invalid', message: `stopped trying after ${what}: no attempt for the last ${ms(quiet)} of the window, down until someone restarts it` };
  },
};

export const noQrAfterTransientFault: Invariant = {
  name: 'no QR re-pair after a transient fault',
  check(ctx, client) {
    const n = clientEvidence(ctx.run, client).registrations.length;
    return n === 0 ? { verdict: 'valid', message: 'never asked the server to pair anew' } : { verdict: 'invalid', message: `${n} registration(s) seen by the server: the bot dropped its session and asked for a QR` };
  },
};

/** After the server sent `code`, the client must make no further attempt. One rule for 401 and 440. */
function stopsAfterClose(name: string, code: number, words: { none: string; loop: (n: number) => string; stopped: string }): Invariant {
  return {
    name,
    check(ctx, client) {
      const ev = clientEvidence(ctx.run, client);
      const at = firstTerminal(ev, code);
      if (at === undefined) return { verdict: 'valid', message: words.none };
      const later = ev.attempts.filter((t) => t > at);
      if (later.length > 0) return { verdict: 'invalid', message: `${words.loop(later.length)}; first one ${ms(later[0]! - at)} after the ${code}` };
      // Its own newer login replaced a connection the server still held (one the network had
      // silently cut), and that newer one is open at the end: a handover, not another instance.
      const handover = ev.closes.find((c) => c.t === at && c.code === code && c.replacedByOwn !== undefined);
      if (handover && ev.openConnsAtEnd.includes(handover.replacedByOwn!)) return { verdict: 'valid', message: `its own newer connection replaced one the server still held (440 to the old one), and is open at the end` };
      const quiet = ctx.run.end - at;
      return quiet >= ctx.judge.quietMs ? { verdict: 'valid', message: `${words.stopped}: no attempt in the ${ms(quiet)} after it` } : { verdict: 'unknown', message: `only ${ms(quiet)} observed after the ${code}, less than ${ms(ctx.judge.quietMs)}` };
    },
  };
}

export const stopsAfter401 = stopsAfterClose('stops after 401', 401, { none: 'no 401 sent', loop: (n) => `${n} attempt(s) after being logged out (a loop that cannot succeed)`, stopped: 'stopped after 401' });

export const replacedInstanceStandsDown = stopsAfterClose('a replaced instance stands down (no 440 ping-pong)', 440, {
  none: 'never replaced',
  loop: (n) => `${n} attempt(s) after being replaced (440): a ping-pong with the other instance`,
  stopped: 'stood down after 440',
});

/**
 * Backoff discipline from the gaps the server saw: within a run of consecutive failed attempts the
 * gap before the next attempt does not shrink below half the first one (unless the bot declares
 * randomized delays), and no window of a real-world minute holds more attempts than the storm limit.
 */
export const backoffDiscipline: Invariant = {
  name: 'backoff discipline (observed gaps, storm limit)',
  check(ctx, client) {
    const ev = clientEvidence(ctx.run, client);
    const peak = peakIn(ev.attempts, ctx.judge.stormWindowMs);
    if (peak.count > ctx.judge.stormLimit) return { verdict: 'invalid', message: `${peak.count} attempts within ${ctx.judge.stormWindowName} (from ${ms(peak.at - ctx.run.start)}), over the storm limit of ${ctx.judge.stormLimit}` };
    if (!ctx.judge.randomizedDelays) {
      let first: number | undefined;
      for (const g of ev.gaps) {
        if (g.failures <= 1) {
          first = g.failures === 1 ? g.ms : undefined;
          continue;
        }
        if (g.ms < ctx.judge.minRetryGapMs) return { verdict: 'invalid', message: `after ${g.failures} failed attempts in a row it tried again ${ms(g.ms)} later, under the ${ms(ctx.judge.minRetryGapMs)} minimum: a retry storm` };
        if (first !== undefined && g.ms < first / 2 - 50) return { verdict: 'invalid', message: `after ${g.failures} failed attempts in a row the gap shrank to ${ms(g.ms)}, below half the first gap (${ms(first)})` };
      }
    }
    return { verdict: 'valid', message: `${ev.attempts.length} attempts, at most ${peak.count} within ${ctx.judge.stormWindowName} (limit ${ctx.judge.stormLimit})` };
  },
};

function peakIn(times: number[], width: number): { count: number; at: number } {
  let best = { count: 0, at: times[0] ?? 0 };
  let lo = 0;
  for (let hi = 0; hi < times.length; hi++) {
    while (times[hi]! - times[lo]! >= width) lo++;
    if (hi - lo + 1 > best.count) best = { count: hi - lo + 1, at: times[lo]! };
  }
  return best;
}

export const neverTwoOpen: Invariant = {
  name: 'never two open connections for one device',
  check(ctx, client) {
    const n = clientEvidence(ctx.run, client).maxOpenPerDevice;
    return n <= 1 ? { verdict: 'valid', message: 'at most one open connection' } : { verdict: 'invalid', message: `${n} connections of the device open at once (server side)` };
  },
};

/**
 * After each kill of the client's process, by the server's record: a plain crash must leave a
 * session the restarted process logs in with as the same device; a crash that damaged the session
 * must not end in a fresh pairing (a registration, i.e. a QR) — refusing the damaged store is right.
 */
export const storeReloadsAfterCrash: Invariant = {
  name: 'the store reloads after every crash',
  check(ctx, client) {
    const ev = clientEvidence(ctx.run, client);
    const kills = killsOf(ctx.run, client, ctx.schedule);
    if (kills.length === 0) return { verdict: 'valid', message: 'never killed' };
    for (const [k, kill] of kills.entries()) {
      const until = kills[k + 1]?.t ?? Infinity;
      const within = (t: number) => t >= kill.t && t < until;
      const what = `kill ${k + 1} of ${kills.length}${kill.corrupt ? ` (creds ${kill.corrupt})` : ''}`;
      if (ev.registrations.some(within)) return { verdict: 'invalid', message: `${what}: the restarted bot asked the server for a QR (the session was lost and silently re-paired)` };
      if (kill.corrupt) continue;
      if (ev.opens.some(within)) continue;
      // Killed while rightly down (an earlier crash damaged its creds and it has not logged in since),
      // or after it had stopped for good by policy: there is no session to reload.
      const damagedBefore = kills.slice(0, k).some((d) => d.corrupt && !ev.opens.some((t) => t >= d.t && t < kill.t));
      if (damagedBefore) continue;
      if (!openAt(ctx.run, client, kill.t) && ev.attempts.every((t) => t < kill.t - ctx.judge.quietMs)) continue;
      // A restarted bot that has not logged in and made no attempt for the quiet period has not reloaded.
      const observed = Math.min(until, ctx.run.end) - kill.t;
      const lastTry = Math.max(kill.t, ...ev.attempts.filter(within));
      const said = clientEvents(ctx, client).find((e) => within(e.t) && (e.type === 'store-error' || e.type === 'stopped')) as { message?: string } | undefined;
      const saidText = said?.message ? ` (the bot said: ${said.message})` : '';
      if (Math.min(until, ctx.run.end) - lastTry >= ctx.judge.quietMs) return { verdict: 'invalid', message: `${what}: the restarted bot did not log in again: the session did not reload, lost to the crash${saidText}` };
      return { verdict: 'unknown', message: `${what}: not logged in again in the ${ms(observed)} observed${saidText}` };
    }
    return { verdict: 'valid', message: `${kills.length} kill(s): every restart reloaded its session (or refused a damaged one), no QR` };
  },
};

export const ALL_INVARIANTS = [recoversWithinBound, doesNotGiveUp, noQrAfterTransientFault, stopsAfter401, backoffDiscipline, neverTwoOpen, replacedInstanceStandsDown, storeReloadsAfterCrash];

/** Every invariant for every client. */
export function checkInvariants(ctx: InvariantContext, invariants: Invariant[]): InvariantResult[] {
  return ctx.run.jids.flatMap((_, client) => invariants.map((inv) => ({ invariant: inv.name, client, ...inv.check(ctx, client) })));
}
