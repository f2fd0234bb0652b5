/**
 * Named, reusable checks of a run. A verdict is valid, invalid, or unknown (the observation window
 * ended before the check could decide): unknown is never reported as a pass.
 */
import type { ServerEvent } from '../fake-server/events.js';
import type { Schedule, ScheduleEvent } from './faults/schedule.js';
import { clientMetrics } from './recorder/metrics.js';
import type { RunRecord } from './recorder/timeline.js';
import { delayBounds } from './supervisor/backoff.js';
import type { SupervisorConfig } from './supervisor/config.js';
import type { SupervisorEvent } from './supervisor/supervisor.js';

export type Verdict = 'valid' | 'invalid' | 'unknown';

export interface InvariantResult {
  invariant: string;
  client: number;
  verdict: Verdict;
  message: string;
}

export interface InvariantContext {
  run: RunRecord;
  config: SupervisorConfig;
  schedule: Schedule;
}

export interface Invariant {
  name: string;
  check(ctx: InvariantContext, client: number): Omit<InvariantResult, 'invariant' | 'client'>;
}

const clientEvents = (ctx: InvariantContext, client: number) =>
  ctx.run.timeline.filter((e) => e.source === 'client' && e.client === client).map((e) => e.event as SupervisorEvent);

/** Baileys declares a dead link at interval + 5 s (fixed, unscalable); silence is seen by 2·interval + 5 s at worst. */
export const BAILEYS_KEEPALIVE_ALLOWANCE_MS = 5_000;

/** The longest a correct supervisor may take to be open again after the last fault cleared. */
export function recoveryBoundMs(config: SupervisorConfig): number {
  const b = config.backoff;
  const maxDelay = b.maxDelayMs * (b.jitter === 'proportional' ? 1 + b.jitterFraction : 1);
  const detect = 2 * config.keepAliveIntervalMs + BAILEYS_KEEPALIVE_ALLOWANCE_MS;
  return detect + maxDelay + Math.max(config.loginTimeoutMs, config.connectTimeoutMs) + 2_000;
}

export const recoversWithinBound: Invariant = {
  name: 'recovers within the bound its backoff and keep-alive allow',
  check(ctx, client) {
    const m = clientMetrics(ctx.run, client);
    const bound = recoveryBoundMs(ctx.config);
    const lastClear = ctx.run.timeline.filter((e) => e.source === 'fault').at(-1);
    if (!lastClear) return { verdict: 'valid', message: 'no faults' };
    if (m.stopped) return { verdict: 'valid', message: `stopped by policy (${m.stopped}): not expected to recover` };
    if (m.recoverMs === null) {
      return ctx.run.end - lastClear.t < bound
        ? { verdict: 'unknown', message: `window ended ${(ctx.run.end - lastClear.t).toFixed(0)} ms after the last fault, before the ${bound} ms bound` }
        : { verdict: 'invalid', message: `not open again within ${bound} ms of the last fault clearing` };
    }
    return m.recoverMs <= bound ? { verdict: 'valid', message: `open ${m.recoverMs.toFixed(0)} ms after the last fault (bound ${bound} ms)` } : { verdict: 'invalid', message: `open only ${m.recoverMs.toFixed(0)} ms after the last fault (bound ${bound} ms)` };
  },
};

export const noQrAfterTransientFault: Invariant = {
  name: 'no QR re-pair after a transient fault',
  check(ctx, client) {
    const n = clientMetrics(ctx.run, client).qrRePairs;
    return n === 0 ? { verdict: 'valid', message: 'no QR shown' } : { verdict: 'invalid', message: `${n} QR code(s) shown: the session was lost` };
  },
};

/** A close with `code` must end the client: no attempt after it, a stop. One rule for 401 and 440. */
function stopsAfterClose(name: string, code: number, words: { none: string; loop: (closes: number) => string; stopped: string }): Invariant {
  return {
    name,
    check(ctx, client) {
      const events = clientEvents(ctx, client);
      const i = events.findIndex((e) => e.type === 'close' && e.code === code);
      if (i < 0) return { verdict: 'valid', message: words.none };
      const later = events.slice(i + 1);
      if (later.some((e) => e.type === 'attempt')) return { verdict: 'invalid', message: words.loop(events.filter((e) => e.type === 'close' && e.code === code).length) };
      return later.some((e) => e.type === 'stopped') ? { verdict: 'valid', message: words.stopped } : { verdict: 'unknown', message: `no stop seen after ${code} before the window ended` };
    },
  };
}

export const stopsAfter401 = stopsAfterClose('stops after 401', 401, { none: 'no 401 seen', loop: () => 'reconnected after 401 (a loop that cannot succeed)', stopped: 'stopped after 401' });

export const delaysFollowPolicy: Invariant = {
  name: 'delays follow the policy',
  check(ctx, client) {
    let previous: number | undefined;
    for (const e of clientEvents(ctx, client)) {
      if (e.type !== 'decision' || e.delayMs === undefined || e.action !== 'backoff') continue;
      const [lo, hi] = delayBounds(ctx.config.backoff, e.failures, previous);
      if (e.delayMs < lo - 1 || e.delayMs > hi + 1) return { verdict: 'invalid', message: `retry ${e.failures} waited ${e.delayMs.toFixed(0)} ms, outside [${lo.toFixed(0)}, ${hi.toFixed(0)}] ms` };
      previous = e.delayMs;
    }
    return { verdict: 'valid', message: 'every backoff delay within its bounds' };
  },
};

export const neverTwoOpen: Invariant = {
  name: 'never two open connections for one device',
  check(ctx, client) {
    const n = clientMetrics(ctx.run, client).maxOpenPerDevice;
    return n <= 1 ? { verdict: 'valid', message: 'at most one open connection' } : { verdict: 'invalid', message: `${n} connections of the device open at once` };
  },
};

export const replacedInstanceStandsDown = stopsAfterClose('a replaced instance stands down (no 440 ping-pong)', 440, {
  none: 'never replaced',
  loop: (n) => `reconnected after being replaced (440): ${n} replacements, a ping-pong with the other instance`,
  stopped: 'stood down after 440',
});

/**
 * After each kill of the client's process: a plain crash must leave a session the restarted
 * process logs in with, as the same device (confirmed by the server); a crash that damaged the
 * session must be refused with a store error — never a silent fresh pairing (a QR).
 */
export const storeReloadsAfterCrash: Invariant = {
  name: 'the store reloads after every crash',
  check(ctx, client) {
    const own = clientEvents(ctx, client);
    // A kill after the client stopped for good (by policy, or refusing a damaged store) finds no bot to crash.
    const stoppedAt = own.find((e) => e.type === 'stopped')?.t ?? Infinity;
    const kills = ctx.run.timeline.flatMap((e) => {
      if (e.source !== 'fault') return [];
      const f = e.event as ScheduleEvent;
      const entry = ctx.schedule[f.index];
      const applies = f.type === 'fault-applied' && f.fault === 'kill' && e.t < stoppedAt && [client, 'all'].includes(entry?.target ?? 'all');
      return applies ? [{ t: e.t, corrupt: (entry?.params as { corrupt?: string } | undefined)?.corrupt }] : [];
    });
    if (kills.length === 0) return { verdict: 'valid', message: 'never killed while running' };
    const jid = ctx.run.jids[client];
    for (const [k, kill] of kills.entries()) {
      const until = kills[k + 1]?.t ?? Infinity;
      const after = own.filter((e) => e.t >= kill.t && e.t < until);
      const qr = after.some((e) => e.type === 'qr');
      const storeError = after.find((e) => e.type === 'store-error' || (e.type === 'stopped' && e.reason === 'store-error')) as { message?: string } | undefined;
      const reopened = after.some((e) => e.type === 'open') && ctx.run.timeline.some((e) => e.source === 'server' && e.t >= kill.t && e.t < until && (e.event as ServerEvent).type === 'open' && (e.event as ServerEvent).jid === jid);
      const what = `kill ${k + 1} of ${kills.length}${kill.corrupt ? ` (creds ${kill.corrupt})` : ''}`;
      if (qr) return { verdict: 'invalid', message: `${what}: the restarted client showed a QR (the session was lost and silently re-paired)` };
      if (kill.corrupt) {
        if (!storeError && !reopened) return { verdict: 'unknown', message: `${what}: neither a store error nor a login before the window ended` };
        continue;
      }
      if (storeError) return { verdict: 'invalid', message: `${what}: the session did not reload (${storeError.message ?? 'store error'}): lost to the crash` };
      if (!reopened) return { verdict: 'unknown', message: `${what}: not logged in again before the window ended` };
    }
    return { verdict: 'valid', message: `${kills.length} kill(s): every restart reloaded its session (or refused a damaged one)` };
  },
};

export const ALL_INVARIANTS = [recoversWithinBound, noQrAfterTransientFault, stopsAfter401, delaysFollowPolicy, neverTwoOpen, replacedInstanceStandsDown, storeReloadsAfterCrash];

/** Every invariant for every client. */
export function checkInvariants(ctx: InvariantContext, invariants: Invariant[]): InvariantResult[] {
  return ctx.run.jids.flatMap((_, client) => invariants.map((inv) => ({ invariant: inv.name, client, ...inv.check(ctx, client) })));
}
