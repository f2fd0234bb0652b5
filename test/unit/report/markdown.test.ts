import { expect, test } from 'vitest';
import { buildReport } from '../../../harness/report/build.js';
import { evidenceLines, renderMarkdown } from '../../../harness/report/markdown.js';
import type { TimelinePoint } from '../../../harness/report/schema.js';
import { header, run } from './fixtures.js';

const timeline: TimelinePoint[] = [
  { t: 0, source: 'server', client: 0, type: 'attempt' },
  { t: 250, source: 'server', client: 0, type: 'open' },
  { t: 260, source: 'server', client: 1, type: 'open' },
  { t: 10_000, source: 'fault', type: 'fault-applied', detail: '#0 server-move stream-error 515' },
  { t: 10_050, source: 'server', client: 0, type: 'closed', code: 515, detail: 'stream error' },
  { t: 10_060, source: 'client', client: 0, type: 'close', code: 515 },
  { t: 10_100, source: 'fault', type: 'fault-cleared', detail: '#0 server-move stream-error 515' },
  { t: 13_000, source: 'server', client: 0, type: 'attempt' },
  { t: 13_020, source: 'server', client: 0, type: 'closed', detail: 'upgrade rejected' },
];

const invalid = run({
  verdict: 'invalid',
  recover: [null, 0],
  invariants: [
    { invariant: 'does not give up on a transient fault', client: 0, verdict: 'invalid', message: 'stopped trying after the close at 13020 ms: no attempt for the last 47 s of the window' },
    { invariant: 'does not give up on a transient fault', client: 1, verdict: 'valid', message: 'open at the end of the window' },
  ],
  timeline,
});
invalid.metrics[0]!.selfReported = { attempts: 1, stopped: 'max-retries' };

test('an invalid run shows, under its replay line, the failing client\'s server record beside the faults, in time order, and the invariant message', () => {
  const md = renderMarkdown(buildReport(header, [run({ runIndex: 1 }), invalid], new Date(0)));
  const section = md.slice(md.indexOf('## Runs not valid'));
  const lines = section.split('\n');
  const at = (needle: string) => lines.findIndex((l) => l.includes(needle));
  expect(at('❌ invalid **s/v/default/0**')).toBeGreaterThan(0);
  expect(at('replay: `baileys-chaos replay s:1`')).toBe(at('❌ invalid **s/v/default/0**') + 1);
  expect(section).toContain('client 0 — the server saw 2 attempt(s), not open again by the end of the window; the bot reported 1 attempt(s), stopped (max-retries) (shown, not judged)');
  expect(section).toContain('❌ invalid · does not give up on a transient fault: stopped trying after the close at 13020 ms');
  const evidence = [
    '0.00 s  server  attempt',
    '0.25 s  server  open',
    '10.00 s  fault   applied #0 server-move stream-error 515',
    '10.05 s  server  closed 515 (stream error)',
    '10.10 s  fault   cleared #0 server-move stream-error 515',
    '13.00 s  server  attempt',
    '13.02 s  server  closed (upgrade rejected)',
  ];
  const shown = evidence.map(at);
  expect(shown.every((i) => i > at('replay:'))).toBe(true);
  expect(shown).toEqual([...shown].sort((a, b) => a - b));
  // Only the failing client's server points; the bot's own events are not evidence.
  expect(section).not.toMatch(/0\.26 s/);
  expect(section).not.toMatch(/10\.06 s/);
  expect(section).not.toContain('client 1 —');
  expect(md).toMatch(/\| recovery p50 \| p95 \| p99 \| not recovered \|/);
  expect(md).toContain('| 0 ms | ∞ (not recovered) | ∞ (not recovered) | 1/3 |');
  expect(md).toContain('∞ (not recovered)');
  expect(md).toContain('bot under test: reference');
});

test('the evidence is capped with "… N more"; a client the server never saw says so', () => {
  const many: TimelinePoint[] = Array.from({ length: 100 }, (_, i) => ({ t: i * 1000, source: 'server', client: 0, type: i % 2 ? 'closed' : 'attempt' }));
  const lines = evidenceLines(many, 0);
  expect(lines).toHaveLength(30);
  expect(lines).toContain('… 71 more');
  expect(lines.at(-1)).toContain('99.00 s  server  closed');
  expect(evidenceLines([{ t: 5, source: 'fault', type: 'fault-applied', detail: '#0 kill' }], 3)).toEqual(['    0.01 s  fault   applied #0 kill', 'the server saw nothing of client 3 in the window']);
});

test('an error run shows its cause, marked as not blamed on the bot; unknown fails unless allowed', () => {
  const broken = run({ runIndex: 1, verdict: 'error', error: 'Failed to start the bot command "node bot.js": ENOENT\n    at spawn\n    at run', invariants: [], metrics: [] });
  const undecided = run({ runIndex: 2, verdict: 'unknown', invariants: [{ invariant: 'recovers', client: 0, verdict: 'unknown', message: 'window ended first' }] });
  const md = renderMarkdown(buildReport(header, [broken, undecided], new Date(0)));
  expect(md).toMatch(/^# baileys-chaos run: ⚠️ error/);
  expect(md).toContain('⚠️ error **s/v/default/1** — the harness could not run it as asked (not blamed on the bot): Failed to start the bot command "node bot.js": ENOENT');
  expect(md).toContain('    at spawn');
  expect(md).toContain('2 runs: 0 valid, 0 invalid, 1 unknown, 1 error.');
  expect(md).toContain('❔ unknown · recovers: window ended first');
  expect(md).toContain('fails, as invalid does');
  expect(renderMarkdown(buildReport(header, [undecided], new Date(0)), { allowUnknown: true })).toMatch(/^# baileys-chaos run: ❔ unknown \(allowed: --allow-unknown\)/);
});
