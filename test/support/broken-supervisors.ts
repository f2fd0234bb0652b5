/** Deliberately broken supervisors: the harness must catch each with the right invariant. */
import type { CloseAction } from '../../harness/supervisor/close-policy.js';
import { Supervisor } from '../../harness/supervisor/supervisor.js';

/** Reconnects without any backoff (the Baileys README loop). */
export class NoBackoffSupervisor extends Supervisor {
  protected override backoffDelay(): number {
    return 0;
  }
}

/** Treats 401 like any other close and retries: the "after 401, no QR ever appears" loop. */
export class LoopsAfter401Supervisor extends Supervisor {
  protected override classify(code: number | undefined): CloseAction {
    return code === 401 ? 'backoff' : super.classify(code);
  }
}

/** Treats 440 (replaced by another instance) as transient and fights back: the ping-pong storm. */
export class FightsConflictSupervisor extends Supervisor {
  protected override classify(code: number | undefined): CloseAction {
    return code === 440 ? 'backoff' : super.classify(code);
  }
}
