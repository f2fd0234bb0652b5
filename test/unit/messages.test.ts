/**
 * Message traffic judged from the server's record alone: runs built by hand from the harness's
 * log of what it sent plus the server's message events (the contract fake-server/messaging
 * records: message-queued, -sent, -receipted, -decrypt-failed, -answered), on a clock from 0.
 * Each message check is shown a record that breaks it, one that keeps it and, where it can be,
 * one too short to decide.
 */
import { afterEach, describe, expect, test, vi } from 'vitest';
import type { ServerEvent } from '../../fake-server/events.js';
import { judgeSettings } from '../../harness/bots/bounds.js';
import { checkInvariants, type InvariantContext } from '../../harness/invariants.js';
import { inboundEvidence } from '../../harness/messages/evidence.js';
import { fairDeadline, messageInvariants, messageJudge, noAnswerLost, noInboundLost, noMessageHandledTwice, notDeafAfterReconnect } from '../../harness/messages/invariants.js';
import { messageMetrics } from '../../harness/messages/metrics.js';
import { beginTraffic } from '../../harness/messages/run-traffic.js';
import { serverChannel, startTraffic, trafficFor, TrafficNotAvailableError, type MessageChannel, type SentMessage } from '../../harness/messages/traffic.js';
import { mergeTimeline, type RunRecord } from '../../harness/recorder/timeline.js';
import { DEFAULT_SUPERVISOR_CONFIG } from '../../harness/supervisor/config.js';
import { toReport } from '../../harness/runner/execute.js';
import type { ScenarioRun } from '../../harness/scenario.js';
import type { ScheduleEvent } from '../../harness/faults/schedule.js';
import { systemClock } from '../../core/clock.js';

const BOT = '1:1@s.whatsapp.net';
const ALICE = '15550001@s.whatsapp.net';
const JUDGE = { graceMs: 3_000, deafAfterMs: 3_000 };

let seq = 0;
const ev = (t: number, type: string, conn: number | null, detail: Record<string, unknown> = {}, client: string | undefined = '0'): ServerEvent =>
  ({ t, seq: ++seq, type, conn, ...(client !== undefined ? { client } : {}), jid: BOT, detail }) as ServerEvent;

/** The server's record of client 0 (its connections) and of the messages to it. */
const s = {
  open: (t: number, conn: number) => [ev(t - 100, 'ws-open', conn), ev(t, 'open', conn)],
  closed: (t: number, conn: number) => ev(t, 'closed', conn, { why: 'socket closed', wasOpen: true }),
  queued: (t: number, id: string) => ev(t, 'message-queued', null, { id, from: ALICE, to: BOT, text: `[chaos ${id}]` }, undefined),
  sent: (t: number, conn: number, id: string, attempt = 1, offline = false) => ev(t, 'message-sent', conn, { id, from: ALICE, to: BOT, text: `[chaos ${id}]`, enc: 'msg', offline, attempt }),
  receipted: (t: number, conn: number, id: string) => ev(t, 'message-receipted', conn, { id, from: BOT, to: ALICE }),
  decryptFailed: (t: number, conn: number, id: string, retryCount = 1) => ev(t, 'message-decrypt-failed', conn, { id, from: BOT, to: ALICE, retryCount }),
  answered: (t: number, conn: number, inReplyTo: string | undefined, answerId: string, text = `echo: [chaos ${inReplyTo}]`) => ev(t, 'message-answered', conn, { id: answerId, from: BOT, to: ALICE, text, ...(inReplyTo ? { inReplyTo } : {}) }),
  keyReused: (t: number, conn: number, answerId: string, firstId: string) => ev(t, 'message-key-reused', conn, { id: answerId, firstId, from: BOT, to: ALICE, counter: 5 }),
};
const msg = (id: string, t: number): SentMessage => ({ id, t, from: ALICE, to: BOT, text: `[chaos ${id}]` });
const fault = (t: number, type: 'fault-applied' | 'fault-cleared'): ScheduleEvent => ({ t, type, index: 0, fault: 'server-move' });

function record(parts: { server: (ServerEvent | ServerEvent[])[]; sent: SentMessage[]; end: number; answers?: boolean; faults?: ScheduleEvent[]; jids?: string[] }): RunRecord {
  const jids = parts.jids ?? [BOT];
  return {
    start: 0,
    end: parts.end,
    jids,
    timeline: mergeTimeline({ clients: jids.map(() => []), server: parts.server.flat(), faults: parts.faults ?? [], jids }),
    traffic: { perMinute: 60, answers: !!parts.answers, judge: JUDGE, sent: parts.sent, refused: 0 },
  };
}
const ctx = (run: RunRecord): InvariantContext => ({ run, schedule: [], judge: judgeSettings({ config: DEFAULT_SUPERVISOR_CONFIG, declaresPolicy: true, scale: 1 }) });

describe('what the server saw of each message', () => {
  test('deliveries, receipts, retries and answers are matched to the harness\'s log by id; an answer without inReplyTo by the text it quotes', () => {
    const run = record({
      server: [s.open(100, 1), s.sent(1_010, 1, 'a'), s.receipted(1_050, 1, 'a'), s.answered(1_100, 1, 'a', 'x1'), s.answered(1_150, 1, 'a', 'x1'), s.queued(2_000, 'b'), s.sent(2_500, 1, 'b', 1, true), s.decryptFailed(2_600, 1, 'b'), s.answered(2_700, 1, undefined, 'x2', 'echo: [chaos b]')],
      sent: [msg('a', 1_000), msg('b', 2_000)],
      end: 10_000,
    });
    const [a, b] = inboundEvidence(run);
    expect(a).toMatchObject({ id: 'a', deliveries: [{ t: 1_010, conn: 1, offline: false, attempt: 1 }], receipts: [1_050], answers: [{ t: 1_100, id: 'x1' }] });
    expect(b).toMatchObject({ id: 'b', queued: [2_000], deliveries: [{ t: 2_500, offline: true }], decryptFailures: [{ t: 2_600, retryCount: 1 }], receipts: [], answers: [{ t: 2_700, id: 'x2' }] });
  });
});

describe('message metrics', () => {
  test('sent, delivered, receipted, answered, lost (not unknown in the grace), duplicated, decrypt failures and how they ended, first handled after the last fault', () => {
    const run = record({
      server: [
        s.open(100, 1),
        s.sent(1_010, 1, 'a'), s.receipted(1_050, 1, 'a'), s.answered(1_100, 1, 'a', 'x1'), s.answered(1_200, 1, 'a', 'x2'),
        s.closed(1_500, 1), s.queued(2_000, 'b'), s.open(3_000, 2), s.sent(3_010, 2, 'b', 1, true), s.decryptFailed(3_020, 2, 'b'), s.sent(3_100, 2, 'b', 2, true), s.receipted(3_200, 2, 'b'), s.answered(3_400, 2, 'b', 'x3'),
        s.sent(4_010, 2, 'c'), s.decryptFailed(4_020, 2, 'c'),
        s.sent(9_010, 2, 'd'),
      ],
      faults: [fault(1_500, 'fault-applied'), fault(2_900, 'fault-cleared')],
      sent: [msg('a', 1_000), msg('b', 2_000), msg('c', 4_000), msg('d', 9_000)],
      answers: true,
      end: 10_000,
    });
    expect(messageMetrics(run)).toEqual({
      perMinute: 60,
      answers: true,
      sent: 4,
      delivered: 4,
      receipted: 2,
      answered: 2,
      lost: 1,
      unknown: 1,
      notExpected: 0,
      duplicated: 1,
      refused: 0,
      decryptFailures: { messages: 2, receiptedAfterRetry: 1, notReceipted: 1 },
      keyReused: 0,
      // b was queued while the device was down, delivered at the next login, and answered.
      offline: { queued: 1, deliveredAtLogin: 1, handled: 1 },
      firstHandledAfterLastFaultMs: 500,
      lostIds: ['c'],
    });
  });

  test('a run without traffic has none', () => {
    const run = record({ server: [s.open(100, 1)], sent: [], end: 1_000 });
    delete run.traffic;
    expect(messageMetrics(run)).toBeUndefined();
  });
});

describe('no inbound message lost / no answer lost', () => {
  test('a message never receipted by the end is lost (invalid); one in the grace is not judged', () => {
    const run = record({ server: [s.open(100, 1), s.sent(1_010, 1, 'a'), s.sent(2_010, 1, 'b'), s.receipted(2_050, 1, 'b')], sent: [msg('a', 1_000), msg('b', 2_000), msg('c', 9_000)], end: 10_000 });
    expect(noInboundLost.check(ctx(run), 0)).toMatchObject({ verdict: 'invalid', message: expect.stringMatching(/^1 of 2 message\(s\) never receipted by the end of the window; first a sent at 1000 ms \(written to the bot 1 time\(s\)\); 1 sent in the last 3000 ms, not receipted yet, not judged/) });
  });

  test('a lost answer the bot had decrypted (it acked the redelivery with 487) is invalid, and the loss says so', () => {
    const dup = (t: number, conn: number, id: string) => ev(t, 'message-receipted', conn, { id, from: BOT, to: ALICE, duplicate: true, ackError: 487 });
    const run = record({
      server: [s.open(100, 1), s.sent(1_010, 1, 'a'), s.closed(1_200, 1), s.open(2_000, 2), s.sent(2_010, 2, 'a', 2, true), dup(2_050, 2, 'a')],
      sent: [msg('a', 1_000)],
      answers: true,
      end: 10_000,
    });
    expect(inboundEvidence(run)[0]).toMatchObject({ receipts: [2_050], alreadyDecrypted: [2_050] });
    expect(noInboundLost.check(ctx(run), 0).verdict).toBe('valid');
    expect(noAnswerLost.check(ctx(run), 0)).toMatchObject({ verdict: 'invalid', message: expect.stringMatching(/; 1 of them the bot acked on a redelivery as already decrypted \(error 487\): it decrypted them on a connection that closed before its receipt went out, and never handled them/) });
  });

  test('a lost answer, with an answer the contact never could decrypt: the loss names it, one unreadable message for one loss', () => {
    const unreadable = (t: number, conn: number, id: string) => ev(t, 'message-undecryptable', conn, { id, from: BOT, to: ALICE, error: `${ALICE}: Bad MAC` });
    const run = record({
      // x1 unreadable, then read on a resend (not counted); x2 never read; b and c lost.
      server: [s.open(100, 1), s.sent(1_010, 1, 'a'), unreadable(1_100, 1, 'x1'), s.answered(1_300, 1, 'a', 'x1'), s.sent(2_010, 1, 'b'), unreadable(2_100, 1, 'x2'), unreadable(2_400, 1, 'x2'), s.sent(3_010, 1, 'c')],
      sent: [msg('a', 1_000), msg('b', 2_000), msg('c', 3_000)],
      answers: true,
      end: 10_000,
    });
    expect(noAnswerLost.check(ctx(run), 0)).toMatchObject({ verdict: 'invalid', message: expect.stringMatching(/^2 of 3 message\(s\) never answered.*; 1 of them from contacts that never could decrypt 1 message\(s\) the bot sent them \(an answer the contact cannot read; README Findings/) });
    // Receipts are not answers: the plain check names no unreadable answer.
    expect(noInboundLost.check(ctx(run), 0).message).not.toMatch(/never could decrypt/);
  });

  test('a lost answer, with answers the bot sealed with a used key: counted (keyReused), and the loss names them; the verdict is unchanged', () => {
    const run = record({
      server: [s.open(100, 1), s.sent(1_010, 1, 'a'), s.answered(1_100, 1, 'a', 'x1'), s.sent(2_010, 1, 'b'), s.keyReused(2_100, 1, 'x2', 'x1'), s.keyReused(20_000, 1, 'x3', 'x1')],
      sent: [msg('a', 1_000), msg('b', 2_000)],
      answers: true,
      end: 10_000,
    });
    // The one after the end of the window is not counted.
    expect(messageMetrics(run)!.keyReused).toBe(1);
    expect(noAnswerLost.check(ctx(run), 0)).toMatchObject({ verdict: 'invalid', message: expect.stringMatching(/^1 of 2 message\(s\) never answered by the end of the window; first b .*; the bot sealed 1 message\(s\) with a Signal message key it had used before \(its contacts cannot decrypt them; README Findings: Baileys reuses message keys when it sends several messages at once\)$/) });
    const clean = record({ server: [s.open(100, 1), s.sent(1_010, 1, 'a'), s.answered(1_100, 1, 'a', 'x1'), s.sent(2_010, 1, 'b')], sent: [msg('a', 1_000), msg('b', 2_000)], answers: true, end: 10_000 });
    expect(noAnswerLost.check(ctx(clean), 0).message).not.toContain('message key');
  });

  test('every message receipted is valid; only messages in the grace is unknown, never a pass', () => {
    const ok = record({ server: [s.open(100, 1), s.sent(1_010, 1, 'a'), s.receipted(1_050, 1, 'a')], sent: [msg('a', 1_000)], end: 10_000 });
    expect(noInboundLost.check(ctx(ok), 0)).toMatchObject({ verdict: 'valid', message: 'all 1 message(s) receipted' });
    const short = record({ server: [s.open(100, 1)], sent: [msg('a', 9_500)], end: 10_000 });
    expect(noInboundLost.check(ctx(short), 0)).toMatchObject({ verdict: 'unknown' });
  });

  test('an answering bot that receipts but never answers has lost the answer', () => {
    const run = record({ server: [s.open(100, 1), s.sent(1_010, 1, 'a'), s.receipted(1_050, 1, 'a')], sent: [msg('a', 1_000)], answers: true, end: 10_000 });
    expect(noInboundLost.check(ctx(run), 0).verdict).toBe('valid');
    expect(noAnswerLost.check(ctx(run), 0)).toMatchObject({ verdict: 'invalid', message: expect.stringMatching(/never answered/) });
  });

  test('messages sent after the device was logged out (401, rightly down), or within the allowance before, are not expected; earlier ones are', () => {
    const run = record({
      server: [s.open(100, 1), s.sent(1_010, 1, 'a'), s.sent(4_010, 1, 'b'), ev(6_000, 'closed', 1, { why: 'logged out', wasOpen: true, code: 401 }), s.queued(7_000, 'c')],
      sent: [msg('a', 1_000), msg('b', 4_000), msg('c', 7_000)],
      end: 20_000,
    });
    expect(noInboundLost.check(ctx(run), 0)).toMatchObject({ verdict: 'invalid', message: expect.stringMatching(/^1 of 1 message\(s\) never receipted by the end of the window; first a .*; 2 sent too close to \(or after\) the device going rightly down, not expected to be receipted$/) });
    expect(messageMetrics(run)).toMatchObject({ lost: 1, notExpected: 2, lostIds: ['a'] });
  });

  test('a second client on the same device defers to the first', () => {
    const run = record({ server: [s.open(100, 1)], sent: [], end: 10_000, jids: [BOT, BOT] });
    expect(noInboundLost.check(ctx(run), 1)).toMatchObject({ verdict: 'valid', message: 'same device as client 0: judged there' });
  });
});

describe('not deaf after a reconnect', () => {
  const deaf = notDeafAfterReconnect(true);
  /** Open at 100, closed at 2000, open again at 3000 until the end (10 s). */
  const reconnect = (after: (ServerEvent | ServerEvent[])[], sent: SentMessage[]) =>
    record({ server: [s.open(100, 1), s.sent(1_010, 1, 'a'), s.answered(1_100, 1, 'a', 'x1'), s.closed(2_000, 1), s.open(3_000, 2), ...after], sent: [msg('a', 1_000), ...sent], answers: true, end: 10_000 });

  test('open after a reconnect while messages sent to it go unanswered: a zombie (invalid)', () => {
    const run = reconnect([s.sent(4_010, 2, 'b'), s.receipted(4_050, 2, 'b')], [msg('b', 4_000)]);
    expect(deaf.check(ctx(run), 0)).toMatchObject({ verdict: 'invalid', message: expect.stringMatching(/^a zombie after reconnect 1: connection 2 open from 3000 ms to the end, but b \(sent at 4000 ms\) was not answered within 3000 ms, nor ever/) });
  });

  test('a message that waited for the reconnect counts too (redelivered to the new connection)', () => {
    const run = reconnect([s.sent(3_010, 2, 'b', 2, true)], [msg('b', 2_500)]);
    expect(deaf.check(ctx(run), 0).verdict).toBe('invalid');
  });

  test('answered within the allowance after the reconnect is valid', () => {
    const run = reconnect([s.sent(4_010, 2, 'b'), s.answered(4_200, 2, 'b', 'x2')], [msg('b', 4_000)]);
    expect(deaf.check(ctx(run), 0)).toMatchObject({ verdict: 'valid', message: expect.stringMatching(/1 reconnect\(s\): every message that met an open connection was answered within 3000 ms \(1 judged\)/) });
  });

  test('a message answered on the new connection counts for it, even when the connection closed before that message\'s full allowance ran out', () => {
    // Open 3000–5000 ms (2 s, under the 3 s allowance after b): b answered at 4200 ms proves it heard.
    const answered = reconnect([s.sent(4_010, 2, 'b'), s.answered(4_200, 2, 'b', 'x2'), s.closed(6_500, 2), s.open(7_000, 3), s.sent(7_510, 3, 'c'), s.answered(7_600, 3, 'c', 'x3')], [msg('b', 4_000), msg('c', 7_500)]);
    expect(deaf.check(ctx(answered), 0)).toMatchObject({ verdict: 'valid', message: expect.stringMatching(/^2 reconnect\(s\): every message that met an open connection was answered within 3000 ms \(2 judged\)$/) });
    // Not answered before it closed, allowance not over: undecided, as before.
    const unanswered = reconnect([s.sent(4_010, 2, 'b'), s.closed(6_500, 2), s.open(7_000, 3), s.sent(7_510, 3, 'c'), s.answered(7_600, 3, 'c', 'x3')], [msg('b', 4_000), msg('c', 7_500)]);
    expect(deaf.check(ctx(unanswered), 0).verdict).toBe('unknown');
  });

  test('no message met the new connection for the full allowance: unknown; a reconnect closed within the allowance cannot be deaf; no reconnect at all: valid', () => {
    expect(deaf.check(ctx(reconnect([], [msg('b', 9_000)])), 0)).toMatchObject({ verdict: 'unknown', message: expect.stringMatching(/^reconnect\(s\) 1 of 1: open, but no message met the connection for 3000 ms/) });
    const brief = reconnect([s.closed(4_000, 2), s.open(5_000, 3), s.sent(6_010, 3, 'b'), s.answered(6_100, 3, 'b', 'x2')], [msg('b', 6_000)]);
    expect(deaf.check(ctx(brief), 0)).toMatchObject({ verdict: 'valid', message: expect.stringMatching(/^2 reconnect\(s\): .* \(1 judged; 1 closed within the allowance\)$/) });
    const steady = record({ server: [s.open(100, 1), s.sent(1_010, 1, 'a')], sent: [msg('a', 1_000)], end: 10_000 });
    expect(deaf.check(ctx(steady), 0)).toMatchObject({ verdict: 'valid', message: 'never reconnected in the window' });
  });

  test('time under a fault that silences the client\'s link (the connection still open) is not counted against the bot; other faults excuse nothing', () => {
    // A message at 4000 ms, then the link silent from 5000 to 8000 ms: answered at 8500 ms, 4500 ms
    // after it was sent but 1500 ms of fault-free time: valid. Unanswered with 3000 ms of
    // fault-free time to spare: still a zombie, and the message says how much was not counted.
    const silent = [fault(5_000, 'fault-applied'), fault(8_000, 'fault-cleared')];
    const blackhole = [{ at: 5_000, duration: 3_000, fault: 'toxic' as const, params: { type: 'timeout', attributes: { timeout: 0 } } }];
    const silentCtx = (run: RunRecord): InvariantContext => ({ ...ctx(run), schedule: blackhole });
    const answered = reconnect([s.sent(4_010, 2, 'b'), s.answered(8_500, 2, 'b', 'x2')], [msg('b', 4_000)]);
    answered.timeline = mergeTimeline({ clients: [[]], server: answered.timeline.filter((e) => e.source === 'server').map((e) => e.event as ServerEvent), faults: silent, jids: [BOT] });
    expect(deaf.check(silentCtx(answered), 0)).toMatchObject({ verdict: 'valid' });
    // A fault that leaves the link usable (a server move that closes nothing here) excuses nothing.
    expect(deaf.check(ctx(answered), 0).verdict).toBe('invalid');
    const never = reconnect([s.sent(4_010, 2, 'b')], [msg('b', 4_000)]);
    never.end = 20_000;
    never.timeline = mergeTimeline({ clients: [[]], server: never.timeline.filter((e) => e.source === 'server').map((e) => e.event as ServerEvent), faults: silent, jids: [BOT] });
    expect(deaf.check(silentCtx(never), 0)).toMatchObject({ verdict: 'invalid', message: expect.stringMatching(/was not answered within 3000 ms of fault-free time \(3000 ms under a fault not counted\), nor ever$/) });
    // A fault aimed at another client does not excuse this one.
    const elsewhere = reconnect([s.sent(4_010, 2, 'b'), s.answered(8_500, 2, 'b', 'x2')], [msg('b', 4_000)]);
    elsewhere.timeline = answered.timeline;
    expect(deaf.check({ ...ctx(elsewhere), schedule: [{ ...blackhole[0]!, target: 1 }] }, 0).verdict).toBe('invalid');
  });

  test('fairDeadline adds the fault time inside the allowance, and a fault never cleared pushes it past any end', () => {
    expect(fairDeadline(0, 1_000, [])).toBe(1_000);
    expect(fairDeadline(0, 1_000, [[500, 700]])).toBe(1_200);
    expect(fairDeadline(0, 1_000, [[500, 700], [1_100, 1_300]])).toBe(1_400);
    expect(fairDeadline(600, 1_000, [[500, 700]])).toBe(1_700);
    expect(fairDeadline(0, 1_000, [[2_000, 3_000]])).toBe(1_000);
    expect(fairDeadline(0, 1_000, [[500, Infinity]])).toBe(Infinity);
  });

  test('a bot that does not answer is judged on receipts', () => {
    const run = reconnect([s.sent(4_010, 2, 'b'), s.receipted(4_050, 2, 'b')], [msg('b', 4_000)]);
    run.traffic!.answers = false;
    expect(notDeafAfterReconnect(false).check(ctx(run), 0).verdict).toBe('valid');
  });
});

test('no message handled twice: an inbound id answered by two distinct answers is invalid; one answer seen twice is not', () => {
  const twice = record({ server: [s.open(100, 1), s.sent(1_010, 1, 'a'), s.answered(1_100, 1, 'a', 'x1'), s.answered(1_300, 1, 'a', 'x2')], sent: [msg('a', 1_000)], answers: true, end: 10_000 });
  expect(noMessageHandledTwice.check(ctx(twice), 0)).toMatchObject({ verdict: 'invalid', message: '1 message(s) answered more than once; a 2 times' });
  const once = record({ server: [s.open(100, 1), s.sent(1_010, 1, 'a'), s.answered(1_100, 1, 'a', 'x1'), s.answered(1_300, 1, 'a', 'x1')], sent: [msg('a', 1_000)], answers: true, end: 10_000 });
  expect(noMessageHandledTwice.check(ctx(once), 0).verdict).toBe('valid');
});

test('the checks a run with traffic adds: answers only for an answering bot', () => {
  expect(messageInvariants(false).map((i) => i.name)).toEqual(['no inbound message lost', 'not deaf after a reconnect']);
  expect(messageInvariants(true).map((i) => i.name)).toEqual(['no inbound message lost', 'no answer lost', 'not deaf after a reconnect', 'no message handled twice']);
  const run = record({ server: [s.open(100, 1)], sent: [], end: 1_000 });
  expect(checkInvariants(ctx(run), messageInvariants(true))).toHaveLength(4);
});

test('the message judge: 15 s real-world, scaled, never below the 3 s a decryption and an answer take on the machine plus 6.7.x\'s fixed 5 s before a retry', () => {
  expect(messageJudge(1)).toEqual({ graceMs: 15_000, deafAfterMs: 15_000 });
  expect(messageJudge(0.04)).toEqual({ graceMs: 8_000, deafAfterMs: 8_000 });
  // Under virtual time the machine's part grows by K, the retry timer does not.
  expect(messageJudge(1, 10, 1_000)).toEqual({ graceMs: 35_000, deafAfterMs: 35_000 });
});

describe('traffic', () => {
  afterEach(() => vi.useRealTimers());

  test('the run\'s rate over the scenario\'s; none without a rate', () => {
    expect(trafficFor(undefined, undefined)).toBeUndefined();
    expect(trafficFor({ perMinute: 10 }, undefined)).toEqual({ perMinute: 10, answers: false });
    expect(trafficFor({ perMinute: 10 }, { perMinute: 30, answers: true })).toEqual({ perMinute: 30, answers: true });
    expect(trafficFor(undefined, { answers: true })).toBeUndefined();
  });

  /** A channel that records what it was asked to send. */
  const fakeChannel = (): MessageChannel & { log: { from: string; to: string; text: string }[] } => {
    const log: { from: string; to: string; text: string }[] = [];
    return { log, contacts: () => ['c1', 'c2', 'c3'], send: (m) => (log.push(m), { id: `m${log.length}` }) };
  };

  async function sample(seed: number) {
    vi.useFakeTimers();
    const channel = fakeChannel();
    const times: number[] = [];
    const clock = { now: () => Date.now(), wallNow: () => Date.now() };
    const run = startTraffic({ channel, to: [BOT, BOT, 'other@s.whatsapp.net'], traffic: { perMinute: 60 }, judge: JUDGE, seed, scale: 1, clock });
    await vi.advanceTimersByTimeAsync(30_000);
    run.stop();
    const log = run.log(Infinity);
    times.push(...log.sent.map((m) => m.t - log.sent[0]!.t));
    return { sends: channel.log, times, log };
  }

  test('a steady rate to every device, contacts and gaps from the seed: the same seed sends the same', async () => {
    const a = await sample(7);
    const b = await sample(7);
    const c = await sample(8);
    expect(a.sends).toEqual(b.sends);
    expect(a.times).toEqual(b.times);
    expect(a.sends).not.toEqual(c.sends);
    // 60 a minute to each of the two devices (a device shared by two clients gets one stream): about 30 each in 30 s.
    expect(a.sends.filter((m) => m.to === BOT).length).toBeGreaterThan(20);
    expect(a.sends.filter((m) => m.to === BOT).length).toBe(a.sends.filter((m) => m.to !== BOT).length);
    expect(new Set(a.sends.map((m) => m.text)).size).toBe(a.sends.length);
    expect(a.log.sent.map((m) => m.id)).toEqual(a.sends.map((_, i) => `m${i + 1}`));
  });

  test('a server without the message API is a harness error, not a verdict; a send it refuses is counted, not sent', async () => {
    expect(() => serverChannel({})).toThrow(TrafficNotAvailableError);
    const server = { messages: { contacts: () => [{ jid: 'c1@s.whatsapp.net', lid: '1@lid' }], send: () => ({ id: 'm1' }) } };
    expect(serverChannel(server).contacts()).toEqual(['c1@s.whatsapp.net']);
    expect(beginTraffic({ server: {}, jids: [BOT], seed: 1, scale: 1, clock: systemClock })).toBeUndefined();
    vi.useFakeTimers();
    const refusing: MessageChannel = { contacts: () => ['c1'], send: () => Promise.reject(new Error('restarting')) };
    const run = startTraffic({ channel: refusing, to: [BOT], traffic: { perMinute: 60 }, judge: JUDGE, seed: 1, scale: 1, clock: { now: () => Date.now(), wallNow: () => Date.now() } });
    await vi.advanceTimersByTimeAsync(5_000);
    run.stop();
    expect(run.log(Infinity)).toMatchObject({ sent: [], refused: expect.any(Number) });
    expect(run.log(Infinity).refused).toBeGreaterThan(2);
  });
});

describe('in the report', () => {
  const scenarioRun = (rec: RunRecord): ScenarioRun => ({ schedule: [], record: rec, metrics: [], results: [], verdict: 'valid', bot: 'reference', notes: [] });

  test('a run with traffic carries its messages (times real-world) and its message points; one without has neither', () => {
    const rec = record({ server: [s.open(100, 1), s.sent(1_010, 1, 'a'), s.receipted(1_050, 1, 'a')], faults: [fault(500, 'fault-applied')], sent: [msg('a', 1_000)], end: 10_000 });
    const withTraffic = toReport(scenarioRun(rec), 0.5);
    expect(withTraffic.messages).toMatchObject({ sent: 1, receipted: 1, lost: 0, firstHandledAfterLastFaultMs: 1_100 });
    expect(withTraffic.timeline.filter((p) => p.type.startsWith('message-'))).toEqual([
      { t: 2_020, source: 'server', client: 0, type: 'message-sent', detail: 'a' },
      { t: 2_100, source: 'server', client: 0, type: 'message-receipted', detail: 'a' },
    ]);
    delete rec.traffic;
    const without = toReport(scenarioRun(rec), 0.5);
    expect('messages' in without).toBe(false);
    expect(without.timeline.some((p) => p.type.startsWith('message-'))).toBe(false);
  });
});

describe('the CLI flags', () => {
  test('--messages, --answers and --deaf-after become the suite\'s traffic and its replay flags; a rate that is not positive is bad usage', async () => {
    const { readSuite, replayFlags, defaultSetting } = await import('../../harness/cli/suite.js');
    const suite = await readSuite({ messages: '10', answers: true, 'deaf-after': '30', baileys: '7.0.0-rc14', scenario: ['stream-errors'], seed: '7' });
    expect(suite.messages).toEqual({ perMinute: 10, answers: true, deafAfterMs: 30_000 });
    expect(replayFlags(suite, defaultSetting(suite)).join(' ')).toBe('--messages 10 --answers --deaf-after 30');
    expect((await readSuite({ baileys: '7.0.0-rc14', scenario: ['stream-errors'], seed: '7' })).messages).toBeUndefined();
    await expect(readSuite({ messages: '0', baileys: '7.0.0-rc14', seed: '7' })).rejects.toThrow('--messages must be a positive number, got "0"');
  });

  test('the allowance as given reaches the judge (scaled, never below the floor) and the run\'s log', () => {
    expect(trafficFor({ perMinute: 10 }, { deafAfterMs: 100_000 })).toEqual({ perMinute: 10, answers: false, deafAfterMs: 100_000 });
    expect(messageJudge(0.04, undefined, 250_000)).toEqual({ graceMs: 10_000, deafAfterMs: 10_000 });
  });
});
