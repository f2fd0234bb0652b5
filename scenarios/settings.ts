/**
 * The troubleshooting page's settings, scaled in time. Some allowances cannot scale (Baileys adds
 * a fixed 5 s to its keep-alive before declaring 408); floors keep scaled timeouts above what a
 * login on this machine needs.
 */
import { DEFAULT_SUPERVISOR_CONFIG, type SupervisorConfig } from '../harness/supervisor/config.js';

/** Lays generated items end to end: each starts `gap` ms after the previous one ended (its `duration`, if any). */
export function inSequence<T extends { gap: number; duration?: number }, E>(items: readonly T[], entry: (item: T, at: number) => E): E[] {
  let at = 0;
  return items.map((item) => {
    at += item.gap;
    const e = entry(item, at);
    at += item.duration ?? 0;
    return e;
  });
}

export function scaledConfig(scale: number, overrides: Partial<SupervisorConfig> = {}): SupervisorConfig {
  const d = DEFAULT_SUPERVISOR_CONFIG;
  const s = (ms: number, floor: number) => Math.max(floor, Math.round(ms * scale));
  return {
    ...d,
    backoff: { ...d.backoff, baseDelayMs: s(d.backoff.baseDelayMs, 50), maxDelayMs: s(d.backoff.maxDelayMs, 200) },
    keepAliveIntervalMs: s(d.keepAliveIntervalMs, 500),
    connectTimeoutMs: s(d.connectTimeoutMs, 2000),
    loginTimeoutMs: s(d.loginTimeoutMs, 3000),
    ...overrides,
  };
}
