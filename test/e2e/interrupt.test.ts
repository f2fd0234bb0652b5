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
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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
import { RunInterruptedError, runScenario, type Scenario } from '../../harness/scenario.js';
import { onCleanup, tempDir, tempDirsLeft } from '../helpers.js';
import { until } from '../support/wait.js';

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

const listening = (address: string) =>
  new Promise<boolean>((resolve) => {
    const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
    const s = connect({ host, port }, () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

const proxiesOn = async (tp: ToxiproxyBackend) => Object.values((await (await fetch(`${tp.url}/proxies`)).json()) as Record<string, { name: string; listen: string; upstream: string }>);
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
async function expectNothingLeft(marker: string, tmp: string, tp: ToxiproxyBackend, ports: string[], netnsOwner?: number, stderr = '') {
  await until('every marked process to end', () => markedProcesses(marker).length === 0 || undefined, 10_000).catch(() => undefined);
  expect(markedProcesses(marker), 'processes left behind').toEqual([]);
  expect(await proxiesOn(tp), 'Toxiproxy proxies left behind').toEqual([]);
  for (const port of ports) expect(await listening(port), `still listening: ${port}`).toBe(false);
  expect(tempDirsLeft(tmp), `temp dirs left behind; the command's stderr:\n${stderr}`).toEqual([]);
  if (netnsOwner !== undefined) expect(await namespacesOf(netnsOwner), 'network namespaces left behind').toEqual([]);
}

/**
 * `baileys-chaos run` with the plain bot through keepalive-timeout, in a process of its own with
 * its own TMPDIR, a marker every child inherits and an external Toxiproxy (whose proxies nobody
 * else would remove).
 */
async function startPlan(name: string, runs: number, extra: string[] = [], { group = false } = {}) {
  const out = join(await tempDir(), 'out');
  const tmp = await tempDir('bc-tmpdir-');
  const tp = await externalToxiproxy();
  const marker = `${name}=${process.pid}-${Date.now()}`;
  const [key, value] = marker.split('=') as [string, string];
  // One run at a time in the command's own process unless the test asks for --jobs.
  const jobs = extra.includes('--jobs') ? [] : ['--jobs', '1'];
  const args = ['bin/baileys-chaos.js', 'run', '--bot-cmd', PLAIN_BOT, '--scenario', 'keepalive-timeout', '--baileys', VERSION, '--runs', String(runs), ...jobs, ...extra, '--seed', '5', '--toxiproxy', tp.url, '--out', out];
  // group: a process group of its own, as a terminal's foreground job, to signal as Ctrl-C does.
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, TMPDIR: tmp, [key]: value }, stdio: ['ignore', 'ignore', 'pipe'], detached: group });
  onCleanup(() => void child.kill('SIGKILL'));
  const plan = { child, out, tmp, tp, marker, stderr: '' };
  child.stderr!.on('data', (d) => (plan.stderr += d));
  const exited = new Promise<number | null | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  /** Its exit code (or signal), or 'hung' after 30 s. */
  const exit = () => Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 30_000))]);
  /** Waits for a run to finish and `under` runs to be under way (each with its proxy and bot process); their proxies. */
  const underWay = async (under: number, timeoutMs: number) => {
    await until('the first run to finish', () => new RegExp(`\\[1/${runs}\\]`).test(plan.stderr) || undefined, timeoutMs);
    return until(`${under} run(s) under way`, async () => {
      const found = await proxiesOn(tp);
      // The bot's own processes: the command (and its warped self) carry the bot command in their arguments too.
      const bots = markedProcesses(marker).filter((p) => p.cmd.includes('plain-bot') && !p.cmd.includes('baileys-chaos.js'));
      return found.length >= under && bots.length >= under ? found : undefined;
    }, 60_000);
  };
  return { ...plan, get stderr() { return plan.stderr; }, exit, underWay };
}

describe('nothing left behind', () => {
  test('SIGINT midway: exit 130, the finished runs in the report and in runs.jsonl, no process, proxy, port or temp dir left', async () => {
    const plan = await startPlan('BC_INTERRUPT_TEST', 3);
    // The first run finished; the second is under way: its bot process runs and its proxy exists.
    const [proxy] = await plan.underWay(1, 90_000);
    plan.child.kill('SIGINT');
    expect(await plan.exit(), plan.stderr).toBe(130);
    expect(plan.stderr).toMatch(/stopped by SIGINT after 1 of 3 runs/);

    const report = await readReportFile(join(plan.out, 'report.json'));
    expect(report.interrupted).toEqual({ signal: 'SIGINT', plannedRuns: 3, finishedRuns: 1 });
    expect(report.runs.map((r) => r.id)).toEqual(['keepalive-timeout/6.7.21/default/0']);
    expect(report.runs[0]!.verdict).not.toBe('error');
    expect(readRunStream(join(plan.out, 'runs.jsonl')).map((r) => r.id)).toEqual(report.runs.map((r) => r.id));
    expect(readFileSync(join(plan.out, 'report.md'), 'utf8')).toMatch(/Interrupted\*\* by SIGINT: 1 of 3/);

    await expectNothingLeft(plan.marker, plan.tmp, plan.tp, [proxy!.listen, proxy!.upstream], undefined, plan.stderr);
  }, 180_000);

  test('SIGTERM while a run waits for good (a bot whose connect never returns): the run is released, the report written with no run judged (not a pass), exit 130', async () => {
    const out = join(await tempDir(), 'out');
    const args = ['bin/baileys-chaos.js', 'run', '--bot', 'test/support/connect-never-returns.mjs', '--scenario', 'stream-errors', '--baileys', VERSION, '--runs', '2', '--jobs', '1', '--seed', '5', '--out', out];
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    onCleanup(() => void child.kill('SIGKILL'));
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
    await until("the bot's connect() to be called", () => stderr.includes('connect() called') || undefined, 60_000);
    child.kill('SIGTERM');
    // The step that never settles kept nothing alive: the process left without its report before.
    expect(await Promise.race([exited, new Promise((r) => setTimeout(() => r('hung'), 30_000))]), stderr).toBe(130);
    const report = await readReportFile(join(out, 'report.json'));
    expect(report.interrupted).toEqual({ signal: 'SIGTERM', plannedRuns: 2, finishedRuns: 0 });
    expect(report.runs).toEqual([]);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/^# baileys-chaos run: ❔ unknown/);
  }, 120_000);

  test("Ctrl-C in a terminal (SIGINT to the command's whole process group) in virtual time: one stop, the run released, exit 130, nothing left", async () => {
    const plan = await startPlan('BC_CTRL_C_TEST', 3, [], { group: true });
    const [proxy] = await plan.underWay(1, 90_000);
    process.kill(-plan.child.pid!, 'SIGINT');
    expect(await plan.exit(), plan.stderr).toBe(130);
    // The command run again under the warp got the signal once (passed on), not also from the terminal.
    expect(plan.stderr).not.toMatch(/again: quitting now/);
    expect(plan.stderr).toMatch(/stopped by SIGINT after 1 of 3 runs/);
    await expectNothingLeft(plan.marker, plan.tmp, plan.tp, [proxy!.listen, proxy!.upstream], undefined, plan.stderr);
  }, 180_000);

  test('SIGINT midway with --jobs 2: each child releases its run, the parent writes the finished runs, exit 130, nothing left', async () => {
    const plan = await startPlan('BC_INTERRUPT_JOBS_TEST', 5, ['--jobs', '2']);
    // A run has finished; two are under way, each in a child with its bot process and its proxy.
    const proxies = await plan.underWay(2, 120_000);
    const finishedBefore = plan.stderr.match(/\[\d\/5\]/g)!.length;
    plan.child.kill('SIGINT');
    expect(await plan.exit(), plan.stderr).toBe(130);
    const report = await readReportFile(join(plan.out, 'report.json'));
    expect(report.interrupted?.plannedRuns).toBe(5);
    // The runs under way were released and dropped, not carried to their end.
    expect(report.runs.length, plan.stderr).toBe(finishedBefore);
    expect(report.interrupted?.finishedRuns).toBe(finishedBefore);
    for (const run of report.runs) expect(run.verdict, run.id).not.toBe('error');
    expect(readRunStream(join(plan.out, 'runs.jsonl')).map((r) => r.id).sort()).toEqual(report.runs.map((r) => r.id).sort());

    await expectNothingLeft(plan.marker, plan.tmp, plan.tp, proxies.flatMap((p) => [p.listen, p.upstream]), undefined, plan.stderr);
  }, 240_000);

  // In virtual time (the default) the command starts itself again under the warp, and that one
  // starts the run children. (The retired time scale, which started them itself, had a case here.)
  test('the command killed outright (SIGKILL) with --jobs 2, in virtual time: the processes it started see it gone, release their runs and end; nothing left', async () => {
    const plan = await startPlan('BC_KILLED_PARENT_TEST', 5, ['--jobs', '2']);
    const proxies = await plan.underWay(2, 120_000);
    // SIGKILL runs no handler in the parent: the children learn it from their IPC channel closing.
    plan.child.kill('SIGKILL');
    expect(await plan.exit()).toBe('SIGKILL');
    await expectNothingLeft(plan.marker, plan.tmp, plan.tp, proxies.flatMap((p) => [p.listen, p.upstream]), undefined, plan.stderr);
    // The warped command stopped as on SIGTERM and wrote the report of what finished.
    expect((await readReportFile(join(plan.out, 'report.json'))).interrupted?.signal, plan.stderr).toBe('SIGTERM');
  }, 240_000);

  test("interrupted while a client is still being set up: what the abandoned step writes into the run's directory after its release is removed too", async () => {
    const tmp = await tempDir('bc-tmpdir-');
    const scenario: Scenario = { name: 'interrupted-setup', about: 'test', clients: 1, store: 'file', driver: 'subprocess', schedules: () => fc.constant([]), settleMs: () => 1_000, invariants: [] };
    const real = await chooseBot({ botCmd: PLAIN_BOT });
    const controller = new AbortController();
    // The interrupt lands while the client is being set up, and the step is slower than the
    // release: it goes on once the run's directory is gone (the command bot then makes the client's home in it).
    const bot = {
      ...real,
      client: async (ctx: Parameters<typeof real.client>[0]) => {
        controller.abort('SIGINT');
        await until('the run to remove its directory', () => !existsSync(ctx.workDir) || undefined, 10_000);
        return real.client(ctx);
      },
    };
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      await expect(runScenario(scenario, [], { version: VERSION, seed: 3, scale: 1, clock: systemClock, bot, signal: controller.signal })).rejects.toThrow(RunInterruptedError);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
    expect(tempDirsLeft(tmp), 'temp dirs left behind').toEqual([]);
  }, 60_000);

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
      await expect(runScenario(scenario, schedule, { version: VERSION, seed: 3, scale: 1, clock: systemClock, bot })).rejects.toThrow(/second client failed to start/);
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
