/**
 * Bench section `speed-fidelity`: how CPU inflation under virtual time moves outcomes. The same
 * scenarios, seeds and versions run at --speed K for each K (1 is real time) and each bot kind;
 * per K the verdicts are compared with K = 1's and the recovery p50 (per scenario, over its runs)
 * is set beside K = 1's. The fastest K whose verdicts all equal K = 1's (and whose recovery p50 is
 * within 10 %) is that bot kind's candidate default. Recovery holds the bot's backoff (timers, which
 * the warp keeps exact) and its logins (CPU, inflated K times), so the two are also set apart: the
 * p50 of its delays (a close -> its next attempt) and of its logins (the server's attempt -> open).
 * Each K is one CLI invocation (`baileys-chaos run --speed K --jobs auto`), as a user runs it; the
 * reports are read back.
 *
 * Also per run: the share of its virtual time that was CPU (the CLI process tree's user+system CPU
 * over the real wall time of the run: under the warp CPU is real, so a high share means the warp
 * has little idle time to compress).
 *
 * Standalone: npx tsx bench/speed-fidelity.ts [--speeds 1,5,10,20] [--scenarios keepalive-timeout,stream-errors]
 *             [--versions 7.0.0-rc14] [--runs 3] [--seed 7] [--jobs auto] [--bots reference,command,openclaw]
 * (OpenClaw: at most x15, and one run at a time, as the CLI caps it.)
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { readReportFile } from '../harness/report/write.js';
import type { Report } from '../harness/report/schema.js';
import { percentile } from '../harness/report/summarize.js';

export interface SpeedFidelityOptions {
  speeds?: number[];
  scenarios?: string[];
  versions?: string[];
  runs?: number;
  seed?: number;
  /** --jobs for every K (default auto: runs start while the cores have room, harness/runner/cpu-headroom.ts). */
  jobs?: string;
  /** Bot kinds: "reference" (the in-process supervisor), "command" (examples/plain-bot as --bot-cmd), "openclaw" (as shipped, `npm run setup:openclaw`). */
  bots?: string[];
  log?: (line: string) => void;
}

const BOT_FLAGS: Record<string, string[]> = {
  reference: [],
  command: ['--bot-cmd', 'node examples/plain-bot/bot.mjs'],
  openclaw: ['--bot', 'openclaw'],
};
/** The fastest K a bot kind starts at reliably: OpenClaw's start-up migration exits 78 at x20 now and then (test/e2e/openclaw-virtual-time.test.ts). */
const FASTEST_START: Record<string, number> = { openclaw: 15 };
const speedsFor = (bot: string, speeds: number[]): number[] => [...new Set(speeds.map((k) => Math.min(k, FASTEST_START[bot] ?? k)))];

interface Measured {
  speed: number;
  realSeconds: number;
  cpuShareOfRealTime: number;
  exitCode: number | null;
  verdicts: Record<string, string>;
  /** Per scenario and version, over its runs: the last fault cleared -> open for good. */
  recoveryP50Ms: Record<string, number | null>;
  /** Per scenario and version, over its runs: a close -> the bot's next attempt (its backoff: timers, not CPU). */
  delayP50Ms: Record<string, number | null>;
  /** Per scenario and version, over its runs: the server's attempt -> open (a login: CPU, so it inflates with K). */
  loginP50Ms: Record<string, number | null>;
}

/** Each login the server saw: its attempt -> the open that followed, per client. */
function loginsMs(run: Report['runs'][number]): number[] {
  const out: number[] = [];
  const attemptAt = new Map<number, number>();
  for (const p of run.timeline) {
    if (p.source !== 'server' || p.client === undefined) continue;
    if (p.type === 'attempt') attemptAt.set(p.client, p.t);
    if (p.type === 'open' && attemptAt.has(p.client)) {
      out.push(p.t - attemptAt.get(p.client)!);
      attemptAt.delete(p.client);
    }
  }
  return out;
}

/** Per scenario and version: the p50 of what `pick` takes from each of its runs. */
function perScenario(report: Report, pick: (run: Report['runs'][number]) => number[]): Record<string, number | null> {
  const groups = new Map<string, number[]>();
  for (const r of report.runs) {
    const k = `${r.scenario}/${r.version}`;
    groups.set(k, [...(groups.get(k) ?? []), ...pick(r)]);
  }
  return Object.fromEntries([...groups].map(([k, xs]) => [k, percentile(xs, 50)]));
}

/** The worst relative distance of `row`'s values from `base`'s, over the keys of `base`. */
function worstDrift(base: Record<string, number | null>, row: Record<string, number | null>): number {
  const drifts = Object.keys(base).map((k) => {
    const a = base[k];
    const b = row[k];
    return a && b ? Math.abs(b - a) / a : a === b ? 0 : Infinity;
  });
  return Math.max(0, ...drifts);
}

/** One CLI run at speed K; its report, real wall time and the CPU its process tree used. */
async function runAt(speed: number, bot: string, opts: Required<Omit<SpeedFidelityOptions, 'log' | 'speeds' | 'bots'>>): Promise<Measured> {
  const out = await mkdtemp(join(tmpdir(), 'bc-fidelity-'));
  try {
    // Runs share the cores only while they have room (--jobs auto): the rows compare speeds, not a full machine.
    const args = ['bin/baileys-chaos.js', 'run', '--speed', String(speed), '--jobs', opts.jobs, '--scenario', opts.scenarios.join(','), '--baileys', opts.versions.join(','), '--runs', String(opts.runs), '--seed', String(opts.seed), '--quiet', '--allow-unknown', '--out', out, ...BOT_FLAGS[bot]!];
    const started = performance.now();
    // `time -f` would need GNU time; the tree's CPU is read from /proc as the children are reaped: bash's `times` after the run.
    const child = spawn('bash', ['-c', `${JSON.stringify(process.execPath)} ${args.map((a) => JSON.stringify(a)).join(' ')} >/dev/null 2>&1; code=$?; times; exit $code`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout!.on('data', (d) => (text += d));
    const exitCode = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    const realSeconds = (performance.now() - started) / 1000;
    // `times` prints the shell's own and its children's user/system times: the second line is the children's.
    const child2 = text.trim().split('\n').at(-1) ?? '';
    const secs = [...child2.matchAll(/(\d+)m([\d.]+)s/g)].reduce((a, m) => a + Number(m[1]) * 60 + Number(m[2]), 0);
    const report: Report = await readReportFile(join(out, 'report.json'));
    const key = (r: Report['runs'][number]) => `${r.scenario}/${r.version}/${r.runIndex}`;
    return {
      speed,
      realSeconds,
      cpuShareOfRealTime: secs / realSeconds,
      exitCode,
      verdicts: Object.fromEntries(report.runs.map((r) => [key(r), r.verdict])),
      recoveryP50Ms: perScenario(report, (r) => r.metrics.flatMap((m) => (m.recoverMs === null ? [] : [m.recoverMs]))),
      delayP50Ms: perScenario(report, (r) => r.metrics.flatMap((m) => m.delaysMs)),
      loginP50Ms: perScenario(report, loginsMs),
    };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

export async function benchSpeedFidelity(options: SpeedFidelityOptions = {}) {
  const opts = {
    scenarios: options.scenarios ?? ['keepalive-timeout', 'stream-errors'],
    versions: options.versions ?? ['7.0.0-rc14'],
    runs: options.runs ?? 3,
    seed: options.seed ?? 7,
    jobs: options.jobs ?? 'auto',
  };
  const speeds = options.speeds ?? [1, 5, 10, 20];
  const log = options.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const bots = [];
  for (const bot of options.bots ?? ['reference', 'command']) {
    const rows: Measured[] = [];
    for (const speed of speedsFor(bot, speeds)) {
      log(`speed-fidelity: ${bot} bot at x${speed} (${opts.scenarios.join(', ')}; ${opts.versions.join(', ')}; seed ${opts.seed})…`);
      rows.push(await runAt(speed, bot, opts));
    }
    const reference = rows.find((r) => r.speed === Math.min(...speeds))!;
    const compared = rows.map((r) => {
      const sameVerdicts = Object.keys(reference.verdicts).every((k) => r.verdicts[k] === reference.verdicts[k]);
      return {
        ...r,
        sameVerdictsAsSlowest: sameVerdicts,
        worstRecoveryP50Drift: worstDrift(reference.recoveryP50Ms, r.recoveryP50Ms),
        worstDelayP50Drift: worstDrift(reference.delayP50Ms, r.delayP50Ms),
        speedup: reference.realSeconds / r.realSeconds,
      };
    });
    const fastest = (ok: typeof compared) => (ok.length ? Math.max(...ok.map((r) => r.speed)) : null);
    bots.push({
      bot,
      rows: compared,
      candidateDefaultSpeed: fastest(compared.filter((r) => r.sameVerdictsAsSlowest && r.worstRecoveryP50Drift <= 0.1)),
      sameDecisionsSpeed: fastest(compared.filter((r) => r.sameVerdictsAsSlowest && r.worstDelayP50Drift <= 0.1)),
    });
  }
  return {
    rule: 'candidate default: the fastest K whose verdicts all equal the slowest K\'s (K = 1: real time) and whose recovery p50 per scenario is within 10 % of it; sameDecisionsSpeed: the same with the bot\'s delays (close -> next attempt, its timers) in place of recovery, which also holds logins (CPU, inflated K times: loginP50Ms)',
    ...opts,
    speeds,
    bots,
    replay: `npx tsx bench/speed-fidelity.ts --speeds ${speeds.join(',')} --scenarios ${opts.scenarios.join(',')} --versions ${opts.versions.join(',')} --runs ${opts.runs} --seed ${opts.seed} --jobs ${opts.jobs} --bots ${(options.bots ?? ['reference', 'command']).join(',')}`,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { speeds: { type: 'string' }, scenarios: { type: 'string' }, versions: { type: 'string' }, runs: { type: 'string' }, seed: { type: 'string' }, jobs: { type: 'string' }, bots: { type: 'string' } } });
  const list = (v: string | undefined) => v?.split(',').map((x) => x.trim()).filter(Boolean);
  const result = await benchSpeedFidelity({
    ...(values.speeds ? { speeds: list(values.speeds)!.map(Number) } : {}),
    ...(values.scenarios ? { scenarios: list(values.scenarios)! } : {}),
    ...(values.versions ? { versions: list(values.versions)! } : {}),
    ...(values.runs ? { runs: Number(values.runs) } : {}),
    ...(values.seed ? { seed: Number(values.seed) } : {}),
    ...(values.jobs ? { jobs: values.jobs } : {}),
    ...(values.bots ? { bots: list(values.bots)! } : {}),
  });
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}
