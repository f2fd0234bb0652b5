/** Runs the real CLI (bin/baileys-chaos.js), or vitest, as a child process, killed if it outlives its bound. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { builtCli } from './built-cli.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

type RunOpts = { timeoutMs?: number; env?: NodeJS.ProcessEnv };

export const runCli = (args: string[], opts: RunOpts = {}): Promise<CliResult> => runNodeScript('bin/baileys-chaos.js', args, opts);

/** The compiled CLI (dist/, built first when stale: ./built-cli.ts), as an installed package runs it. */
export const runBuiltCli = (args: string[], opts: RunOpts = {}): Promise<CliResult> => runNodeScript(builtCli(), args, opts);

/** This repository's vitest as a user runs it (`npx vitest ...`), not under any warp of its own. */
export const runVitest = (args: string[], opts: RunOpts = {}): Promise<CliResult> => runNodeScript('node_modules/vitest/vitest.mjs', args, opts);

function runNodeScript(script: string, args: string[], opts: RunOpts): Promise<CliResult> {
  const child = spawn(process.execPath, [script, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}
