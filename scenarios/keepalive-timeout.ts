/**
 * Keep-alive timeout → 408 and reconnect: the seed's first log line ("Connection closed. Reason:
 * 408 (Connection timed out)"). A proxy blackholes the link (Toxiproxy `timeout` toxic) for windows
 * of random length; Baileys' keep-alive must declare 408 and the supervisor bring the same device
 * back once the link returns. Each window lasts at least the keep-alive's detection time at
 * real-world settings (2 x 25 s + 5 s, plus 5 s), so every run can prove the 408 happened (the effect).
 */
import fc from 'fast-check';
import { ALL_INVARIANTS } from '../harness/invariants.js';
import type { Scenario } from '../harness/scenario.js';
import { inSequence } from './settings.js';
import { silenceDeclaredDead } from '../harness/effects.js';
import { silencesLink } from '../harness/faults/silence.js';

export const keepaliveTimeout: Scenario = {
  name: 'keepalive-timeout',
  about: 'Connection closed. Reason: 408 (Connection timed out): NAT or proxy idle timeouts (real-world 1)',
  clients: 1,
  store: 'file',
  schedules: () =>
    fc
      .array(fc.record({ gap: fc.integer({ min: 5_000, max: 75_000 }), duration: fc.integer({ min: 60_000, max: 225_000 }) }), { minLength: 1, maxLength: 2 })
      .map((items) => inSequence(items, ({ duration }, at) => ({ at, duration, fault: 'toxic' as const, params: { type: 'timeout', stream: 'downstream', attributes: { timeout: 0 } } as Record<string, unknown> }))),
  settleMs: (c) => 2 * c.keepAliveIntervalMs + 5_000 + c.backoff.maxDelayMs + c.loginTimeoutMs + 2_000,
  invariants: ALL_INVARIANTS,
  effect: silenceDeclaredDead(silencesLink),
};
