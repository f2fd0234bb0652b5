/**
 * Time scaling: every duration of a supervisor config multiplied by one factor, so a 10-minute
 * real-world schedule runs in seconds. Floors keep scaled timeouts above what a login on a loaded
 * machine needs; Baileys' own fixed allowances (the 5 s keep-alive grace) cannot scale at all, and
 * the invariants' bounds add them unscaled.
 */
import type { SupervisorConfig } from './config.js';

export function scaleConfig(config: SupervisorConfig, scale: number): SupervisorConfig {
  const s = (ms: number, floor: number) => (ms === 0 ? 0 : Math.max(floor, Math.round(ms * scale)));
  return {
    ...config,
    backoff: { ...config.backoff, baseDelayMs: s(config.backoff.baseDelayMs, 50), maxDelayMs: s(config.backoff.maxDelayMs, 200) },
    resetAttemptsAfterOpenMs: s(config.resetAttemptsAfterOpenMs, 0),
    keepAliveIntervalMs: s(config.keepAliveIntervalMs, 500),
    connectTimeoutMs: s(config.connectTimeoutMs, 2000),
    loginTimeoutMs: s(config.loginTimeoutMs, 3000),
  };
}
