/**
 * Multi-device conflict: a second instance of the bot starts on a copy of the same session (a
 * redeploy that left the old one running, two containers). WhatsApp replaces the older
 * connection (440, `conflict type="replaced"`); an instance that reconnects after that evicts the
 * newer one in turn — the ping-pong storm of real-world 1. Transient faults then hit the survivor,
 * which must recover as usual while the replaced instance stays down.
 */
import fc from 'fast-check';
import { ALL_INVARIANTS } from '../harness/invariants.js';
import type { Scenario } from '../harness/scenario.js';
import { inSequence } from './settings.js';
import { conflictSeen } from '../harness/effects.js';

export const conflict: Scenario = {
  name: 'conflict',
  about: 'Two instances on one session: the replaced one (440) must stand down, no ping-pong; the survivor still recovers (real-world 1)',
  clients: 2,
  store: 'sqlite',
  sharedDevice: true,
  schedules: () =>
    fc
      .array(fc.record({ gap: fc.integer({ min: 5_000, max: 30_000 }), move: fc.constantFrom({ kind: 'stream-error', code: 515 }, { kind: 'stream-error', code: 503 }, { kind: 'drop' }) }), { minLength: 1, maxLength: 3 })
      .map((items) => inSequence(items, ({ move }, at) => ({ at, fault: 'server-move' as const, params: move as Record<string, unknown> }))),
  settleMs: (c) => c.backoff.maxDelayMs + c.loginTimeoutMs + 3_000,
  invariants: ALL_INVARIANTS,
  effect: conflictSeen,
};
