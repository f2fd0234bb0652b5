/**
 * Runs of a plan in child processes (--jobs N above 1). One Node process runs on one core, and an
 * in-process clock fault replaces that process's `Date`: runs sharing the harness's process share
 * both. Each run in its own process of the same command uses every core, keeps its clock faults and
 * its throws to itself, and its CPU share is its own. Under virtual time a child inherits the warp
 * and continues the same clock (harness/time/warp.ts).
 *
 * The parent starts the command again with its own flags and RUN_CHILD_ENV set, sends it planned
 * runs with their schedules one at a time, and gets back each run's report. A child that dies or
 * answers nothing gives the run the verdict `error` with the end of its stderr, never a verdict on the bot.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scheduleEnd, type Schedule } from '../faults/schedule.js';
import type { RunReport } from '../report/schema.js';
import { RunInterruptedError } from '../scenario.js';
import { killTagged } from '../tagged-processes.js';
import { machineTimeOnClock } from '../time/warp.js';
import { removeWorkDir, WORK_ROOT_ENV } from '../work-root.js';
import type { PlannedRun } from './plan.js';

/** Set in a child started to carry out runs. */
export const RUN_CHILD_ENV = 'BAILEYS_CHAOS_RUN_CHILD';

interface Request {
  planned: PlannedRun;
  schedule: Schedule;
}
type Answer = { ready: true } | { report: RunReport } | { interrupted: string };

/** Is this process a child started to carry out runs? */
export const isRunChild = (env: NodeJS.ProcessEnv = process.env): boolean => env[RUN_CHILD_ENV] === '1' && typeof process.send === 'function';

/** Carries out one run elsewhere and gives back its report. */
export type RunElsewhere = (planned: PlannedRun, schedule: Schedule, signal: AbortSignal | undefined) => Promise<RunReport>;

/** Processes that carry out runs, one run at a time each; `close` ends them all. */
export interface ChildPool {
  run: RunElsewhere;
  close(): Promise<void>;
}

const STDERR_KEPT = 4000;
const CLOSE_GRACE_MS = 5000;
/** Machine time a child gets past a run's deadline to stop and release it itself. */
const KILL_GRACE_MS = 10_000;
export const RUN_DEADLINE_ENV = 'BAILEYS_CHAOS_RUN_DEADLINE';

/**
 * How long (clock ms) a child may carry a run without answering before it is killed: an hour plus
 * three times the schedule (OpenClaw's longest runs took about 20 minutes of clock), or
 * $BAILEYS_CHAOS_RUN_DEADLINE seconds. A process can hang where no timer of its own fires (a
 * deadlock): only its parent can end that run.
 */
export function runDeadlineMs(schedule: Schedule, env: NodeJS.ProcessEnv = process.env): number {
  const given = Number(env[RUN_DEADLINE_ENV]);
  return given > 0 ? given * 1000 : 60 * 60_000 + 3 * scheduleEnd(schedule);
}

interface RunChild {
  process: ChildProcess;
  stderr: string;
}

/** After a child has ended: the processes it left (it was killed before releasing its run), then its directory. */
async function endLeftovers(root: string): Promise<void> {
  const killed = await killTagged(WORK_ROOT_ENV, root);
  if (killed > 0) process.emitWarning(`baileys-chaos: a child process carrying out runs ended and left ${killed} process(es) it had started (a bot's); they were killed.`);
  await removeWorkDir(root);
}

/** The end of what a child wrote to stderr, for an error about it. */
const stderrTail = (child: RunChild): string => `Its stderr ended with:\n${child.stderr.trim() || '(nothing)'}`;

/**
 * The parent's side: processes of this command (`argv` are its flags as this process got them; the
 * seed, when given, is pinned so a child reading them plans nothing differently: check's comes from
 * its baseline), started as runs need them and
 * reused (a start costs one to two seconds of CPU: tsx, Baileys).
 */
export function childPool(argv: string[], seed: number | undefined): ChildPool {
  const idle: RunChild[] = [];
  const all = new Set<ChildProcess>();
  // Each child's runs make their temp dirs in a directory of its own, removed once it has ended
  // (whatever a child killed at its deadline left there). The processes it started carry that
  // directory in their environment: any still alive then (a command bot's process group outlives a
  // SIGKILLed child) are ended first.
  const removals: Promise<void>[] = [];
  const spawnReady = () =>
    new Promise<RunChild>((resolve, reject) => {
      const root = mkdtempSync(join(tmpdir(), 'bc-run-child-'));
      const proc = spawn(process.execPath, [...process.execArgv, process.argv[1]!, ...argv, ...(seed === undefined ? [] : ['--seed', String(seed)]), '--jobs', '1', '--quiet'], {
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        env: { ...process.env, [RUN_CHILD_ENV]: '1', [WORK_ROOT_ENV]: root },
        // Its own process group: a terminal's Ctrl-C reaches the parent only, which stops each child
        // once (a second signal would make a child quit without releasing its run).
        detached: true,
      });
      const child: RunChild = { process: proc, stderr: '' };
      proc.stderr!.on('data', (d: Buffer) => (child.stderr = (child.stderr + d.toString()).slice(-STDERR_KEPT)));
      all.add(proc);
      const ended = new Promise((resolve) => proc.once('exit', resolve));
      removals.push(ended.then(() => (all.delete(proc), endLeftovers(root))).catch((err) => void process.emitWarning(`baileys-chaos: failed to clean up after a child process: ${(err as Error).message}`)));
      const settle = () => (proc.off('message', onReady), proc.off('exit', onEarlyExit), proc.off('error', onError));
      const onReady = (m: Answer) => 'ready' in m && (settle(), resolve(child));
      const onEarlyExit = (code: number | null, sig: NodeJS.Signals | null) => (settle(), reject(new Error(`Failed to start a child process to carry out runs: it ended (${sig ?? `exit ${code}`}) before it was ready. ${stderrTail(child)}`)));
      const onError = (err: Error) => (settle(), reject(new Error(`Failed to start a child process to carry out runs: ${err.message}`)));
      proc.on('message', onReady);
      proc.once('exit', onEarlyExit);
      proc.once('error', onError);
    });
  // Children start one at a time: each start is a burst of CPU (tsx, Baileys) that would inflate
  // the runs already under way; a run waits until its child is ready.
  let starting: Promise<unknown> = Promise.resolve();
  const start = (): Promise<RunChild> => {
    const next = starting.then(spawnReady);
    starting = next.catch(() => undefined);
    return next;
  };
  const run: RunElsewhere = async (planned, schedule, signal) => {
    const child = idle.pop() ?? (await start());
    if (signal?.aborted) {
      idle.push(child);
      throw new RunInterruptedError(String(signal.reason));
    }
    return runOn(child, planned, schedule, signal);
  };
  const runOn = (child: RunChild, planned: PlannedRun, schedule: Schedule, signal: AbortSignal | undefined) =>
    new Promise<RunReport>((resolve, reject) => {
      const p = child.process;
      // The child stops a run at its deadline itself and releases it; killed only if it cannot (its
      // event loop blocked), a grace later, so the two never race.
      const deadlineMs = runDeadlineMs(schedule) + machineTimeOnClock(KILL_GRACE_MS);
      let overdue = false;
      const deadline = setTimeout(() => ((overdue = true), p.kill('SIGKILL')), deadlineMs);
      const done = () => {
        clearTimeout(deadline);
        p.off('message', onMessage);
        p.off('exit', onExit);
        p.off('error', onError);
        signal?.removeEventListener('abort', stop);
      };
      const onMessage = (answer: Answer) => {
        if ('ready' in answer) return;
        done();
        if ('report' in answer) {
          idle.push(child);
          resolve(answer.report);
        } else reject(new RunInterruptedError(answer.interrupted));
      };
      const onExit = (code: number | null, sig: NodeJS.Signals | null) => {
        done();
        if (signal?.aborted) return reject(new RunInterruptedError(String(signal.reason)));
        if (overdue) return reject(new Error(`the child process carrying out this run gave no report within ${Math.round(deadlineMs / 1000)} s of clock time (the run's deadline and a grace to stop it) and was killed: it hung (a deadlock, or a bot blocking its event loop). Replay the run to see it alone; ${RUN_DEADLINE_ENV}=SECONDS sets the bound. ${stderrTail(child)}`));
        reject(new Error(`the child process carrying out this run ended (${sig ?? `exit ${code}`}) without its report: something in it ended the process (a module bot calling process.exit does; a command bot cannot). Replay the run to see it alone. ${stderrTail(child)}`));
      };
      const onError = (err: Error) => (done(), reject(new Error(`the child process carrying out run ${planned.scenario}:${planned.seed} failed: ${err.message}`)));
      const stop = () => p.kill('SIGTERM');
      p.on('message', onMessage);
      p.once('exit', onExit);
      p.once('error', onError);
      signal?.addEventListener('abort', stop, { once: true });
      p.send({ planned, schedule } satisfies Request);
    });
  const close = async () => {
    const exits = [...all].map((p) => new Promise<void>((resolve) => (p.exitCode !== null || p.signalCode !== null ? resolve() : p.once('exit', () => resolve()))));
    for (const p of all) if (p.connected) p.disconnect();
    const timer = setTimeout(() => all.forEach((p) => p.kill('SIGKILL')), CLOSE_GRACE_MS);
    await Promise.all(exits);
    clearTimeout(timer);
    await Promise.all(removals);
  };
  return { run, close };
}

/**
 * The child's side: carries out each run its parent sends with `execute`, one at a time, answering
 * with its report. Resolves when the parent lets it go (then the command exits without writing files),
 * or after a run was interrupted.
 */
export function serveRuns(execute: (planned: PlannedRun, schedule: Schedule) => Promise<RunReport>): Promise<void> {
  // Not for the processes this one starts (bots, client processes): they are not children of the pool.
  delete process.env[RUN_CHILD_ENV];
  // The directory its parent gave it for its runs' temp dirs: removed here too, for a parent killed outright.
  const root = process.env[WORK_ROOT_ENV];
  const served = new Promise<void>((resolve, reject) => {
    let busy = false;
    const answer = (a: Answer) => new Promise<void>((ok, fail) => process.send!(a, undefined, undefined, (err) => (err ? fail(err) : ok())));
    process.on('message', (request: Request) => {
      busy = true;
      execute(request.planned, request.schedule)
        .then(
          (report) => answer({ report }),
          (err: unknown) => (err instanceof RunInterruptedError ? answer({ interrupted: err.message }).then(resolve) : Promise.reject(err)),
        )
        .catch(reject)
        .finally(() => (busy = false));
    });
    answer({ ready: true }).catch(reject);
    // Let go while idle: done. Gone while a run is under way: release the run as a signal would.
    process.once('disconnect', () => (busy ? process.kill(process.pid, 'SIGTERM') : resolve()));
  });
  return served.finally(() => (root ? removeWorkDir(root) : undefined));
}
