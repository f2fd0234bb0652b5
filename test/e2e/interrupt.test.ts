/**
 * Nothing left behind: a run that fails midway, and a plan stopped by SIGINT midway, leave no
 * process, network namespace, listening port, Toxiproxy proxy or temp dir; the stopped plan leaves
 * the report of its finished runs and exits 130.
 *
 * Leftovers are found from outside: processes by a marker in the environment every child
 * inherits, temp dirs in a TMPDIR of the test's own, proxies on a Toxiproxy the test runs (the
 * `--toxiproxy URL` path, whose proxies nobody else would remove), ports by connecting to them,
 * namespaces by `ip netns list`.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { systemClock } from '../../core/clock.js';
import { chooseBot } from '../../harness/bots/index.js';
import type { BotClient } from '../../harness/bots/bot.js';
import { packetCapabilities } from '../../harness/faults/packet/netns.js';
import type { Schedule } from '../../harness/faults/schedule.js';
import { findToxiproxyBinary, startBinary, startEmbedded, type ToxiproxyBackend } from '../../harness/faults/toxiproxy/backend.js';
import { readRunStream } from '../../harness/report/run-stream.js';
import { readReportFile } from '../../harness/report/write.js';
import { runScenario, type Scenario } from '../../harness/scenario.js';
import { onCleanup, tempDir } from '../helpers.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const PLAIN_BOT = 'node examples/plain-bot/bot.mjs';
const VERSION = '6.7.21';

async function externalToxiproxy(): Promise<ToxiproxyBackend> {
  const bin = findToxiproxyBinary();
  const tp = bin ? await startBinary(bin) : await startEmbedded(systemClock, 1);
  onCleanup(() => tp.close());
  return tp;
}

/** Processes (other than this one) whose environment carries the marker. */
function markedProcesses(marker: string): { pid: number; cmd: string }[] {
  const found: { pid: number; cmd: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!pid || pid === process.pid) continue;
    try {
      if (!readFileSync(`/proc/${pid}/environ`, 'utf8').includes(marker)) continue;
      found.push({ pid, cmd: readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim() });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const listening = (address: string) =>
  new Promise<boolean>((resolve) => {
    const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
    const s = connect({ host, port }, () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

const proxiesOn = async (tp: ToxiproxyBackend) => Object.values((await (await fetch(`${tp.url}/proxies`)).json()) as Record<string, { name: string; listen: string; upstream: string }>);
const tempLeft = (dir: string) => readdirSync(dir).filter((f) => !f.startsWith('tsx-'));
const namespacesOf = async (pid: number) => {
  const out = await new Promise<string>((resolve) => {
    const p = spawn('ip', ['netns', 'list'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let text = '';
    p.stdout.on('data', (d) => (text += d));
    p.once('close', () => resolve(text));
    p.once('error', () => resolve(''));
  });
  return out.split('\n').filter((l) => l.startsWith(`bc-${pid % 10000}x`));
};

/** Every leftover of one marker, TMPDIR and Toxiproxy, waited for (bounded) to go. */
async function expectNothingLeft(marker: string, tmp: string, tp: ToxiproxyBackend, ports: string[], netnsOwner?: number) {
  await until('every marked process to end', () => markedProcesses(marker).length === 0 || undefined, 10_000).catch(() => undefined);
  expect(markedProcesses(marker), 'processes left behind').toEqual([]);
  expect(await proxiesOn(tp), 'Toxiproxy proxies left behind').toEqual([]);
  for (const port of ports) expect(await listening(port), `still listening: ${port}`).toBe(false);
  expect(tempLeft(tmp), 'temp dirs left behind').toEqual([]);
  if (netnsOwner !== undefined) expect(await namespacesOf(netnsOwner), 'network namespaces left behind').toEqual([]);
}

describe('nothing left behind', () => {
  test('SIGINT midway: exit 130, the finished runs in the report and in runs.jsonl, no process, proxy, port or temp dir left', async () => {
    const dir = await tempDir();
    const tmp = await tempDir('bc-tmpdir-');
    const out = join(dir, 'out');
    const tp = await externalToxiproxy();
    const marker = `BC_INTERRUPT_TEST=${process.pid}-${Date.now()}`;
    const [key, value] = marker.split('=') as [string, string];
    const args = ['bin/baileys-chaos.js', 'run', '--bot-cmd', PLAIN_BOT, '--scenario', 'keepalive-timeout', '--baileys', VERSION, '--runs', '3', '--seed', '5', '--toxiproxy', tp.url, '--out', out];
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, TMPDIR: tmp, [key]: value }, stdio: ['ignore', 'ignore', 'pipe'] });
    onCleanup(() => void child.kill('SIGKILL'));
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    // The first run finished; the second is under way: its bot process runs and its proxy exists.
    await until('the first run to finish', () => /\[1\/3\]/.test(stderr) || undefined, 90_000);
    const [proxy] = await until('the second run\'s proxy and bot', async () => {
      const proxies = await proxiesOn(tp);
      return proxies.length && markedProcesses(marker).some((p) => p.cmd.includes('plain-bot')) ? proxies : undefined;
    }, 30_000);
    child.kill('SIGINT');
    const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 30_000))]);
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/stopped by SIGINT after 1 of 3 runs/);

    const report = await readReportFile(join(out, 'report.json'));
    expect(report.interrupted).toEqual({ signal: 'SIGINT', plannedRuns: 3, finishedRuns: 1 });
    expect(report.runs.map((r) => r.id)).toEqual(['keepalive-timeout/6.7.21/default/0']);
    expect(report.runs[0]!.verdict).not.toBe('error');
    expect(readRunStream(join(out, 'runs.jsonl')).map((r) => r.id)).toEqual(report.runs.map((r) => r.id));
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/Interrupted\*\* by SIGINT: 1 of 3/);

    await expectNothingLeft(marker, tmp, tp, [proxy!.listen, proxy!.upstream]);
  }, 180_000);

  test('SIGINT midway with --jobs 2: each child releases its run, the parent writes the finished runs, exit 130, nothing left', async () => {
    const dir = await tempDir();
    const tmp = await tempDir('bc-tmpdir-');
    const out = join(dir, 'out');
    const tp = await externalToxiproxy();
    const marker = `BC_INTERRUPT_JOBS_TEST=${process.pid}-${Date.now()}`;
    const [key, value] = marker.split('=') as [string, string];
    const args = ['bin/baileys-chaos.js', 'run', '--bot-cmd', PLAIN_BOT, '--scenario', 'keepalive-timeout', '--baileys', VERSION, '--runs', '5', '--jobs', '2', '--seed', '5', '--toxiproxy', tp.url, '--out', out];
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, TMPDIR: tmp, [key]: value }, stdio: ['ignore', 'ignore', 'pipe'] });
    onCleanup(() => void child.kill('SIGKILL'));
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    // A run has finished; two are under way, each in a child with its bot process and its proxy.
    await until('the first run to finish', () => /\[1\/5\]/.test(stderr) || undefined, 120_000);
    const proxies = await until('two runs under way', async () => {
      const found = await proxiesOn(tp);
      return found.length >= 2 && markedProcesses(marker).filter((p) => p.cmd.includes('plain-bot')).length >= 2 ? found : undefined;
    }, 60_000);
    const finishedBefore = stderr.match(/\[\d\/5\]/g)!.length;
    child.kill('SIGINT');
    const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 30_000))]);
    expect(code, stderr).toBe(130);
    const report = await readReportFile(join(out, 'report.json'));
    expect(report.interrupted?.plannedRuns).toBe(5);
    // The runs under way were released and dropped, not carried to their end.
    expect(report.runs.length, stderr).toBe(finishedBefore);
    expect(report.interrupted?.finishedRuns).toBe(finishedBefore);
    for (const run of report.runs) expect(run.verdict, run.id).not.toBe('error');
    expect(readRunStream(join(out, 'runs.jsonl')).map((r) => r.id).sort()).toEqual(report.runs.map((r) => r.id).sort());

    await expectNothingLeft(marker, tmp, tp, proxies.flatMap((p) => [p.listen, p.upstream]));
  }, 240_000);

  test('a run that fails midway (a bot that fails to start its second client, a stop that throws) releases everything it had started', async () => {
    const tp = await externalToxiproxy();
    const tmp = await tempDir('bc-tmpdir-');
    const marker = `BC_FAIL_MIDWAY_TEST=${process.pid}-${Date.now()}`;
    const [key, value] = marker.split('=') as [string, string];
    const caps = await packetCapabilities();
    const withNamespace = caps.netns && caps.nftables;
    if (!withNamespace) console.warn(`fail-midway: no network namespace in this run (${caps.missing.join('; ')}); the rest is checked`);
    const schedule: Schedule = [
      { at: 0, duration: 2_000, fault: 'toxic', params: { type: 'latency', stream: 'downstream', attributes: { latency: 10 } } },
      ...(withNamespace ? [{ at: 0, duration: 2_000, fault: 'packet-loss' as const, params: { percent: 5 } }] : []),
    ];
    const scenario: Scenario = { name: 'fail-midway', about: 'test', clients: 2, store: 'file', driver: 'subprocess', schedules: () => fc.constant(schedule), settleMs: () => 1_000, invariants: [] };
    const real = await chooseBot({ botCmd: PLAIN_BOT });
    // Client 1 starts its process, then fails; client 0's stop throws after stopping it.
    const bot = {
      ...real,
      client: async (ctx: Parameters<typeof real.client>[0]) => {
        const c = await real.client(ctx);
        const failing: Partial<BotClient> = {
          ...(ctx.index === 1 ? { start: async () => (await c.start(), Promise.reject(new Error('the second client failed to start (test)'))) } : {}),
          ...(ctx.index === 0 ? { stop: async () => (await c.stop(), Promise.reject(new Error('stop failed (test)'))) } : {}),
        };
        return new Proxy(c, {
          get: (target, prop) => {
            if (prop in failing) return failing[prop as keyof BotClient];
            const v = Reflect.get(target, prop, target);
            return typeof v === 'function' ? v.bind(target) : v;
          },
        });
      },
    };
    const saved = { TMPDIR: process.env.TMPDIR, TOXIPROXY_URL: process.env.TOXIPROXY_URL, mark: process.env[key] };
    Object.assign(process.env, { TMPDIR: tmp, TOXIPROXY_URL: tp.url, [key]: value });
    let ports: string[] = [];
    const watchProxies = setInterval(async () => {
      const proxies = await proxiesOn(tp).catch(() => []);
      if (proxies.length) ports = [proxies[0]!.listen, proxies[0]!.upstream];
    }, 50);
    try {
      await expect(runScenario(scenario, schedule, { version: VERSION, seed: 3, scale: 0.04, clock: systemClock, bot })).rejects.toThrow(/second client failed to start/);
    } finally {
      clearInterval(watchProxies);
      for (const [k, v] of Object.entries({ TMPDIR: saved.TMPDIR, TOXIPROXY_URL: saved.TOXIPROXY_URL, [key]: saved.mark })) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    expect(ports, 'the run created its proxy before failing').toHaveLength(2);
    await expectNothingLeft(marker, tmp, tp, ports, withNamespace ? process.pid : undefined);
  }, 120_000);
});
