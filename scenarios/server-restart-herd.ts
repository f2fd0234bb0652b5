/**
 * Server restart with many clients: every connection drops at once and the herd reconnects. With
 * jitter off (the default, so the storm shows) they retry in lockstep; each must still come back
 * as itself, one connection per device.
 */
import fc from 'fast-check';
import { ALL_INVARIANTS } from '../harness/invariants.js';
import type { Scenario } from '../harness/scenario.js';
import { inSequence } from './settings.js';
import { cutClosesOpen } from '../harness/effects.js';

export const serverRestartHerd: Scenario = {
  name: 'server-restart-herd',
  about: 'A server restart drops every client at once: a reconnect storm (real-world: storms, 440 against itself)',
  clients: 5,
  store: 'sqlite',
  schedules: () =>
    fc.array(fc.integer({ min: 7_500, max: 50_000 }), { minLength: 1, maxLength: 2 }).map((gaps) => inSequence(gaps.map((gap) => ({ gap })), (_, at) => ({ at, fault: 'server-restart' as const }))),
  settleMs: (c) => c.backoff.maxDelayMs + c.loginTimeoutMs + 3_000,
  invariants: ALL_INVARIANTS,
  effect: cutClosesOpen('server-restart'),
};
