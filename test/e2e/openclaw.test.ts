/**
 * The real OpenClaw gateway (installed by `npm run setup:openclaw`) against the fake server: it
 * logs in on a provisioned session with no QR, and comes back by itself after a stream error 503.
 * Skipped, with the reason, when the install is absent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { startFakeServer } from '../../harness/server.js';
import { provisionDevice } from '../../harness/provision.js';
import { openclawLaunch, prepareOpenClawHome, type OpenClawInstall } from '../../harness/bots/openclaw.js';
import { readReportFile } from '../../harness/report/write.js';
import { runCli } from '../support/cli.js';

let install: OpenClawInstall | undefined;
let skipReason = '';
try {
  install = await openclawLaunch();
} catch (err) {
  skipReason = (err as Error).message;
  console.warn(`openclaw.test.ts skipped: ${skipReason}`);
}

/** SIGTERM to the gateway's process group, SIGKILL if it is still there after 15 s. */
async function stopGateway(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** Waits until the gateway's own log (its self-report, used only to time the fault) has a line. */
async function waitForLog(file: string, line: RegExp, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(existsSync(file) && line.test(readFileSync(file, 'utf8')))) {
    if (performance.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${line} in ${file}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe.skipIf(!install)(`OpenClaw ${install ? `gateway (Node ${install.nodeVersion}, Baileys ${install.baileysVersion})` : `(skipped: ${skipReason})`}`, () => {
  test('logs in on a provisioned session, and reconnects by itself after a stream error 503', { timeout: 240_000 }, async () => {
    const workDir = await mkdtemp(join(tmpdir(), 'bc-openclaw-'));
    const server = await startFakeServer();
    let child: ChildProcess | undefined;
    let output = '';
    try {
      const gw = await prepareOpenClawHome(install!, { workDir, index: 0, wsUrl: `${server.wsUrl}?chaos-client=0` });
      const device = await provisionDevice(server, { authDir: gw.authDir, baileysVersion: '7.0.0-rc14' });
      child = spawn(gw.argv[0]!, gw.argv.slice(1), { cwd: gw.cwd, env: { ...process.env, ...gw.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      const keep = (d: Buffer) => (output = (output + d.toString()).slice(-3000));
      child.stdout!.on('data', keep);
      child.stderr!.on('data', keep);
      const withState = (err: Error) => {
        const events = server.events
          .list()
          .filter((e) => !['ping', 'iq', 'stanza'].includes(e.type))
          .map((e) => `${e.type}#${e.conn ?? '-'}${e.detail ? JSON.stringify(e.detail).slice(0, 80) : ''}`);
        const log = existsSync(gw.logFile) ? readFileSync(gw.logFile, 'utf8').split('\n').filter((l) => /whatsapp|error|warn/i.test(l)).slice(-8).map((l) => l.slice(0, 300)) : [];
        throw new Error(`${err.message}; ${gatewayState()}\nserver events: ${events.join(' ')}\ngateway log: ${log.join('\n')}`);
      };
      const gatewayState = () => `gateway ${child!.exitCode !== null ? `exited ${child!.exitCode}` : 'running'}; its last output: ${output.replace(/\x1b\[[0-9;]*m/g, '').slice(-600)}`;

      const spawnedAt = performance.now();
      const first = await server.events.waitFor((e) => e.type === 'open', 120_000, 'the gateway to log in (open)').catch(withState);
      console.info(`openclaw: open ${((performance.now() - spawnedAt) / 1000).toFixed(1)} s after spawn`);
      expect(first.jid).toBe(device.jid);

      // Not at the open itself: a close while OpenClaw is still attaching to the new socket (~1 s
      // after the open; it listens for `connection.update` only after its presence update and
      // identity read) is missed, and its channel then "listens" on a dead socket with no
      // reconnect until its health monitor steps in ~300 s later (3 of 8 tries here). That race is
      // a finding of its own, not this test's subject.
      await waitForLog(gw.logFile, /Listening for WhatsApp inbound messages/, 30_000).catch(withState);
      expect(server.apply({ kind: 'stream-error', code: 503 }, 'all')).toBe(1);
      const appliedAt = performance.now();
      const second = await server.events.waitFor((e) => e.type === 'open' && e.conn !== first.conn, 60_000, 'the gateway to reconnect after 503').catch(withState);
      console.info(`openclaw: open again ${((performance.now() - appliedAt) / 1000).toFixed(1)} s after the 503`);
      expect(second.jid).toBe(device.jid);
      // No QR, no new pairing: the same provisioned device both times.
      expect(server.events.list({ type: 'paired' })).toHaveLength(1);
    } finally {
      if (child) await stopGateway(child);
      await server.close();
      await rm(workDir, { recursive: true, force: true });
    }
  });

  test('--bot openclaw through the CLI: stream-errors and conflict, judged from the server, every run decided', { timeout: 1_500_000 }, async () => {
    const out = await mkdtemp(join(tmpdir(), 'bc-openclaw-run-'));
    try {
      // No --speed: OpenClaw's own default, virtual time x5 (its verdicts and recovery at x5 were
      // those of real time: npm run bench -- --only openclaw-fidelity).
      const r = await runCli(['run', '--bot', 'openclaw', '--scenario', 'stream-errors,conflict', '--runs', '1', '--seed', '7', '--quiet', '--out', out], { timeoutMs: 1_400_000 });
      const report = await readReportFile(join(out, 'report.json'));
      expect(report.speed?.k, r.stderr).toBe(5);
      console.info(`openclaw verdicts: ${report.runs.map((x) => `${x.scenario} ${x.verdict}${x.verdict === 'valid' ? '' : `: ${x.error ?? x.invariants.filter((i) => i.verdict !== 'valid').map((i) => `c${i.client} ${i.invariant}: ${i.message}`).join('; ')}`}`).join(' | ')}`);
      expect(report.bot).toBe('openclaw');
      expect(report.runs.map((x) => x.verdict).filter((v) => v === 'error' || v === 'unknown'), r.stderr).toEqual([]);
      expect([0, 1]).toContain(r.code);
      // OpenClaw loads its own Baileys from a copy of its plugin: the report says it was not the version under test.
      expect(report.runs.every((x) => (x.notes ?? []).some((n) => /ran its own version/.test(n)))).toBe(true);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
