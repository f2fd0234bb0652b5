/**
 * A deliberately slowed supervisor, for the CI gate's test: every timer it sets (retry, watchdog)
 * fires half the maximum backoff late, as in a bot whose event loop is busy when it should
 * reconnect. Its decisions still follow the policy (the delays it records are the policy's), so
 * only the recovery times show the regression: that is what `check` must catch.
 */
import { Supervisor, type SupervisorOptions } from '../../harness/supervisor/supervisor.js';

export default class SlowedSupervisor extends Supervisor {
  constructor(opts: SupervisorOptions) {
    const lateMs = opts.config.backoff.maxDelayMs / 2;
    super({ ...opts, timers: { set: (fn, ms) => setTimeout(fn, ms + lateMs), clear: (h) => clearTimeout(h as NodeJS.Timeout) } });
  }
}
