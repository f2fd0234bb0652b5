/**
 * A scenario proves its fault happened: the effect is read from the server's record, and a run
 * where it never appeared is unknown (never valid).
 */
import { expect, test } from 'vitest';
import { judgeEffect, silenceDeclaredDead, streamErrorsDelivered } from '../../harness/effects.js';
import { silencesLink } from '../../harness/faults/silence.js';
import type { Schedule } from '../../harness/faults/schedule.js';
import type { InvariantContext } from '../../harness/invariants.js';
import type { TimelineEntry } from '../../harness/recorder/timeline.js';
import { scaleSchedule, SILENCE_PAD_MS } from '../../harness/scenario.js';

const blackhole = (at: number, duration: number) => ({ at, duration, fault: 'toxic' as const, params: { type: 'timeout', stream: 'downstream', attributes: { timeout: 0 } } });
const server = (t: number, type: string, detail: Record<string, unknown> = {}): TimelineEntry => ({ t, source: 'server', client: 0, event: { t, type, detail } as never });
const fault = (t: number, type: 'fault-applied' | 'fault-cleared', index: number): TimelineEntry => ({ t, source: 'fault', event: { t, type, index, fault: 'toxic' } });
const ctx = (schedule: Schedule, timeline: TimelineEntry[]): InvariantContext => ({ run: { start: 0, end: 100_000, jids: ['1@s.whatsapp.net'], timeline }, schedule, judge: {} as never });

const silence = silenceDeclaredDead(silencesLink);

test('a 408 during the blackhole (the client closed the open connection while the link was silent) is the effect seen', () => {
  const r = judgeEffect(silence, ctx([blackhole(1_000, 60_000)], [server(0, 'open'), fault(1_000, 'fault-applied', 0), server(40_000, 'closed', { why: 'ws-close 1005', wasOpen: true }), fault(61_000, 'fault-cleared', 0)]));
  expect(r.verdict).toBe('valid');
});

test('a close only once the link returned (a 428, as at a time scale with no padding) is not the effect: unknown, with why', () => {
  const r = judgeEffect(silence, ctx([blackhole(1_000, 2_700)], [server(0, 'open'), fault(1_000, 'fault-applied', 0), fault(3_700, 'fault-cleared', 0), server(3_720, 'closed', { why: 'ws-close 1006', wasOpen: true })]));
  expect(r.verdict).toBe('unknown');
  expect(r.message).toMatch(/did not close before the link returned: no 408/);
});

test('a close the server made itself (it sent a code) is not the client declaring the link dead', () => {
  const r = judgeEffect(silence, ctx([blackhole(1_000, 60_000)], [server(0, 'open'), fault(1_000, 'fault-applied', 0), server(5_000, 'closed', { why: 'ws-close 1000', wasOpen: true, code: 515 }), fault(61_000, 'fault-cleared', 0)]));
  expect(r.verdict).toBe('unknown');
});

test('stream errors: each code sent to an open connection must close it with that code', () => {
  const move = (at: number, code: number) => ({ at, fault: 'server-move' as const, params: { kind: 'stream-error', code } });
  const seen = judgeEffect(streamErrorsDelivered, ctx([move(1_000, 515)], [server(0, 'open'), fault(1_000, 'fault-applied', 0), server(1_010, 'closed', { wasOpen: true, code: 515 })]));
  expect(seen.verdict).toBe('valid');
  const lost = judgeEffect(streamErrorsDelivered, ctx([move(1_000, 515)], [server(0, 'open'), fault(1_000, 'fault-applied', 0)]));
  expect(lost.verdict).toBe('unknown');
  expect(lost.message).toMatch(/stream error 515/);
});

test('at a time scale a silence keeps what does not scale and what follows it moves by as much; other faults scale plainly', () => {
  const move = { at: 100_000, fault: 'server-move' as const, params: { kind: 'stream-error', code: 515 } };
  const scaled = scaleSchedule([blackhole(10_000, 60_000), move], 0.04);
  expect(scaled[0]).toMatchObject({ at: 400, duration: 2_400 + SILENCE_PAD_MS });
  expect(scaled[1]!.at).toBe(4_000 + SILENCE_PAD_MS);
  expect(scaleSchedule([blackhole(10_000, 60_000)], 1)[0]).toMatchObject({ at: 10_000, duration: 60_000 });
});
