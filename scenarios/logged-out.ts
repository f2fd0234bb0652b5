/**
 * Session invalidated: the server logs the device out (401 device_removed) while connected, or
 * the session expired while the bot was away — its next login is refused with 401 — possibly after
 * some transient closes. The supervisor must stop and report "re-pair needed" — never loop
 * (real-world 8 and 9).
 */
import fc from 'fast-check';
import { ALL_INVARIANTS } from '../harness/invariants.js';
import type { Scenario } from '../harness/scenario.js';
import type { ScheduleEntry } from '../harness/faults/schedule.js';
import { inSequence } from './settings.js';
import { loggedOutDelivered } from '../harness/effects.js';

/** Logged out while connected, or expired: the connection drops and every login after is refused. */
const invalidation = fc.constantFrom<'logged-out' | 'expired'>('logged-out', 'expired');

export const loggedOut: Scenario = {
  name: 'logged-out',
  about: 'Random 401 device_removed, or a session expired while away (login refused 401): the bot must stop, not reload stale creds in a loop (real-world 8, 9)',
  clients: 1,
  store: 'sqlite',
  schedules: () =>
    fc
      .tuple(fc.array(fc.constantFrom({ kind: 'stream-error', code: 503 }, { kind: 'end-stream' }, { kind: 'stream-error', code: 515 }), { maxLength: 2 }), fc.integer({ min: 7_500, max: 37_500 }), invalidation)
      .map(([transient, gap, how]) => {
        const closes = inSequence(
          transient.map((move) => ({ gap, move })),
          ({ move }, at): ScheduleEntry => ({ at, fault: 'server-move', params: move as Record<string, unknown> }),
        );
        const at = (closes.at(-1)?.at ?? 0) + gap;
        const end: ScheduleEntry[] =
          how === 'logged-out'
            ? [{ at, fault: 'server-move', params: { kind: 'logged-out' } }]
            : [
                { at, duration: 120_000, fault: 'admission', params: { refuseLogin: 401 } },
                { at, fault: 'server-move', params: { kind: 'drop' } },
              ];
        return [...closes, ...end];
      }),
  settleMs: (c) => c.backoff.maxDelayMs + c.loginTimeoutMs + 2_000,
  invariants: ALL_INVARIANTS,
  effect: loggedOutDelivered,
};
