/**
 * Timing-sensitive handshakes: the server sends its first transport frame with no delay after the
 * handshake, over a link that slices frames or adds tiny latencies, while the connection is
 * restarted again and again (515) or dropped. Baileys 6.7.x can lose that first frame (`<success>`)
 * to a race in its socket setup and then hang in `connecting` (README, Findings); the supervisor's
 * login watchdog must end each stuck attempt, so every invariant holds for it on both versions.
 */
import fc from 'fast-check';
import { ALL_INVARIANTS } from '../harness/invariants.js';
import type { Scenario } from '../harness/scenario.js';
import type { ScheduleEntry } from '../harness/faults/schedule.js';
import { inSequence } from './settings.js';
import { racyLogin } from '../harness/effects.js';

/** The link during the window: as is, sliced into small pieces, or with a millisecond of latency. */
const link = fc.constantFrom<Record<string, unknown> | null>(
  null,
  { type: 'slicer', stream: 'downstream', attributes: { average_size: 24, size_variation: 12, delay: 0 } },
  { type: 'slicer', stream: 'downstream', attributes: { average_size: 64, size_variation: 32, delay: 200 } },
  { type: 'latency', stream: 'downstream', attributes: { latency: 1, jitter: 1 } },
);

export const handshakeRace: Scenario = {
  name: 'handshake-race',
  about: 'No post-handshake delay, sliced frames, tiny latencies: 6.7.x loses <success> and hangs in connecting (protocol.md race; real-world 11)',
  clients: 1,
  store: 'sqlite',
  schedules: () =>
    fc
      .record({
        gap: fc.integer({ min: 5_000, max: 20_000 }),
        link,
        restarts: fc.array(fc.record({ gap: fc.integer({ min: 12_500, max: 30_000 }), move: fc.constantFrom({ kind: 'stream-error', code: 515 }, { kind: 'drop' }) }), { minLength: 2, maxLength: 5 }),
      })
      .map(({ gap, link: l, restarts }) => {
        const moves = inSequence(restarts, ({ move }, at) => ({ at: gap + at, fault: 'server-move' as const, params: move as Record<string, unknown> }));
        // The window outlasts the last restart by one more login, so that login races too.
        const duration = moves.at(-1)!.at - gap + 12_500;
        const window: ScheduleEntry[] = [
          { at: gap, duration, fault: 'admission', params: { postHandshakeDelayMs: 0 } },
          ...(l ? [{ at: gap, duration, fault: 'toxic' as const, params: l }] : []),
        ];
        return [...window, ...moves];
      }),
  settleMs: (c) => c.loginTimeoutMs + c.backoff.maxDelayMs + c.loginTimeoutMs + 3_000,
  invariants: ALL_INVARIANTS,
  effect: racyLogin,
};
