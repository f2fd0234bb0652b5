/**
 * Each message's fate through the two paths that save it, counted in the report from the server's
 * record: a bot whose store loses its Signal sessions at every close meets decrypt failures after
 * each reconnect, and the retry path (its retry receipt, the server's resend on a fresh session)
 * shows in report.json; messages sent while a bot cannot log in (an overload refusing every login)
 * are queued by the server, delivered at its next login and counted as such. Both go through the
 * CLI (a schedule file) in virtual time with real-world settings, judged from report.json.
 */
import { expect, test } from 'vitest';
import { versionsUnderTest } from '../../harness/baileys/versions.js';
import { messagesLine } from '../../harness/report/markdown.js';
import type { RunReport } from '../../harness/report/schema.js';
import type { Schedule } from '../../harness/faults/schedule.js';
import { lossExplainedByBaileys } from '../support/baileys-findings.js';
import { replaySchedule } from '../support/replay.js';

const version = versionsUnderTest().at(-1)!;
type Messages = NonNullable<RunReport['messages']>;

/** Every message ends one way: handled, lost, unknown (sent in the grace before the end) or not expected. */
function fatesAddUp(m: Messages, answers: boolean) {
  expect((answers ? m.answered : m.receipted) + m.lost + m.unknown + m.notExpected, JSON.stringify(m)).toBe(m.sent);
}

/** The message ids of the run's server points of one type (a message point's detail is its id). */
const idsOf = (run: RunReport, type: string) => run.timeline.filter((p) => p.source === 'server' && p.type === type).map((p) => p.detail ?? '');

test(`a store that loses its Signal sessions: decrypt failures after each reconnect and the retry path, each message's fate counted (Baileys ${version})`, async () => {
  const schedule: Schedule = [
    { at: 10_000, fault: 'server-move', params: { kind: 'stream-error', code: 515 } },
    { at: 40_000, fault: 'server-move', params: { kind: 'stream-error', code: 515 } },
  ];
  const { run, stderr } = await replaySchedule(schedule, { scenario: 'stream-errors', version, bot: ['--bot', 'test/support/broken-bots/loses-sessions.mjs'], flags: ['--messages', '20', '--answers'] });
  const m = run.messages!;
  expect(m, stderr).toBeDefined();
  console.info(`loses-sessions on ${version}: ${run.verdict} (${run.invariants.filter((r) => r.verdict !== 'valid').map((r) => `${r.invariant}: ${r.message}`).join('; ')}); ${JSON.stringify(m)}`);
  expect(m.decryptFailures.messages, 'no message met a lost session').toBeGreaterThan(0);
  expect(m.decryptFailures.receiptedAfterRetry + m.decryptFailures.notReceipted).toBe(m.decryptFailures.messages);
  // The server answered each retry receipt with a resend: a second write of the same message.
  const sent = idsOf(run, 'message-sent');
  const resent = new Set(sent.filter((id, i) => sent.indexOf(id) !== i));
  expect(idsOf(run, 'message-decrypt-failed').every((id) => resent.has(id)), 'a retry receipt the server never answered with a resend').toBe(true);
  fatesAddUp(m, true);
  expect(messagesLine(m)).toContain(`${m.decryptFailures.messages} decrypt failure(s) (${m.decryptFailures.receiptedAfterRetry} receipted after a retry)`);
}, 300_000);

test(`messages sent while every login is refused are queued, delivered at the next login and counted (Baileys ${version})`, async () => {
  const schedule: Schedule = [
    { at: 10_000, duration: 60_000, fault: 'admission', params: { refuseLogin: 503 } },
    { at: 10_000, fault: 'server-move', params: { kind: 'drop' } },
  ];
  const { run, stderr } = await replaySchedule(schedule, { scenario: 'server-overload', version, bot: ['--bot', 'examples/echo-bot/echo-bot.mjs'], flags: ['--messages', '20', '--answers'] });
  const m = run.messages!;
  expect(m, stderr).toBeDefined();
  console.info(`overload with traffic on ${version}: ${run.verdict}; ${JSON.stringify(m)}`);
  expect(m.offline?.queued, 'nothing was queued while the bot was down').toBeGreaterThan(0);
  expect(m.offline!.deliveredAtLogin).toBe(m.offline!.queued);
  expect(m.duplicated).toBe(0);
  fatesAddUp(m, true);
  // Every queued message handled, but for a loss the judge pins on a Baileys finding (below).
  const queued = new Set(idsOf(run, 'message-queued'));
  const lostWhileQueued = m.lostIds.filter((id) => queued.has(id)).length;
  expect(m.offline!.handled).toBe(m.offline!.queued - lostWhileQueued);
  expect(messagesLine(m)).toContain(`${m.offline!.queued} queued while down (${m.offline!.deliveredAtLogin} delivered at a later login, ${m.offline!.handled} handled)`);
  // The message checks hold; the run as a whole may be invalid on "backoff discipline": the echo
  // bot reconnects at once, as Baileys' README loop does, and meets the overload with a retry storm.
  // A lost answer is accepted only as a Baileys finding the server proves for each loss (README
  // Findings: the contact never could decrypt the bot's answer after libsignal stored a failed
  // ratchet step; 1 of about 17 runs on 7.0.0-rc14, CI of 2026-11-29 included), and then
  // "no answer lost" must be invalid and say so.
  const checks = run.invariants.filter((r) => ['no inbound message lost', 'no answer lost', 'no message handled twice'].includes(r.invariant));
  expect(checks.map((r) => r.invariant)).toEqual(['no inbound message lost', 'no answer lost', 'no message handled twice']);
  const answers = checks.find((r) => r.invariant === 'no answer lost')!;
  if (m.lost > 0) {
    expect(answers.verdict).toBe('invalid');
    expect(lossExplainedByBaileys(answers.message), answers.message).toBe(true);
  }
  expect(checks.filter((r) => r.verdict !== 'valid' && !(m.lost > 0 && r === answers)), JSON.stringify(checks)).toEqual([]);
}, 300_000);
