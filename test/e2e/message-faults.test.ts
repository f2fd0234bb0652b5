/**
 * The echo bot (examples/echo-bot/, a correct bot) through the faults that used to lose its
 * messages to the fake server's Signal handling: stream errors, a long silence
 * (keepalive-timeout) and a herd of server restarts, each run by `run --seed 7 --runs 1` in
 * virtual time at its default speed with real-world settings, on both pinned versions, as a
 * module and as a command (one CLI run a kind, its runs two at once). Every
 * message is answered, none twice, and no check is invalid, unless a loss comes from a Baileys
 * finding the server can prove (README Findings: answers sealed with a used Signal message key;
 * a message decrypted and dropped when its receipt failed; answers the contact never could
 * decrypt, after libsignal stored a failed ratchet step); then the verdict must be invalid and
 * name it for every loss. What made such runs invalid before (fake-server/messaging/): a contact
 * dropped its whole session record when it started a fresh session (answers the bot sealed on
 * the older one came out "Bad MAC" / "No matching sessions" / "Invalid PreKey ID"); a contact that
 * could not decrypt an answer never asked for it again (a phone sends a retry receipt); a
 * redelivery the bot had already decrypted, acked with error 487, was not counted as delivered.
 * The runs print how often those paths were taken. */
import { beforeAll, describe, expect, test } from 'vitest';
import { versionsUnderTest } from '../../harness/baileys/versions.js';
import { readReportFile } from '../../harness/report/write.js';
import type { Report } from '../../harness/report/schema.js';
import { tempDir } from '../helpers.js';
import { runCli } from '../support/cli.js';
import { lossExplainedByBaileys } from '../support/baileys-findings.js';

const SCENARIOS = ['stream-errors', 'keepalive-timeout', 'server-restart-herd'];
const MESSAGE_CHECKS = ['no inbound message lost', 'no answer lost', 'not deaf after a reconnect', 'no message handled twice'];
const VERSIONS = versionsUnderTest();
/** Each kind's server events worth printing: how often the repaired paths were taken. */
const PRINTED = ['message-undecryptable', 'message-decrypt-failed', 'message-key-reused'];

const KINDS = [
  { kind: 'module', bot: ['--bot', 'examples/echo-bot/echo-bot.mjs'] },
  { kind: 'command', bot: ['--bot-cmd', 'node examples/echo-bot/bot.mjs'] },
];

describe.each(KINDS)('the echo bot as a $kind through message-losing faults', ({ kind, bot }) => {
  let report: Report;
  let stderr = '';
  beforeAll(async () => {
    const out = await tempDir();
    const r = await runCli(['run', '--scenario', SCENARIOS.join(','), '--baileys', VERSIONS.join(','), '--seed', '7', '--runs', '1', ...bot, '--messages', '10', '--answers', '--quiet', '--out', out], { timeoutMs: 900_000 });
    stderr = r.stderr;
    report = await readReportFile(`${out}/report.json`);
  }, 900_000);

  test.each(VERSIONS.flatMap((version) => SCENARIOS.map((name) => ({ version, name }))))('$name, Baileys $version: every message answered, none twice, valid (or each loss named as a Baileys finding)', ({ version, name }) => {
    const run = report.runs.find((r) => r.scenario === name && r.version === version);
    expect(run, stderr).toBeDefined();
    const messages = run!.messages;
    const events: Record<string, number> = {};
    for (const p of run!.timeline) if (p.source === 'server' && PRINTED.includes(p.type)) events[p.type] = (events[p.type] ?? 0) + 1;
    console.log(`${name} ${version} ${kind}: ${JSON.stringify({ verdict: run!.verdict, sent: messages?.sent, answered: messages?.answered, lost: messages?.lost, unknown: messages?.unknown, duplicated: messages?.duplicated, ...events })}`);
    expect(run!.verdict, run!.error).not.toBe('error');
    const checks = run!.invariants.filter((r) => MESSAGE_CHECKS.includes(r.invariant));
    expect([...new Set(checks.map((c) => c.invariant))]).toEqual(MESSAGE_CHECKS);
    expect(messages!.sent).toBeGreaterThan(10);
    expect(messages).toMatchObject({ answers: true, duplicated: 0 });
    const reused = events['message-key-reused'] ?? 0;
    if (messages!.lost > 0) {
      // Lost through a Baileys finding the server can prove (README Findings): answers sealed with
      // a used key, or messages Baileys decrypted and dropped when its receipt failed (it acked
      // their redelivery with 487). The verdict must be invalid and name it for every loss.
      console.log(`${name} ${version} ${kind}: lost ${messages!.lost}, reused keys ${reused}: ${JSON.stringify(checks.filter((c) => c.verdict === 'invalid').map((c) => c.message))}`);
      const invalid = checks.filter((c) => (c.invariant === 'no inbound message lost' || c.invariant === 'no answer lost') && c.verdict === 'invalid');
      expect(invalid.length).toBeGreaterThan(0);
      for (const c of invalid) expect(lossExplainedByBaileys(c.message), c.message).toBe(true);
      return;
    }
    if (reused > 0) {
      // Nothing lost, but the retries that followed may have slowed answers past the zombie allowance.
      const others = checks.filter((c) => c.invariant !== 'not deaf after a reconnect' && c.verdict !== 'valid');
      expect(others, JSON.stringify(others)).toEqual([]);
      return;
    }
    expect(checks.filter((c) => c.verdict !== 'valid'), JSON.stringify(checks)).toEqual([]);
    expect(messages).toMatchObject({ lost: 0 });
    // Every other check valid, the scenario's proof that its fault had its effect too (in virtual
    // time keepalive-timeout's silence outlasts Baileys' keep-alive: its 408 comes). But for one:
    // the echo bot keeps Baileys' README loop, a reconnect at once after any close, so through the
    // 200 s blackhole it starts each new attempt some 60-110 ms after the last one timed out (Baileys'
    // 20 s connect timeout): backoff discipline may call that a retry storm (seen at x10 on both
    // versions, 2026-11-29; at time scale 0.04 those gaps read 25 times longer and passed). It is a
    // verdict on the reconnect policy, which this test is not about.
    const others = run!.invariants.filter((r) => r.verdict !== 'valid' && !(name === 'keepalive-timeout' && r.invariant.startsWith('backoff discipline') && /a retry storm/.test(r.message)));
    expect(others, JSON.stringify(others)).toEqual([]);
    expect(run!.invariants.filter((r) => r.invariant.startsWith('the fault had its effect')).map((r) => r.verdict)).toEqual(['valid']);
  });
});
