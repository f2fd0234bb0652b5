/**
 * Reconnect delays as a pure function of the attempt number, the policy and a seeded RNG, so a
 * schedule of delays can be replayed and checked against the events a run recorded.
 */
import type { Rng } from '../../core/random.js';

export type JitterMode = 'none' | 'full' | 'equal' | 'decorrelated' | 'proportional';

export interface BackoffPolicy {
  /** Delay before the first retry, ms. */
  baseDelayMs: number;
  maxDelayMs: number;
  factor: number;
  jitter: JitterMode;
  /** For `proportional` (OpenClaw's `web.reconnect.jitter`): up to this fraction of the delay is added. */
  jitterFraction: number;
}

/** The delay before retry `attempt` (1-based) with no jitter: min(max, base·factor^(attempt-1)). */
export function baseDelay(policy: BackoffPolicy, attempt: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * policy.factor ** Math.max(0, attempt - 1));
}

/** The bounds a jittered delay for `attempt` must fall within (used by invariants). */
export function delayBounds(policy: BackoffPolicy, attempt: number, previousDelayMs?: number): [number, number] {
  const d = baseDelay(policy, attempt);
  switch (policy.jitter) {
    case 'none':
      return [d, d];
    case 'full':
      return [0, d];
    case 'equal':
      return [d / 2, d];
    case 'decorrelated':
      return [policy.baseDelayMs, Math.min(policy.maxDelayMs, Math.max(policy.baseDelayMs, (previousDelayMs ?? policy.baseDelayMs) * 3))];
    case 'proportional':
      return [d, Math.min(policy.maxDelayMs, d * (1 + policy.jitterFraction))];
  }
}

/** The delay actually chosen for `attempt`, drawing from `rng` when the policy jitters. */
export function chooseDelay(policy: BackoffPolicy, attempt: number, rng: Rng, previousDelayMs?: number): number {
  const [lo, hi] = delayBounds(policy, attempt, previousDelayMs);
  return lo === hi ? lo : lo + rng.next() * (hi - lo);
}
