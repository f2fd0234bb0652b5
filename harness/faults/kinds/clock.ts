/** What the three clock faults (clock-jump, clock-skew, clock-drift) share. */
import { num, targetsOne, type FaultKindModule } from './kind.js';

export const onTheClock: Pick<FaultKindModule<string, 'clock'>, 'place' | 'exclusive' | 'needsOwnProcess' | 'unreachable' | 'clear'> = {
  place: 'clock',
  // In-process clients share the harness's Date: one client's clock alone is reached only when
  // each client runs in its own process, with its own shim.
  needsOwnProcess: (e, clients) => targetsOne(e) && clients > 1,
  // One clock fault per client's clock at a time: a second would stack on the first.
  exclusive: (e) => `clock:${String(e.target ?? 'all')}`,
  unreachable(e, reach) {
    if (!reach.clockFaults) return "a clock fault cannot reach this bot's own clock (its processes take no clock shim). Leave clock scenarios out.";
    if (targetsOne(e) && reach.where === 'in-process' && reach.clients > 1) return `in-process clients share the harness's clock, so a clock fault cannot reach client ${e.target} alone.`;
    return undefined;
  },
  async clear(e, { place: op }) {
    op(e.target ?? 'all', 'reset');
  },
};

export function parseMs(params: Record<string, unknown>, fail: (why: string) => never): void {
  if (!num(params.ms)) fail(`needs params.ms, a number of milliseconds`);
}
