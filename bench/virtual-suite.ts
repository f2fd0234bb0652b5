/**
 * Bench section `virtual-suite`: the whole CI scenario suite (test/support/ci-suite.ts: 11
 * scenarios, 2 runs each, six of them on both pinned versions; npm test runs its newest-version
 * part this way, test/e2e/virtual-suite.test.ts) with real-world settings in virtual time, through
 * the CLI as a user runs it, at speed K with J runs at once or auto (--jobs, each run in a process
 * of its own), its two invocations one after the other or both at once (as the test runs them),
 * the compiled CLI as an installed package runs it (dist/, built first when stale) or, for
 * comparison, the sources through tsx as bin/baileys-chaos.js runs them from a clone. Per row: the real wall time, the
 * CPU the process trees used (and over the wall time: the machine's load in cores), the verdicts,
 * the highest per-run CPU share, and the runs' summed and longest virtual time.
 * The suite's test files under vitest are the `scenarios` section.
 *
 * Standalone: npx tsx bench/virtual-suite.ts [--speeds 10] [--jobs 8,12,auto (each one after the other and together)] [--seed 7]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { readReportFile } from '../harness/report/write.js';
import { builtCli } from '../test/support/built-cli.js';
import { CI_SUITE_RUNS, ciSuite } from '../test/support/ci-suite.js';

const SUITE = ciSuite();

type Jobs = number | 'auto';
/** built: dist/ as an installed package runs it; sources: the TypeScript through tsx, as from a clone. */
type Cli = 'built' | 'sources';

interface Row {
  cli: Cli;
  speed: number;
  /** --jobs: N at once, or auto (started while the cores have room). */
  jobs: Jobs;
  /** Both invocations at once (true) or one after the other. */
  together: boolean;
  realSeconds: number;
  cpuSeconds: number;
  /** cpuSeconds / realSeconds: cores busy on average. */
  coresBusy: number;
  runs: number;
  verdicts: Record<string, number>;
  notValid: string[];
  highestRunCpuShare: number;
  /** The most other runs any run had beside it in its own invocation (cpu.alongsideRuns). */
  mostAlongside: number;
  virtualSeconds: number;
  longestRunVirtualSeconds: number;
}

/** One CLI invocation; its report and the CPU seconds its process tree used (bash `times`). */
async function invoke(entry: string, args: string[]): Promise<{ cpuSeconds: number; report: Awaited<ReturnType<typeof readReportFile>> }> {
  const out = await mkdtemp(join(tmpdir(), 'bc-vsuite-'));
  try {
    const argv = [entry, ...args, '--quiet', '--allow-unknown', '--out', out];
    const child = spawn('bash', ['-c', `${JSON.stringify(process.execPath)} ${argv.map((a) => JSON.stringify(a)).join(' ')} >/dev/null 2>&1; code=$?; times; exit $code`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout!.on('data', (d) => (text += d));
    await new Promise((resolve) => child.once('exit', resolve));
    const children = text.trim().split('\n').at(-1) ?? '';
    const cpuSeconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce((a, m) => a + Number(m[1]) * 60 + Number(m[2]), 0);
    return { cpuSeconds, report: await readReportFile(join(out, 'report.json')) };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

async function suiteAt(cli: Cli, speed: number, jobs: Jobs, together: boolean, seed: number): Promise<Row> {
  const entry = cli === 'built' ? builtCli() : 'bin/baileys-chaos.js'; // a build is not part of the suite's time
  const started = performance.now();
  const row: Row = { cli, speed, jobs, together, realSeconds: 0, cpuSeconds: 0, coresBusy: 0, runs: 0, verdicts: {}, notValid: [], highestRunCpuShare: 0, mostAlongside: 0, virtualSeconds: 0, longestRunVirtualSeconds: 0 };
  const invokeGroup = (group: (typeof SUITE)[number]) =>
    invoke(entry, ['run', '--speed', String(speed), '--jobs', String(jobs), '--scenario', group.scenarios.join(','), '--baileys', group.versions.join(','), '--runs', String(CI_SUITE_RUNS), '--seed', String(seed)]);
  const results = together ? await Promise.all(SUITE.map(invokeGroup)) : await SUITE.reduce(async (done, g) => [...(await done), await invokeGroup(g)], Promise.resolve([] as Awaited<ReturnType<typeof invoke>>[]));
  for (const { cpuSeconds, report } of results) {
    row.cpuSeconds += cpuSeconds;
    for (const r of report.runs) {
      row.runs++;
      row.verdicts[r.verdict] = (row.verdicts[r.verdict] ?? 0) + 1;
      if (r.verdict !== 'valid') row.notValid.push(`${r.id} ${r.verdict}: ${r.error ?? r.invariants.filter((i) => i.verdict !== 'valid').map((i) => i.invariant).join('; ')}`);
      row.highestRunCpuShare = Math.max(row.highestRunCpuShare, r.cpu?.share ?? 0);
      row.mostAlongside = Math.max(row.mostAlongside, r.cpu?.alongsideRuns ?? 0);
      row.virtualSeconds += r.wallMs / 1000;
      row.longestRunVirtualSeconds = Math.max(row.longestRunVirtualSeconds, Math.round(r.wallMs / 1000));
    }
  }
  row.realSeconds = (performance.now() - started) / 1000;
  row.cpuSeconds = Math.round(row.cpuSeconds * 10) / 10;
  row.coresBusy = Math.round((row.cpuSeconds / row.realSeconds) * 100) / 100;
  row.virtualSeconds = Math.round(row.virtualSeconds);
  return row;
}

/** Rows measured by default: the compiled CLI 8 at once with the invocations one after the other and together, 12 and auto together; the sources auto together. */
const DEFAULT_ROWS: { cli: Cli; jobs: Jobs; together: boolean }[] = [
  { cli: 'built', jobs: 8, together: false },
  { cli: 'built', jobs: 8, together: true },
  { cli: 'built', jobs: 12, together: true },
  { cli: 'built', jobs: 'auto', together: true },
  { cli: 'sources', jobs: 'auto', together: true },
];

export async function benchVirtualSuite(options: { speeds?: number[]; jobs?: Jobs[]; seed?: number; log?: (line: string) => void } = {}) {
  const speeds = options.speeds ?? [10];
  const shapes = options.jobs ? options.jobs.flatMap((jobs) => [false, true].map((together) => ({ cli: 'built' as const, jobs, together }))) : DEFAULT_ROWS;
  const seed = options.seed ?? 7;
  const log = options.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const rows: Row[] = [];
  for (const speed of speeds) {
    for (const { cli, jobs, together } of shapes) {
      log(`virtual-suite: the CI scenario suite at x${speed}, ${cli === 'built' ? 'the compiled CLI' : 'the sources through tsx'}, ${jobs} at once, the two invocations ${together ? 'at once' : 'one after the other'} (seed ${seed})…`);
      rows.push(await suiteAt(cli, speed, jobs, together, seed));
      log(`virtual-suite: ${rows.at(-1)!.realSeconds.toFixed(0)} s real, ${rows.at(-1)!.cpuSeconds} s CPU, ${JSON.stringify(rows.at(-1)!.verdicts)}`);
    }
  }
  return {
    suite: SUITE.map((g) => ({ ...g, runs: CI_SUITE_RUNS })),
    seed,
    note: 'real-world settings (no time scale); machine: 2 cores; each run in a process of its own (--jobs). cli: built = dist/ as an installed package runs it, sources = the TypeScript through tsx as from a clone (each process about 1 s more CPU). virtualSeconds: the runs\' summed clock time. together: the two invocations at once, as test/e2e/virtual-suite.test.ts runs its part',
    rows,
    replay: `npx tsx bench/virtual-suite.ts --speeds ${speeds.join(',')}${options.jobs ? ` --jobs ${options.jobs.join(',')}` : ''} --seed ${seed}`,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { speeds: { type: 'string' }, jobs: { type: 'string' }, seed: { type: 'string' } } });
  const result = await benchVirtualSuite({
    ...(values.speeds ? { speeds: values.speeds.split(',').map(Number) } : {}),
    ...(values.jobs ? { jobs: values.jobs.split(',').map((j) => (j === 'auto' ? j : Number(j))) } : {}),
    ...(values.seed ? { seed: Number(values.seed) } : {}),
  });
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}
