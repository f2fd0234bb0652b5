/**
 * WhatsApp overloaded: for tens of seconds to two minutes every login is answered
 * `<failure reason="503"/>`, then logins work again. Unlike a network outage, every attempt
 * reaches the server, so the judge sees the bot's whole retry pattern: a bot with no backoff
 * storms, one that gives up after a few tries stays down, a correct one backs off and comes back.
 */
import fc from 'fast-check';
import { ALL_INVARIANTS } from '../harness/invariants.js';
import type { Scenario } from '../harness/scenario.js';
import { inSequence } from './settings.js';
import { loginsRefused } from '../harness/effects.js';

export const serverOverload: Scenario = {
  name: 'server-overload',
  about: 'Every login refused with 503 for 20 s to 2 min, then accepted again: retries the server sees (real-world 2, storms; OpenClaw gives up after 12)',
  clients: 1,
  store: 'sqlite',
  schedules: () =>
    fc
      // A few distinct lengths rather than a range: shrinking then lands on a length that fails with a
      // margin, not on the edge where a replay would depend on the machine's speed.
      .array(fc.record({ gap: fc.constantFrom(5_000, 20_000), duration: fc.constantFrom(20_000, 60_000, 120_000) }), { minLength: 1, maxLength: 2 })
      .map((items) =>
        inSequence(items, ({ duration }, at) => [
          { at, duration, fault: 'admission' as const, params: { refuseLogin: 503 } },
          { at, fault: 'server-move' as const, params: { kind: 'drop' } },
        ]).flat(),
      ),
  settleMs: (c) => c.backoff.maxDelayMs * (1 + c.backoff.jitterFraction) + c.loginTimeoutMs + 3_000,
  invariants: ALL_INVARIANTS,
  effect: loginsRefused,
};
