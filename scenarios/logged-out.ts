/**
 * Session invalidated: the server logs the device out (401 device_removed), possibly after some
 * transient closes. The supervisor must stop and report "re-pair needed" — never loop (real-world
 * 8 and 9).
 */
import fc from 'fast-check';
import { ALL_INVARIANTS } from '../harness/invariants.js';
import type { Scenario } from '../harness/scenario.js';
import { inSequence } from './settings.js';

export const loggedOut: Scenario = {
  name: 'logged-out',
  about: 'Random 401 device_removed; after 401 the bot must stop, not reload stale creds in a loop (real-world 8, 9)',
  clients: 1,
  store: 'sqlite',
  schedules: () =>
    fc
      .tuple(fc.array(fc.constantFrom({ kind: 'stream-error', code: 503 }, { kind: 'end-stream' }, { kind: 'stream-error', code: 515 }), { maxLength: 2 }), fc.integer({ min: 7_500, max: 37_500 }))
      .map(([transient, gap]) =>
        inSequence(
          [...transient, { kind: 'logged-out' }].map((move) => ({ gap, move })),
          ({ move }, at) => ({ at, fault: 'server-move' as const, params: move as Record<string, unknown> }),
        ),
      ),
  settleMs: (c) => c.backoff.maxDelayMs + c.loginTimeoutMs + 2_000,
  invariants: ALL_INVARIANTS,
};
