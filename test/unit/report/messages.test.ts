/**
 * Message metrics in every report: summed per summary row, a "Messages" section and a line per
 * run not valid in report.md, marks on report.html's timelines; a report without traffic has none
 * of them, and an older report.json (no `messages`) reads as before.
 */
import { expect, test } from 'vitest';
import { buildReport, parseReport } from '../../../harness/report/build.js';
import { renderHtml } from '../../../harness/report/html.js';
import { renderMarkdown } from '../../../harness/report/markdown.js';
import type { RunReport } from '../../../harness/report/schema.js';
import { header, run } from './fixtures.js';

const messages = (over: Partial<NonNullable<RunReport['messages']>> = {}): NonNullable<RunReport['messages']> => ({
  perMinute: 30,
  answers: true,
  sent: 10,
  delivered: 10,
  receipted: 9,
  answered: 8,
  lost: 1,
  unknown: 1,
  notExpected: 0,
  duplicated: 0,
  refused: 0,
  decryptFailures: { messages: 1, receiptedAfterRetry: 1, notReceipted: 0 },
  keyReused: 0,
  offline: { queued: 2, deliveredAtLogin: 2, handled: 1 },
  firstHandledAfterLastFaultMs: 4_000,
  lostIds: ['m3'],
  ...over,
});

const withTraffic = [
  run({ runIndex: 0, messages: messages() }),
  run({ runIndex: 1, verdict: 'invalid', messages: messages({ lost: 2, lostIds: ['m1', 'm2'], duplicated: 1, keyReused: 3, firstHandledAfterLastFaultMs: 8_000 }), invariants: [{ invariant: 'no answer lost', client: 0, verdict: 'invalid', message: '2 of 9 message(s) never answered' }] }),
];

test('the summary row sums its runs\' messages; a row without traffic has no messages field', () => {
  const report = buildReport(header, withTraffic, new Date(0));
  expect(report.summary[0]!.messages).toEqual({
    runs: 2,
    sent: 20,
    delivered: 20,
    receipted: 18,
    answered: 16,
    lost: 3,
    unknown: 2,
    notExpected: 0,
    duplicated: 1,
    decryptFailures: 2,
    decryptFailuresNotReceipted: 0,
    queuedWhileDown: 4,
    queuedHandled: 2,
    firstHandledAfterLastFaultMs: { p50: 4_000, p95: 8_000, p99: 8_000, max: 8_000 },
  });
  expect('messages' in buildReport(header, [run({})], new Date(0)).summary[0]!).toBe(false);
});

test('report.md: a Messages section per row and, under a run not valid, its messages line', () => {
  const md = renderMarkdown(buildReport(header, withTraffic, new Date(0)));
  expect(md).toContain('## Messages');
  expect(md).toContain('| s | v | 2 | 20 | 20 | 18 | 16 | 3 | 2 | 0 | 1 | 2 (0) | 4 (2) |');
  expect(md).toContain('  - messages (30/min, answering bot): 10 sent, 10 delivered, 9 receipted, 8 answered, 2 lost (m1, m2), 1 unknown, 1 answered twice, 1 decrypt failure(s) (1 receipted after a retry), 3 sealed with a reused message key, 2 queued while down (2 delivered at a later login, 1 handled); first answer');
  expect(renderMarkdown(buildReport(header, [run({})], new Date(0)))).not.toContain('## Messages');
});

test('report.html: the marks are explained and the lost ids ride along with the timeline; none without traffic', async () => {
  const html = await renderHtml(buildReport(header, withTraffic, new Date(0)));
  expect(html).toContain('✖ lost (at the time the server first took it)');
  expect(html).toContain("type: 'message-key-reused'");
  expect(html).toContain('"lost":["m1","m2"]');
  const plain = await renderHtml(buildReport(header, [run({})], new Date(0)));
  expect(plain).not.toContain('✖ lost');
});

test('report.json round-trips the messages; an older report without them reads as before', () => {
  const report = JSON.parse(JSON.stringify(buildReport(header, withTraffic, new Date(0))));
  expect(parseReport(report, 'r.json').runs[1]!.messages).toEqual(withTraffic[1]!.messages);
  const older = JSON.parse(JSON.stringify(buildReport(header, [run({})], new Date(0))));
  expect(parseReport(older, 'old.json').runs[0]).not.toHaveProperty('messages');
});
