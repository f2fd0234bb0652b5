/** Deliberately broken supervisors: the harness must catch each with the right invariant. */
import { Supervisor } from '../../harness/supervisor/supervisor.js';

/** Reconnects without any backoff (the Baileys README loop). */
export class NoBackoffSupervisor extends Supervisor {
  protected override backoffDelay(): number {
    return 0;
  }
}
