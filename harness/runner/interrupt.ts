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
