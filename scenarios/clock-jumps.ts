/**
 * Clock faults on the client and on the server. Client steps (sleep/wake, NTP corrections):
 * forward jumps may end a healthy link with a false 408; backward jumps delay the detection of a
 * dead one (real-world 19, 21). A skewed client clock for a while, and a server whose clock is
 * hours off (the timestamps it puts on `<success>` and its answers) must not break the login.
 */
import fc from 'fast-check';
import { ALL_INVARIANTS } from '../harness/invariants.js';
import type { Scenario } from '../harness/scenario.js';
import type { ScheduleEntry } from '../harness/faults/schedule.js';
import { stepsInSequence, type FaultStep } from './settings.js';
import { metLiveClient } from '../harness/effects.js';

const step: fc.Arbitrary<FaultStep> = fc.oneof(
  { weight: 3, arbitrary: fc.oneof(fc.integer({ min: 10_000, max: 120_000 }), fc.integer({ min: -30_000, max: -1_000 })).map((ms): FaultStep => ({ fault: 'clock-jump', params: { ms } })) },
  { weight: 1, arbitrary: fc.record({ ms: fc.integer({ min: -3_600_000, max: 3_600_000 }), duration: fc.integer({ min: 10_000, max: 60_000 }) }).map(({ ms, duration }): FaultStep => ({ fault: 'clock-skew', params: { ms }, duration })) },
  {
    weight: 1,
    arbitrary: fc
      .record({ offset: fc.integer({ min: -6 * 3_600_000, max: 6 * 3_600_000 }), duration: fc.integer({ min: 20_000, max: 60_000 }) })
      // A login during the skew: the server restarts the stream (515) so the client logs in under it.
      .map(({ offset, duration }): FaultStep => ({ fault: 'admission', params: { serverClockOffsetMs: offset }, duration })),
  },
);

export const clockJumps: Scenario = {
  name: 'clock-jumps',
  about: 'Client clock steps and skew, server clock hours off: false 408s, dead sockets that go unseen (real-world 19, 21)',
  clients: 1,
  store: 'sqlite',
  schedules: () =>
    fc
      .array(fc.record({ gap: fc.integer({ min: 7_500, max: 50_000 }), step }), { minLength: 1, maxLength: 3 })
      .map((items) =>
        stepsInSequence(items).flatMap((e): ScheduleEntry[] => (e.fault === 'admission' ? [e, { at: e.at + 5_000, fault: 'server-move', params: { kind: 'stream-error', code: 515 } }] : [e])),
      ),
  settleMs: (c) => 2 * c.keepAliveIntervalMs + 5_000 + c.backoff.maxDelayMs + c.loginTimeoutMs + 2_000,
  invariants: ALL_INVARIANTS,
  effect: metLiveClient,
};
