/**
 * Clock steps on the client (sleep/wake, NTP corrections): forward jumps may end a healthy link
 * with a false 408; backward jumps delay the detection of a dead one (real-world 19, 21).
 */
import fc from 'fast-check';
import { ALL_INVARIANTS } from '../harness/invariants.js';
import type { Scenario } from '../harness/scenario.js';
import { inSequence } from './settings.js';

export const clockJumps: Scenario = {
  name: 'clock-jumps',
  about: 'Wall-clock steps: false 408s, or dead sockets that go unseen (real-world 19, 21)',
  clients: 1,
  store: 'sqlite',
  schedules: () =>
    fc
      .array(fc.record({ gap: fc.integer({ min: 7_500, max: 50_000 }), ms: fc.oneof(fc.integer({ min: 10_000, max: 120_000 }), fc.integer({ min: -30_000, max: -1_000 })) }), { minLength: 1, maxLength: 2 })
      .map((items) => inSequence(items, ({ ms }, at) => ({ at, fault: 'clock-jump' as const, params: { ms } as Record<string, unknown> }))),
  settleMs: (c) => 2 * c.keepAliveIntervalMs + 5_000 + c.backoff.maxDelayMs + c.loginTimeoutMs + 2_000,
  invariants: ALL_INVARIANTS,
};
