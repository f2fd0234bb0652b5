/**
 * An outage many bots share: the network path to WhatsApp is down for tens of seconds to minutes
 * (the proxy refuses and drops every connection), then comes back. Every client retries through
 * it, so the backoff policy sets the trade-off `tune` shows: short delays come back sooner after
 * the outage, at the price of more attempts during it, in lockstep when there is no jitter.
 */
import fc from 'fast-check';
import { ALL_INVARIANTS } from '../harness/invariants.js';
import type { Scenario } from '../harness/scenario.js';
import { inSequence } from './settings.js';
import { cutClosesOpen } from '../harness/effects.js';

export const outageHerd: Scenario = {
  name: 'outage-herd',
  about: 'A shared outage of 20 s to 2 min: five clients retry through it (reconnect pressure vs recovery time; real-world 2, storms)',
  clients: 5,
  store: 'sqlite',
  schedules: () =>
    fc
      .array(fc.record({ gap: fc.integer({ min: 10_000, max: 60_000 }), duration: fc.integer({ min: 20_000, max: 120_000 }) }), { minLength: 1, maxLength: 2 })
      .map((items) => inSequence(items, ({ duration }, at) => ({ at, duration, fault: 'proxy-down' as const }))),
  settleMs: (c) => c.backoff.maxDelayMs * (1 + c.backoff.jitterFraction) + c.loginTimeoutMs + 3_000,
  invariants: ALL_INVARIANTS,
  effect: cutClosesOpen('proxy-down'),
};
