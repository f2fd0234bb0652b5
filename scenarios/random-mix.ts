/**
 * A random mix: arbitrary sequences of every fault the in-process scenarios use — stream errors,
 * ended streams, drops, silences, server restarts, blackholed links, latency, bandwidth collapse,
 * reset connections, proxy outages, rejected upgrades, withheld logins, clock jumps — one after
 * another. What no single scenario shows: faults meeting a supervisor still backing off from the
 * previous one. Only transient faults: every client must come back as itself.
 */
import fc from 'fast-check';
import { ALL_INVARIANTS } from '../harness/invariants.js';
import type { Scenario } from '../harness/scenario.js';
import type { FaultKind } from '../harness/faults/schedule.js';
import { stepsInSequence, type FaultStep } from './settings.js';
import { metLiveClient } from '../harness/effects.js';

const instant = (fault: FaultKind, params?: Record<string, unknown>): fc.Arbitrary<FaultStep> => fc.constant({ fault, ...(params ? { params } : {}) });
const lasting = (fault: FaultKind, params: fc.Arbitrary<Record<string, unknown> | undefined>, min: number, max: number): fc.Arbitrary<FaultStep> =>
  fc.record({ params, duration: fc.integer({ min, max }) }).map(({ params: p, duration }) => ({ fault, duration, ...(p ? { params: p } : {}) }));

const fault: fc.Arbitrary<FaultStep> = fc.oneof(
  instant('server-move', { kind: 'stream-error', code: 515 }),
  fc.constantFrom(503, 500).chain((code) => instant('server-move', { kind: 'stream-error', code })),
  instant('server-move', { kind: 'end-stream' }),
  instant('server-move', { kind: 'drop' }),
  instant('server-restart'),
  lasting('toxic', fc.constant({ type: 'timeout', stream: 'downstream', attributes: { timeout: 0 } }), 25_000, 120_000),
  lasting('toxic', fc.record({ type: fc.constant('latency'), stream: fc.constant('downstream'), attributes: fc.record({ latency: fc.integer({ min: 50, max: 3_000 }), jitter: fc.integer({ min: 0, max: 500 }) }) }), 12_500, 60_000),
  lasting('toxic', fc.record({ type: fc.constant('bandwidth'), stream: fc.constant('downstream'), attributes: fc.record({ rate: fc.integer({ min: 1, max: 50 }) }) }), 12_500, 60_000),
  lasting('toxic', fc.constant({ type: 'reset_peer', stream: 'upstream', attributes: { timeout: 0 } }), 12_500, 40_000),
  lasting('proxy-down', fc.constant(undefined), 12_500, 90_000),
  lasting('admission', fc.constantFrom<Record<string, unknown>>({ rejectUpgrade: 503 }, { rejectUpgrade: 403 }, { withholdSuccess: true }), 25_000, 90_000),
  fc.oneof(fc.integer({ min: 10_000, max: 120_000 }), fc.integer({ min: -30_000, max: -1_000 })).chain((ms) => instant('clock-jump', { ms })),
);

export const randomMix: Scenario = {
  name: 'random-mix',
  about: 'Arbitrary sequences of every transient fault above, each meeting the recovery from the last',
  clients: 2,
  store: 'sqlite',
  schedules: () =>
    fc
      .array(fc.record({ gap: fc.integer({ min: 2_500, max: 40_000 }), step: fault }), { minLength: 1, maxLength: 5 })
      .map(stepsInSequence),
  settleMs: (c) => 2 * c.keepAliveIntervalMs + 5_000 + c.backoff.maxDelayMs + 2 * c.loginTimeoutMs + 3_000,
  invariants: ALL_INVARIANTS,
  effect: metLiveClient,
};
