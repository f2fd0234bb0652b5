/**
 * A proxy answering the WebSocket upgrade with 403/503, or a login that never completes (the
 * server withholds <success>): plain Baileys hangs in `connecting`; the supervisor's login
 * watchdog must end each stuck attempt and bring the client back when the server relents.
 */
import fc from 'fast-check';
import { ALL_INVARIANTS } from '../harness/invariants.js';
import type { Scenario } from '../harness/scenario.js';
import { loginHung } from '../harness/effects.js';

export const loginNeverCompletes: Scenario = {
  name: 'login-never-completes',
  about: 'Connecting hangs forever: a rejected upgrade (403/503) or a withheld <success> (real-world 11, "Also seen")',
  clients: 1,
  store: 'file',
  schedules: () =>
    fc
      .record({
        gap: fc.integer({ min: 5_000, max: 25_000 }),
        duration: fc.integer({ min: 50_000, max: 150_000 }),
        admission: fc.constantFrom<Record<string, unknown>>({ rejectUpgrade: 503 }, { rejectUpgrade: 403 }, { withholdSuccess: true }),
      })
      .map(({ gap, duration, admission }) => [
        // The stuck state must meet a reconnect: drop the open connection as the window starts.
        { at: gap, duration, fault: 'admission' as const, params: admission },
        { at: gap + 250, fault: 'server-move' as const, params: { kind: 'drop' } as Record<string, unknown> },
      ]),
  settleMs: (c) => c.loginTimeoutMs + c.backoff.maxDelayMs + c.loginTimeoutMs + 3_000,
  invariants: ALL_INVARIANTS,
  effect: loginHung,
};
