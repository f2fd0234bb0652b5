/**
 * Bench section `npm-test`: README's test command (`npm test`: three vitest passes) as CI runs it,
 * timed. Per pass: its files and tests as vitest counts them and its wall time; the total; the exit
 * code (a failing run is recorded as failing, never left out). About 40 minutes on 2 cores (2,401 s on 2026-11-29).
 *
 * Standalone: npx tsx bench/npm-test.ts
 */
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';

interface Pass {
  files: string;
  tests: string;
  seconds: number;
}

// Vitest's summary lines, with colours stripped.
const stripAnsi = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');

export async function benchNpmTest(log: (line: string) => void = (l) => process.stderr.write(l + '\n')) {
  const started = performance.now();
  const passes: Pass[] = [];
  let passStarted = started;
  let pending: Partial<Pass> = {};
  const child = spawn('npm', ['test'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
  const onText = (chunk: Buffer) => {
    process.stderr.write(chunk); // the suite's own output, as npm test prints it
    for (const line of stripAnsi(chunk.toString()).split('\n')) {
      const files = /^\s*Test Files\s+(.*)$/.exec(line);
      const tests = /^\s*Tests\s+(.*)$/.exec(line);
      if (files) pending.files = files[1]!.trim();
      if (tests) pending.tests = tests[1]!.trim();
      if (/^\s*Duration\s/.test(line)) {
        const now = performance.now();
        passes.push({ files: pending.files ?? '?', tests: pending.tests ?? '?', seconds: Math.round((now - passStarted) / 100) / 10 });
        log(`npm-test: pass ${passes.length}: ${passes.at(-1)!.files}; ${passes.at(-1)!.tests}; ${passes.at(-1)!.seconds} s`);
        passStarted = now;
        pending = {};
      }
    }
  };
  child.stdout!.on('data', onText);
  child.stderr!.on('data', onText);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  return { command: 'npm test', exitCode: code, totalSeconds: Math.round((performance.now() - started) / 100) / 10, passes, replay: 'npm run bench -- --only npm-test' };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(JSON.stringify(await benchNpmTest(), null, 2) + '\n');
}
