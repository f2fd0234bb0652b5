import { expect, test } from 'vitest';
import { checkInvariants, delaysFollowPolicy, recoversWithinBound, recoveryBoundMs, replacedInstanceStandsDown, stopsAfter401, storeReloadsAfterCrash } from '../../harness/invariants.js';
import { clientMetrics } from '../../harness/recorder/metrics.js';
import { mergeTimeline, type RunRecord } from '../../harness/recorder/timeline.js';
import { DEFAULT_SUPERVISOR_CONFIG } from '../../harness/supervisor/config.js';
import type { SupervisorEvent } from '../../harness/supervisor/supervisor.js';

const config = { ...DEFAULT_SUPERVISOR_CONFIG, keepAliveIntervalMs: 1000, loginTimeoutMs: 3000, connectTimeoutMs: 2000, backoff: { baseDelayMs: 100, maxDelayMs: 400, factor: 2, jitter: 'none' as const, jitterFraction: 0 } };
const jid = '1:1@s.whatsapp.net';

/** A run built by hand on a virtual clock: fault at 1000–8000, 408 at 7000, reopen at 8300. */
function record(client: SupervisorEvent[], end = 20_000): RunRecord {
  return {
    start: 0,
    end,
    jids: [jid],
    timeline: mergeTimeline({
      clients: [client],
      server: [
        { t: 500, seq: 1, type: 'open', conn: 1, jid },
        { t: 7000, seq: 2, type: 'closed', conn: 1, jid, detail: { wasOpen: true } },
        { t: 8300, seq: 3, type: 'open', conn: 2, jid },
      ],
      faults: [
        { t: 1000, type: 'fault-applied', index: 0, fault: 'toxic' },
        { t: 8000, type: 'fault-cleared', index: 0, fault: 'toxic' },
      ],
      jids: [jid],
    }),
  };
}

const healthy: SupervisorEvent[] = [
  { t: 0, type: 'attempt', attempt: 1 },
  { t: 500, type: 'open', attempt: 1 },
  { t: 7000, type: 'close', attempt: 1, code: 408 },
  { t: 7000, type: 'decision', action: 'backoff', failures: 1, delayMs: 100 },
  { t: 7100, type: 'attempt', attempt: 2 },
  { t: 8300, type: 'open', attempt: 2 },
];

test('metrics from a merged timeline, as README defines them', () => {
  const m = clientMetrics(record(healthy), 0);
  expect(m).toMatchObject({ detectMs: [6000], recoverMs: 300, attempts: 2, delaysMs: [100], qrRePairs: 0, sessionsLost: 0, maxOpenPerDevice: 1 });
  // Open 500–7000 and 8300–20000 of 20000 ms.
  expect(m.availability).toBeCloseTo((6500 + 11700) / 20000, 5);
});

test('recovery: valid within the bound, unknown when the window ends first, invalid past the bound', () => {
  const bound = recoveryBoundMs(config);
  expect(recoversWithinBound.check({ run: record(healthy), config, schedule: [] }, 0).verdict).toBe('valid');
  const neverBack = healthy.slice(0, 5);
  expect(recoversWithinBound.check({ run: record(neverBack, 8000 + bound / 2), config, schedule: [] }, 0).verdict).toBe('unknown');
  expect(recoversWithinBound.check({ run: record(neverBack, 8000 + bound + 1), config, schedule: [] }, 0).verdict).toBe('invalid');
});

test('delays off the policy and a reconnect after 401 are invalid', () => {
  const noBackoff = healthy.map((e) => (e.type === 'decision' ? { ...e, delayMs: 0 } : e));
  expect(delaysFollowPolicy.check({ run: record(noBackoff), config, schedule: [] }, 0)).toMatchObject({ verdict: 'invalid', message: expect.stringMatching(/waited 0 ms, outside \[100, 100\]/) });
  const loop401: SupervisorEvent[] = [...healthy.slice(0, 2), { t: 7000, type: 'close', attempt: 1, code: 401 }, { t: 7001, type: 'attempt', attempt: 2 }];
  expect(stopsAfter401.check({ run: record(loop401), config, schedule: [] }, 0).verdict).toBe('invalid');
  const stop401: SupervisorEvent[] = [...healthy.slice(0, 2), { t: 7000, type: 'close', attempt: 1, code: 401 }, { t: 7000, type: 'stopped', reason: 'repair-needed', message: '' }];
  expect(checkInvariants({ run: record(stop401), config, schedule: [] }, [stopsAfter401])[0]!.verdict).toBe('valid');
});

test('recovery from an instantaneous fault (a stream error) counts its close and reopen, not 0', () => {
  const run: RunRecord = {
    start: 0,
    end: 5000,
    jids: [jid],
    timeline: mergeTimeline({
      clients: [
        [
          { t: 0, type: 'attempt', attempt: 1 },
          { t: 100, type: 'open', attempt: 1 },
          { t: 1002, type: 'close', attempt: 1, code: 515 },
          { t: 1003, type: 'attempt', attempt: 2 },
          { t: 1250, type: 'open', attempt: 2 },
        ],
      ],
      server: [
        { t: 90, seq: 1, type: 'open', conn: 1, jid },
        { t: 1001, seq: 2, type: 'closed', conn: 1, jid, detail: { wasOpen: true } },
        { t: 1240, seq: 3, type: 'open', conn: 2, jid },
      ],
      faults: [{ t: 1000, type: 'fault-applied', index: 0, fault: 'server-move' }],
      jids: [jid],
    }),
  };
  expect(clientMetrics(run, 0).recoverMs).toBe(250);
});

test('after 440: standing down is valid, reconnecting is the ping-pong, no stop yet is unknown', () => {
  const replaced: SupervisorEvent[] = [...healthy.slice(0, 2), { t: 7000, type: 'close', attempt: 1, code: 440 }];
  const ctx = (events: SupervisorEvent[]) => ({ run: record(events), config, schedule: [] });
  expect(replacedInstanceStandsDown.check(ctx([...replaced, { t: 7001, type: 'stopped', reason: 'conflict', message: '' }]), 0).verdict).toBe('valid');
  expect(replacedInstanceStandsDown.check(ctx([...replaced, { t: 7100, type: 'attempt', attempt: 2 }]), 0)).toMatchObject({ verdict: 'invalid', message: expect.stringMatching(/1 replacements/) });
  expect(replacedInstanceStandsDown.check(ctx(replaced), 0).verdict).toBe('unknown');
});

test('after a kill: reloaded and logged in is valid, a store error is a lost session, a QR is never allowed', () => {
  // The record's fault window becomes one kill at 7000 (schedule entry 0).
  const schedule = [{ at: 0, fault: 'kill' as const }];
  const killRun = (events: SupervisorEvent[]) => {
    const run = record(events);
    run.timeline = run.timeline
      .filter((e) => e.source !== 'fault' || e.event.type === 'fault-applied')
      .map((e) => (e.source === 'fault' ? { ...e, event: { ...e.event, fault: 'kill' as const, t: 7000 }, t: 7000 } : e));
    return { run, config, schedule };
  };
  const before = healthy.slice(0, 2);
  expect(storeReloadsAfterCrash.check(killRun([...before, { t: 7200, type: 'attempt', attempt: 1 }, { t: 8300, type: 'open', attempt: 1 }]), 0).verdict).toBe('valid');
  expect(storeReloadsAfterCrash.check(killRun([...before, { t: 7200, type: 'stopped', reason: 'store-error', message: 'creds.json is empty' }]), 0)).toMatchObject({ verdict: 'invalid', message: expect.stringMatching(/did not reload \(creds\.json is empty\)/) });
  expect(storeReloadsAfterCrash.check(killRun([...before, { t: 7200, type: 'qr' }]), 0).verdict).toBe('invalid');
  expect(storeReloadsAfterCrash.check(killRun([...before, { t: 7200, type: 'attempt', attempt: 1 }]), 0).verdict).toBe('unknown');
  // A kill that damaged the creds: refusing them is the right answer.
  const damaged = [{ at: 0, fault: 'kill' as const, params: { corrupt: 'truncate' } }];
  expect(storeReloadsAfterCrash.check({ ...killRun([...before, { t: 7200, type: 'stopped', reason: 'store-error', message: 'truncated' }]), schedule: damaged }, 0).verdict).toBe('valid');
});
