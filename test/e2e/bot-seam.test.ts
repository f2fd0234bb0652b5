/**
 * The seam for a user's bot, as a user brings it: an unmodified command (the plain README-style
 * bot) runs on each Baileys version under test with no change to its code or project — its own
 * `import '@whiskeysockets/baileys'` is redirected — and the server's record confirms which
 * Baileys it ran (the WhatsApp Web version each login announces).
 */
import { describe, expect, test } from 'vitest';
import { loadBaileys, versionsUnderTest } from '../../harness/baileys/versions.js';
import { shellCommandBot } from '../../harness/bots/command-bot.js';
import { systemClock } from '../../harness/clock.js';
import { runScenario } from '../../harness/scenario.js';
import { streamErrors } from '../../scenarios/stream-errors.js';

describe.each(versionsUnderTest())('the plain bot as a command on Baileys %s', (version) => {
  test('its own Baileys import loads the version under test, confirmed by the server; a 515 is judged from the server record', async () => {
    const bot = shellCommandBot({ command: 'node examples/plain-bot/bot.mjs' });
    const run = await runScenario(streamErrors, [{ at: 500, fault: 'server-move', params: { kind: 'stream-error', code: 515 } }], { version, seed: 1, scale: 0.04, clock: systemClock, bot });
    const expected = ((await loadBaileys(version)) as unknown as { DEFAULT_CONNECTION_CONFIG: { version: number[] } }).DEFAULT_CONNECTION_CONFIG.version.join('.');
    const logins = run.record.timeline.filter((e) => e.source === 'server' && e.event.type === 'login').map((e) => (e.source === 'server' ? e.event.detail?.appVersion : undefined));
    expect(logins.length).toBeGreaterThanOrEqual(2);
    expect(new Set(logins)).toEqual(new Set([expected]));
    expect(run.notes).toEqual([]);
    expect(run.bot).toBe("command 'node examples/plain-bot/bot.mjs'");
    expect(run.verdict, JSON.stringify(run.results.filter((r) => r.verdict !== 'valid'))).toBe('valid');
    // Every attempt on the client's own URL is its own, even before login.
    expect(run.metrics[0]!.attempts).toBeGreaterThanOrEqual(2);
  }, 120_000);
});

test('scenarioSuite judges a command bot as the CLI does: the plain bot fights a 440 on conflict, caught and shrunk', async () => {
  const { checkScenario } = await import('../../harness/scenario.js');
  const { conflict } = await import('../../scenarios/conflict.js');
  const version = versionsUnderTest().at(-1)!;
  // scenarioSuite runs exactly this check per scenario and version (harness/vitest.ts).
  const result = await checkScenario(conflict, { version, seed: 7, scale: 0.04, clock: systemClock, numRuns: 1, bot: shellCommandBot({ command: 'node examples/plain-bot/bot.mjs' }) });
  expect(result.failed).toBe(true);
  expect(result.failures!.map((f) => f.invariant)).toContain('a replaced instance stands down (no 440 ping-pong)');
}, 300_000);
