/**
 * Stream errors at random times: 515 (restart required, the seed's second log line), 503, 500,
 * and a server that ends the stream (428). The supervisor must restart at once on 515, back off
 * on the rest, and always come back as the same device.
 */
import fc from 'fast-check';
import { ALL_INVARIANTS } from '../harness/invariants.js';
import type { Scenario } from '../harness/scenario.js';
import { inSequence } from './settings.js';
import { streamErrorsDelivered } from '../harness/effects.js';

export const streamErrors: Scenario = {
  name: 'stream-errors',
  about: 'Connection closed. Reason: 515 (Stream error) — and 503/500/428 — at random times (real-world 5, "Also seen")',
  clients: 1,
  store: 'sqlite',
  schedules: () =>
    fc
      .array(
        fc.record({
          gap: fc.integer({ min: 7_500, max: 50_000 }),
          move: fc.constantFrom({ kind: 'stream-error', code: 515 }, { kind: 'stream-error', code: 503 }, { kind: 'stream-error', code: 500 }, { kind: 'end-stream' }),
        }),
        { minLength: 1, maxLength: 4 },
      )
      .map((items) => inSequence(items, ({ move }, at) => ({ at, fault: 'server-move' as const, params: move as Record<string, unknown> }))),
  settleMs: (c) => c.backoff.maxDelayMs + c.loginTimeoutMs + 3_000,
  invariants: ALL_INVARIANTS,
  effect: streamErrorsDelivered,
};
