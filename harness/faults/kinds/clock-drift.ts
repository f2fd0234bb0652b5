import { onTheClock } from './clock.js';
import { defineKind, num } from './kind.js';

/** params: {rate}: the target's wall clock runs fast or slow (0.01 = 1 % fast) until the end of the duration. */
export const clockDrift = defineKind({
  ...onTheClock,
  name: 'clock-drift',
  parse(params, fail) {
    if (!num(params.rate) || params.rate <= -1) fail('needs params.rate, a number > -1 (0.01 = 1 % fast)');
  },
  async apply(e, { place: op }) {
    op(e.target ?? 'all', 'drift', (e.params as { rate: number }).rate);
  },
});
