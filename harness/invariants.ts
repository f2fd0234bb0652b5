/**
 * Named, reusable checks of a run. A verdict is valid, invalid, or unknown (the observation window
 * ended before the check could decide): unknown is never reported as a pass.
 */
import type { Schedule } from './faults/schedule.js';
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

export const stopsAfter401: Invariant = {
  name: 'stops after 401',
  check(ctx, client) {
    const events = clientEvents(ctx, client);
    const i = events.findIndex((e) => e.type === 'close' && e.code === 401);
    if (i < 0) return { verdict: 'valid', message: 'no 401 seen' };
    const later = events.slice(i + 1);
    if (later.some((e) => e.type === 'attempt')) return { verdict: 'invalid', message: 'reconnected after 401 (a loop that cannot succeed)' };
    return later.some((e) => e.type === 'stopped') ? { verdict: 'valid', message: 'stopped after 401' } : { verdict: 'unknown', message: 'no stop seen after 401 before the window ended' };
  },
};

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

export const ALL_INVARIANTS = [recoversWithinBound, noQrAfterTransientFault, stopsAfter401, delaysFollowPolicy, neverTwoOpen];

/** Every invariant for every client. */
export function checkInvariants(ctx: InvariantContext, invariants: Invariant[]): InvariantResult[] {
  return ctx.run.jids.flatMap((_, client) => invariants.map((inv) => ({ invariant: inv.name, client, ...inv.check(ctx, client) })));
}
