/**
 * When a later instance of a shared device has started: once the server let it in (sent
 * <success>), not once it opened. The earlier instance it replaced may reconnect at once and
 * replace it before its open; that fight is the scenario's to judge. Waiting for an open made such
 * a run an error ("client 1: it did not log in within 30000 ms"), blaming the harness for what the
 * bot did: the plain bot below, whose second instance stalls after each login, never opens.
 */
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { readReportFile } from '../../harness/report/write.js';
import { tempDir } from '../helpers.js';
import { runCli } from '../support/cli.js';

test('conflict: a second instance replaced before every open of its own is judged (invalid: the ping-pong), not a failed start', async () => {
  const out = await tempDir();
  const r = await runCli(['run', '--bot-cmd', 'node test/support/slow-after-login.mjs', '--scenario', 'conflict', '--baileys', '7.0.0-rc14', '--runs', '1', '--seed', '7', '--quiet', '--out', out], { timeoutMs: 180_000 });
  const run = (await readReportFile(join(out, 'report.json'))).runs[0]!;
  expect(run.verdict, `${run.error ?? ''}\n${r.stderr}`).toBe('invalid');
  // The second instance was let in again and again and never opened: the server's record says so.
  const secondInstance = run.timeline.filter((e) => e.source === 'server' && e.client === 1);
  expect(secondInstance.filter((e) => e.type === 'attempt').length).toBeGreaterThan(3);
  expect(secondInstance.filter((e) => e.type === 'open')).toEqual([]);
  const pingPong = run.invariants.find((i) => i.client === 1 && i.invariant === 'a replaced instance stands down (no 440 ping-pong)');
  expect(pingPong?.verdict).toBe('invalid');
  expect(r.code).toBe(1);
}, 200_000);
