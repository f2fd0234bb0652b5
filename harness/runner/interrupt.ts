/**
 * Ctrl-C and `kill` during a plan: the first SIGINT or SIGTERM aborts the plan (the run in
 * progress releases everything it holds; the finished runs are reported, exit 130); a second one
 * quits at once, as a user pressing Ctrl-C twice expects.
 */
import { setMaxListeners } from 'node:events';
import { EXIT } from '../report/exit-code.js';

export interface Interruption {
  signal: AbortSignal;
  /** Stops listening (the plan is over). */
  dispose(): void;
}

export function stopOnSignals(log: (line: string) => void): Interruption {
  const controller = new AbortController();
  // Every run under way listens (--jobs 16 is 16 at once): past Node's 10 that is not a leak.
  setMaxListeners(0, controller.signal);
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      log(`baileys-chaos: ${name} again: quitting now; the run in progress may leave files or processes behind (exit ${EXIT.interrupted}).`);
      process.exit(EXIT.interrupted);
    }
    log(`baileys-chaos: ${name}: stopping. Releasing the run in progress, then writing the report of the finished runs (exit ${EXIT.interrupted}). ${name} again quits at once.`);
    controller.abort(name);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

export interface Abandonment {
  /** Aborted when this vitest worker is told to stop or loses vitest's main process mid-test. */
  signal: AbortSignal;
  /** The test is over (its runs released what they held): stop listening; an orphaned worker ends here. */
  dispose(): void;
}

/** Tests under way in this worker, and what happened to it. */
const underWay = new Set<AbortController>();
let stopping: string | undefined;
let orphaned = false;

// A worker whose main process is gone has no one to report to (vitest 2.1 leaves such a fork
// running, busy): once its tests have released what they held, it ends.
const end = (): void => void process.kill(process.pid, 'SIGKILL');
const onStopSignal = (name: NodeJS.Signals): void => {
  stopping = name;
  for (const c of underWay) c.abort(name);
};
const onDisconnect = (): void => {
  orphaned = true;
  stopping ??= "vitest's main process is gone";
  if (!underWay.size) return end();
  for (const c of underWay) c.abort(stopping);
};

/**
 * A vitest worker running scenarios (scenarioSuite): SIGINT (a terminal's Ctrl-C reaches the whole
 * group), SIGTERM, or its IPC channel closing (vitest's main process gone: Ctrl-C, or the outer test
 * that started this vitest under the warp stopped it) aborts what the tests under way run, so they
 * release what they hold and fail as interrupted; later tests fail at once. Listening only while a
 * test is under way (or once told to stop), so vitest's own handling is untouched otherwise.
 */
export function abandonedWorker(): Abandonment {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  if (stopping) controller.abort(stopping);
  const listen = (event: string, fn: (...args: never[]) => void) => process.listeners(event as 'disconnect').includes(fn) || process.on(event as 'disconnect', fn);
  listen('SIGINT', onStopSignal);
  listen('SIGTERM', onStopSignal);
  listen('disconnect', onDisconnect);
  underWay.add(controller);
  return {
    signal: controller.signal,
    dispose() {
      underWay.delete(controller);
      if (underWay.size) return;
      if (orphaned) return end();
      process.off('SIGINT', onStopSignal);
      process.off('SIGTERM', onStopSignal);
      // Told to stop: the main process is likely going too; end with it then.
      if (!stopping) process.off('disconnect', onDisconnect);
    },
  };
}
