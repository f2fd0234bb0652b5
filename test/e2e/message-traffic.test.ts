/**
 * Message traffic through a scenario, end to end: the fake server sends encrypted texts to real
 * Baileys bots while stream errors hit them; the message checks and metrics come from the server's
 * record, on every Baileys version under test. The echo bot (examples/echo-bot/) as a command
 * answers every message through the reconnects; the plain bot (no answers) is judged
 * on its receipts; the CLI carries --messages and --answers into report.json, report.md and the
 * replay line, and check re-runs a baseline's traffic.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { versionsUnderTest } from '../../harness/baileys/versions.js';
import type { Schedule } from '../../harness/faults/schedule.js';
import type { Report } from '../../harness/report/schema.js';
import { runCli } from '../support/cli.js';
import { replaySchedule } from '../support/replay.js';

const version = versionsUnderTest().at(-1)!;
/** Two stream errors: two reconnects, each met by messages. */
const schedule: Schedule = [
  { at: 10_000, fault: 'server-move', params: { kind: 'stream-error', code: 503 } },
  { at: 40_000, fault: 'server-move', params: { kind: 'stream-error', code: 515 } },
];
const MESSAGE_CHECKS = ['no inbound message lost', 'no answer lost', 'not deaf after a reconnect', 'no message handled twice'];

describe.each(versionsUnderTest())('message traffic through stream errors (Baileys %s)', (version) => {
  // As a module (in the harness's process) this schedule lost the first answer in 2 of about 6
  // runs on 7.0.0-rc14 (a 503 some 150 ms after the first message; the message receipted, written
  // twice, never answered): README, Messages, "Not settled yet". The module kind runs through
  // stream-errors and server-restart-herd in message-faults.test.ts.
  test('the echo bot as a command answers every message through the reconnects: valid', async () => {
    // Through the CLI in virtual time: until 2026-11-29 this ran in vitest's process at time scale
    // 0.04, where the echo bot answered none of 19 messages in 2 of 5 runs beside three busy loops.
    const { run } = await replaySchedule(schedule, { scenario: 'stream-errors', version, bot: ['--bot-cmd', 'node examples/echo-bot/bot.mjs'], flags: ['--messages', '10', '--answers'] });
    const checks = run.invariants.filter((r) => MESSAGE_CHECKS.includes(r.invariant));
    expect([...new Set(checks.map((c) => c.invariant))]).toEqual(MESSAGE_CHECKS);
    expect(checks.filter((c) => c.verdict !== 'valid'), JSON.stringify(checks)).toEqual([]);
    expect(checks.find((c) => c.invariant === 'not deaf after a reconnect')!.message).toMatch(/^2 reconnect\(s\): every message that met an open connection was answered/);
    const { messages } = run;
    expect(messages).toMatchObject({ answers: true, lost: 0, duplicated: 0 });
    expect(messages!.sent).toBeGreaterThan(10);
    expect(messages!.answered).toBe(messages!.sent - messages!.unknown);
    expect(messages!.firstHandledAfterLastFaultMs).not.toBeNull();
    expect(run.verdict).toBe('valid');
  }, 300_000);

  test('a bot that does not answer is judged on its receipts (the plain bot, a command)', async () => {
    const { run } = await replaySchedule(schedule, { scenario: 'stream-errors', version, bot: ['--bot-cmd', 'node examples/plain-bot/bot.mjs'], flags: ['--messages', '10'] });
    const checks = run.invariants.filter((r) => MESSAGE_CHECKS.includes(r.invariant));
    expect([...new Set(checks.map((c) => c.invariant))]).toEqual(['no inbound message lost', 'not deaf after a reconnect']);
    expect(checks.filter((c) => c.verdict !== 'valid'), JSON.stringify(checks)).toEqual([]);
    expect(run.messages).toMatchObject({ answers: false, lost: 0, answered: 0 });
  }, 300_000);
});

test('the CLI: --messages and --answers reach report.json, report.md and the replay line; a run without them has no messages', async () => {
  const out = await mkdtemp(join(tmpdir(), 'bc-messages-cli-'));
  try {
    // 60 a minute: at 10 a short reconnect can pass with no message, undecided (README, Message traffic).
    const args = ['run', '--bot', 'examples/echo-bot/echo-bot.mjs', '--scenario', 'stream-errors', '--baileys', version, '--runs', '1', '--seed', '7', '--quiet'];
    const r = await runCli([...args, '--messages', '60', '--answers', '--out', join(out, 'with')], { timeoutMs: 300_000 });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(await readFile(join(out, 'with', 'report.json'), 'utf8')) as Report;
    expect(report.runs[0]!.messages).toMatchObject({ perMinute: 60, answers: true, lost: 0 });
    expect(report.runs[0]!.replay).toContain('--messages 60 --answers');
    expect(report.runs[0]!.invariants.map((i) => i.invariant)).toContain('not deaf after a reconnect');
    expect(await readFile(join(out, 'with', 'report.md'), 'utf8')).toContain('## Messages');
    // check re-runs what the baseline ran: its traffic too (the gate's verdict on recovery noise is not the point here).
    await runCli(['check', '--baseline', join(out, 'with', 'report.json'), '--bot', 'examples/echo-bot/echo-bot.mjs', '--quiet', '--out', join(out, 'check')], { timeoutMs: 300_000 });
    const checked = JSON.parse(await readFile(join(out, 'check', 'report.json'), 'utf8')) as Report;
    expect(checked.runs[0]!.messages).toMatchObject({ perMinute: 60, answers: true });
    expect(checked.runs[0]!.replay).toContain('--messages 60 --answers');
    const plain = await runCli([...args, '--out', join(out, 'without')], { timeoutMs: 300_000 });
    expect(plain.code, plain.stderr).toBe(0);
    const without = JSON.parse(await readFile(join(out, 'without', 'report.json'), 'utf8')) as Report;
    expect(without.runs[0]).not.toHaveProperty('messages');
    expect(without.runs[0]!.invariants.map((i) => i.invariant)).not.toContain('no inbound message lost');
    const bad = await runCli(['run', '--messages', 'lots', '--quiet'], { timeoutMs: 60_000 });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--messages must be a positive number, got "lots"');
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}, 600_000);
