/**
 * The bounds a bot is judged by: from its declared reconnect policy (the reference supervisor's
 * config, time-scaled like it), or, for a bot that declares none, from the recovery SLO — its
 * timers run unscaled, so its retry floor and storm window are in real time.
 */
import type { JudgeSettings } from '../invariants.js';
import type { SupervisorConfig } from '../supervisor/config.js';
import { machineTimeOnClock } from '../time/warp.js';

/** Baileys declares a dead link at interval + 5 s (fixed, unscalable); silence is seen by 2·interval + 5 s at worst. */
export const BAILEYS_KEEPALIVE_ALLOWANCE_MS = 5_000;

/** The longest single backoff delay the policy allows, its proportional jitter included. */
function longestDelayMs(config: SupervisorConfig): number {
  const b = config.backoff;
  return b.maxDelayMs * (b.jitter === 'proportional' ? 1 + b.jitterFraction : 1);
}

/** The longest a login attempt may take before the policy's own timeouts end it. */
const attemptTimeoutMs = (config: SupervisorConfig) => Math.max(config.loginTimeoutMs, config.connectTimeoutMs);

/** The longest a bot following `config` (its declared policy) may take to be open again after the last fault cleared. */
export function recoveryBoundMs(config: SupervisorConfig, speed = 1): number {
  const detect = 2 * config.keepAliveIntervalMs + BAILEYS_KEEPALIVE_ALLOWANCE_MS;
  return detect + longestDelayMs(config) + attemptTimeoutMs(config) + machineTimeOnClock(MACHINE_SLACK_MS, speed);
}

/** Default recovery SLO for a bot with no declared policy, real-world ms. */
export const DEFAULT_RECOVERY_SLO_MS = 60_000;
/** Default storm limit: attempts per real-world minute. */
export const DEFAULT_STORM_LIMIT = 30;
/** The shortest wait a bot may leave after repeated failed attempts, real-world ms: less is a retry storm. */
export const MIN_RETRY_GAP_MS = 250;
/** Unscaled machine slack added to scaled bounds: a process start, a login's round trips. */
export const MACHINE_SLACK_MS = 2_000;

/**
 * The judge's settings for a run. A bot that declares its policy (the reference supervisor) is held
 * to the bound that policy allows; any other bot to the recovery SLO. Both in measured ms.
 */
export function judgeSettings(opts: { config: SupervisorConfig; declaresPolicy: boolean; scale: number; recoverySloMs?: number; stormLimit?: number; speed?: number }): JudgeSettings {
  const slo = opts.recoverySloMs ?? DEFAULT_RECOVERY_SLO_MS;
  const jitter = opts.config.backoff.jitter;
  const declared = opts.declaresPolicy;
  const slack = machineTimeOnClock(MACHINE_SLACK_MS, opts.speed ?? 1);
  const recoveryBound = declared ? recoveryBoundMs(opts.config, opts.speed) : slo * opts.scale + slack;
  return {
    recoveryBoundMs: recoveryBound,
    boundSource: declared ? 'its declared policy' : `the recovery SLO (${Math.round(slo / 1000)} s)`,
    quietMs: declared ? longestDelayMs(opts.config) + attemptTimeoutMs(opts.config) + 1_000 : (slo * opts.scale) / 2 + slack / 2,
    stormLimit: opts.stormLimit ?? DEFAULT_STORM_LIMIT,
    // A declared policy runs time-scaled, so its minute is scaled; any other bot's timers run in
    // real time, so its attempts are counted per real minute (a run shorter than that can only
    // under-count: a storm it reports is certain).
    stormWindowMs: declared ? 60_000 * opts.scale : 60_000,
    stormWindowName: declared ? 'one real-world minute' : 'one minute (its timers run unscaled)',
    minRetryGapMs: declared ? MIN_RETRY_GAP_MS * opts.scale : MIN_RETRY_GAP_MS,
    randomizedDelays: declared && (jitter === 'full' || jitter === 'decorrelated'),
  };
}

/** What does not scale with the time scale, named in every report. */
export const FIXED_ALLOWANCES = [{ name: "Baileys' keep-alive grace before 408", ms: BAILEYS_KEEPALIVE_ALLOWANCE_MS }];
