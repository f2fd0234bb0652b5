/**
 * Bench section `vitest-suite`: a bot project's own chaos suite (scenarioSuite, no time settings)
 * under a plain `npx vitest run`, as a user runs it: each test again in a vitest under the warp
 * (harness/time/warped-vitest.ts). The same file twice in one bench run: its tests side by side (the
 * default, describe.concurrent up to vitest's maxConcurrency) and one at a time (--maxConcurrency 1).
 * Per row: the real wall time and the tests passed and failed (vitest's JSON report).
 *
 * Standalone: npx tsx bench/vitest-suite.ts [--scenarios stream-errors,conflict,logged-out] [--version 7.0.0-rc14]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { versionsUnderTest } from '../harness/baileys/versions.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

export interface VitestSuiteOptions {
  scenarios?: string[];
  version?: string;
  log?: (line: string) => void;
}

interface Row {
  mode: 'side by side' | 'one at a time';
  realSeconds: number;
  passed: number;
  failed: number;
  exitCode: number | null;
}

async function runSuite(dir: string, extra: string[]): Promise<Omit<Row, 'mode'>> {
  const report = join(dir, `report-${extra.length}.json`);
  const args = [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--root', dir, '--reporter=json', `--outputFile=${report}`, ...extra];
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: dir, stdio: 'ignore' });
  const exitCode = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const realSeconds = (performance.now() - started) / 1000;
  const parsed = JSON.parse(await readFile(report, 'utf8')) as { numPassedTests: number; numFailedTests: number };
  return { realSeconds, passed: parsed.numPassedTests, failed: parsed.numFailedTests, exitCode };
}

export async function benchVitestSuite(options: VitestSuiteOptions = {}) {
  const scenarios = options.scenarios ?? ['stream-errors', 'conflict', 'logged-out'];
  const version = options.version ?? versionsUnderTest().at(-1)!;
  const log = options.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const dir = await mkdtemp(join(tmpdir(), 'bc-vitest-bench-'));
  try {
    await writeFile(
      join(dir, 'chaos.test.ts'),
      `import { scenarioSuite } from ${JSON.stringify(join(ROOT, 'harness', 'vitest.ts'))};
import { SCENARIOS } from ${JSON.stringify(join(ROOT, 'scenarios', 'index.ts'))};
scenarioSuite(${JSON.stringify(scenarios)}.map((name) => SCENARIOS[name]!), { versions: [${JSON.stringify(version)}], numRuns: 1 });
`,
    );
    const rows: Row[] = [];
    for (const [mode, extra] of [['side by side', []], ['one at a time', ['--maxConcurrency', '1']]] as const) {
      log(`vitest-suite: ${scenarios.length} scenarios on ${version}, a plain vitest run, tests ${mode}…`);
      rows.push({ mode, ...(await runSuite(dir, [...extra])) });
    }
    return {
      what: 'a plain `npx vitest run` of a chaos suite (scenarioSuite, no time settings: virtual time x10, each test again in a warped vitest), its tests side by side and one at a time',
      scenarios,
      version,
      numRuns: 1,
      rows,
      sideBySideSpeedup: rows[1]!.realSeconds / rows[0]!.realSeconds,
      replay: `npx tsx bench/vitest-suite.ts --scenarios ${scenarios.join(',')} --version ${version}`,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { scenarios: { type: 'string' }, version: { type: 'string' } } });
  const result = await benchVitestSuite({
    ...(values.scenarios ? { scenarios: values.scenarios.split(',').map((s) => s.trim()) } : {}),
    ...(values.version ? { version: values.version } : {}),
  });
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}
