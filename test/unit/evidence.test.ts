/**
 * What the server saw of each client: attribution of its events (by the client's label before its
 * JID) and the evidence read from them.
 */
import { expect, test } from 'vitest';
import type { ServerEvent, ServerEventType } from '../../fake-server/events.js';
import { clientEvidence, firstTerminal, openAt } from '../../harness/recorder/evidence.js';
import { mergeTimeline, type RunRecord } from '../../harness/recorder/timeline.js';

const JID = '1:1@s.whatsapp.net';
const OTHER = '2:1@s.whatsapp.net';

let seq = 0;
const ev = (t: number, type: ServerEventType, conn: number | null, extra: { jid?: string; client?: string; detail?: Record<string, unknown> } = {}): ServerEvent => ({ t, seq: ++seq, type, conn, ...extra });

const record = (server: ServerEvent[], jids: string[], end = 10_000): RunRecord => ({ start: 0, end, jids, timeline: mergeTimeline({ clients: jids.map(() => []), server, faults: [], jids }) });

test('two clients sharing one JID each get their own events, by label', () => {
  const server = [
    ev(0, 'ws-open', 1, { client: '0' }),
    ev(100, 'open', 1, { client: '0', jid: JID }),
    ev(900, 'ws-open', 2, { client: '1' }),
    ev(1000, 'closed', 1, { client: '0', jid: JID, detail: { why: 'server move', wasOpen: true, code: 440 } }),
    ev(1050, 'open', 2, { client: '1', jid: JID }),
    ev(2000, 'upgrade-rejected', null, { client: '0', detail: { status: 503 } }),
  ];
  const run = record(server, [JID, JID]);
  const attributed = run.timeline.map((e) => (e.source === 'server' ? e.client : 'x'));
  expect(attributed).toEqual([0, 0, 1, 0, 1, 0]);

  const zero = clientEvidence(run, 0);
  expect(zero).toMatchObject({ attempts: [0, 2000], opens: [100], openAtEnd: false, maxOpenPerDevice: 1 });
  expect(zero.closes.map((c) => c.code)).toEqual([440, 503]);
  expect(firstTerminal(zero, 440)).toBe(1000);
  const one = clientEvidence(run, 1);
  expect(one).toMatchObject({ attempts: [900], opens: [1050], closes: [], openAtEnd: true, maxOpenPerDevice: 1 });
  expect(firstTerminal(one, 440)).toBeUndefined();
});

test('without a label: by JID; a label that is not an index: by JID; a server-wide event: no client', () => {
  const server = [
    ev(10, 'open', 1, { jid: OTHER }),
    ev(20, 'open', 2, { client: 'bot-a', jid: JID }),
    ev(30, 'fault-applied', null, { detail: { restart: true } }),
    ev(40, 'upgrade-rejected', null, { detail: { status: 503 } }),
  ];
  const run = record(server, [JID, OTHER]);
  expect(run.timeline.map((e) => (e.source === 'server' ? e.client : 'x'))).toEqual([1, 0, undefined, undefined]);
  // The unattributed rejection is nobody's attempt.
  expect(clientEvidence(run, 0).attempts).toEqual([]);
  expect(clientEvidence(run, 1).attempts).toEqual([]);
});

test('an attempt refused before login (no JID yet) is the labelled client\'s', () => {
  const run = record([ev(0, 'ws-open', 1, { client: '1' }), ev(50, 'login-refused', 1, { client: '1', detail: { reason: 401, why: 'unknown device' } }), ev(60, 'closed', 1, { client: '1', detail: { why: 'login refused', wasOpen: false, code: 401 } })], [JID, OTHER]);
  expect(clientEvidence(run, 0)).toMatchObject({ attempts: [], refusals: [], closes: [] });
  const ev1 = clientEvidence(run, 1);
  expect(ev1).toMatchObject({ attempts: [0], refusals: [{ t: 50, reason: 401 }], closes: [{ t: 60, conn: 1, code: 401, why: 'login refused', wasOpen: false }] });
  expect(firstTerminal(ev1, 401)).toBe(50);
});

test('the timeline is in time order whatever order the streams arrive in', () => {
  const run = record([ev(300, 'open', 1, { client: '0', jid: JID }), ev(100, 'ws-open', 1, { client: '0' })], [JID]);
  expect(run.timeline.map((e) => e.t)).toEqual([100, 300]);
});

test('gaps: from a close to the next attempt, with the failed attempts before it and the code it followed', () => {
  const c = { client: '0' };
  const run = record(
    [
      ev(0, 'ws-open', 1, c),
      ev(100, 'open', 1, { ...c, jid: JID }),
      ev(1000, 'closed', 1, { ...c, jid: JID, detail: { why: 'server move', wasOpen: true, code: 503 } }),
      ev(1100, 'ws-open', 2, c),
      ev(1200, 'closed', 2, { ...c, detail: { why: 'handshake timeout', wasOpen: false } }),
      ev(1500, 'upgrade-rejected', null, { ...c, detail: { status: 503 } }),
      ev(2300, 'ws-open', 3, c),
      ev(2400, 'registration', 3, c),
      ev(2500, 'open', 3, { ...c, jid: JID }),
    ],
    [JID],
  );
  const e = clientEvidence(run, 0);
  expect(e.gaps).toEqual([
    { t: 1100, ms: 100, failures: 0, afterCode: 503 },
    { t: 1500, ms: 300, failures: 1 },
    { t: 2300, ms: 800, failures: 2, afterCode: 503 },
  ]);
  expect(e).toMatchObject({ attempts: [0, 1100, 1500, 2300], opens: [100, 2500], registrations: [2400], openAtEnd: true });
  expect(e.closes.map((x) => [x.t, x.code, x.wasOpen])).toEqual([
    [1000, 503, true],
    [1200, undefined, false],
    [1500, 503, false],
  ]);
  expect([openAt(run, 0, 500), openAt(run, 0, 1000), openAt(run, 0, 2000), openAt(run, 0, 2500)]).toEqual([true, false, false, true]);
});
