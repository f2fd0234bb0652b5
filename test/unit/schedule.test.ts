import { expect, test } from 'vitest';
import { systemClock } from '../../core/clock.js';
import { parseSchedule, runSchedule, type FaultInjector, type ScheduleEntry } from '../../harness/faults/schedule.js';

test('a valid schedule parses, sorted by time, and survives a JSON round trip', () => {
  const input = [
    { at: 5000, fault: 'server-move', params: { kind: 'stream-error', code: 515 } },
    { at: 0, duration: 3000, fault: 'toxic', target: 'all', params: { type: 'timeout', attributes: { timeout: 0 } } },
    { at: 100, duration: 1000, fault: 'clock-jump', target: 0, params: { ms: 60000 } },
  ];
  const schedule = parseSchedule(input);
  expect(schedule.map((e) => e.at)).toEqual([0, 100, 5000]);
  expect(parseSchedule(JSON.parse(JSON.stringify(schedule)))).toEqual(schedule);
});

test.each([
  [{}, /must be a JSON array/],
  [[{ at: 0, fault: 'meteor' }], /entry 0 has an unknown fault "meteor"/],
  [[{ at: -1, fault: 'server-restart' }], /entry 0 needs "at", a time in ms ≥ 0/],
  [[{ at: 0, duration: -5, fault: 'server-restart' }], /entry 0 has a negative or non-numeric "duration"/],
  [[{ at: 0, fault: 'server-move', params: { kind: 'explode' } }], /entry 0 unknown move kind "explode"/],
  [[{ at: 0, fault: 'toxic', params: { type: 'lag' } }], /entry 0 has a toxic of unknown type "lag"/],
  [[{ at: 0, fault: 'clock-jump', params: {} }], /entry 0 needs params\.ms/],
  [[{ at: 0, fault: 'kill', target: -2 }], /entry 0 has a bad "target"/],
  [[{ at: 0, fault: 'kill', when: 3 }], /entry 0 has an unknown key "when"/],
  [
    [
      { at: 0, duration: 5000, fault: 'toxic', params: { type: 'latency' } },
      { at: 1000, duration: 100, fault: 'toxic', params: { type: 'latency' } },
    ],
    /entries 0 and 1 \(toxic\) overlap and cannot coexist/,
  ],
  [
    [
      { at: 0, fault: 'clock-skew', target: 1, params: { ms: 5 } },
      { at: 99999, fault: 'clock-jump', target: 1, params: { ms: 5 } },
    ],
    /entries 0 and 1 \(clock-skew\) overlap/,
  ],
])('invalid schedule %j is rejected, naming the entry', (input, message) => {
  expect(() => parseSchedule(input)).toThrow(message);
});

test('runSchedule applies and clears in order, each as an event no earlier than planned', async () => {
  const calls: string[] = [];
  const injector: FaultInjector = {
    kinds: ['server-move', 'toxic'],
    apply: async (e: ScheduleEntry, i) => void calls.push(`apply ${i} ${e.fault}`),
    clear: async (e: ScheduleEntry, i) => void calls.push(`clear ${i} ${e.fault}`),
  };
  const schedule = parseSchedule([
    { at: 0, duration: 60, fault: 'toxic', params: { type: 'latency' } },
    { at: 30, fault: 'server-move', params: { kind: 'drop' } },
  ]);
  const start = systemClock.now();
  const run = runSchedule(schedule, [injector], systemClock);
  await run.done;
  expect(calls).toEqual(['apply 0 toxic', 'apply 1 server-move', 'clear 0 toxic']);
  const ev = run.events.list();
  expect(ev.map((e) => e.type)).toEqual(['fault-applied', 'fault-applied', 'fault-cleared']);
  expect(ev[1]!.t - start).toBeGreaterThanOrEqual(29);
  expect(ev[2]!.t - start).toBeGreaterThanOrEqual(59);
});

test('a schedule needing an injector the run lacks fails before anything happens', () => {
  expect(() => runSchedule(parseSchedule([{ at: 0, fault: 'kill' }]), [], systemClock)).toThrow(/no injector for "kill"/);
});

test('cancel clears what is active and resolves done', async () => {
  const calls: string[] = [];
  const injector: FaultInjector = { kinds: ['toxic'], apply: async () => void calls.push('apply'), clear: async () => void calls.push('clear') };
  const run = runSchedule(parseSchedule([{ at: 0, duration: 60_000, fault: 'toxic', params: { type: 'noop' } }]), [injector], systemClock);
  await run.events.waitFor((e) => e.type === 'fault-applied', 1000);
  await run.cancel();
  await run.done;
  expect(calls).toEqual(['apply', 'clear']);
});
