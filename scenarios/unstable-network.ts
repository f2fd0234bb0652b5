/**
 * An unstable network: latency and jitter spikes, bandwidth collapse, a proxy that kills
 * long-lived WebSockets after N bytes or resets them, in random windows (real-world 1, 2, 4).
 */
import fc from 'fast-check';
import { ALL_INVARIANTS } from '../harness/invariants.js';
import type { Scenario } from '../harness/scenario.js';
import { inSequence } from './settings.js';
import { metLiveClient } from '../harness/effects.js';

const toxic = fc.oneof(
  fc.record({ type: fc.constant('latency'), attributes: fc.record({ latency: fc.integer({ min: 50, max: 3_000 }), jitter: fc.integer({ min: 0, max: 500 }) }) }),
  fc.record({ type: fc.constant('bandwidth'), attributes: fc.record({ rate: fc.integer({ min: 1, max: 50 }) }) }),
  fc.record({ type: fc.constant('limit_data'), attributes: fc.record({ bytes: fc.integer({ min: 200, max: 20_000 }) }) }),
  fc.record({ type: fc.constant('reset_peer'), stream: fc.constant('upstream'), attributes: fc.record({ timeout: fc.integer({ min: 0, max: 1_000 }) }) }),
);

export const unstableNetwork: Scenario = {
  name: 'unstable-network',
  about: 'Latency spikes, bandwidth collapse, proxies killing long WebSockets (real-world 1, 2, 4)',
  clients: 1,
  store: 'sqlite',
  schedules: () =>
    fc.array(fc.record({ gap: fc.integer({ min: 5_000, max: 37_500 }), duration: fc.integer({ min: 12_500, max: 100_000 }), toxic }), { minLength: 1, maxLength: 3 })// One window at a time: toxics of one type cannot overlap.
    .map((items) => inSequence(items, ({ duration, toxic: t }, at) => ({ at, duration, fault: 'toxic' as const, params: t as Record<string, unknown> }))),
  settleMs: (c) => 2 * c.keepAliveIntervalMs + 5_000 + c.backoff.maxDelayMs + c.loginTimeoutMs + 2_000,
  invariants: ALL_INVARIANTS,
  effect: metLiveClient,
};
