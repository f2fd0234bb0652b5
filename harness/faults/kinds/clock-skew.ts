import { onTheClock, parseMs } from './clock.js';
import { defineKind } from './kind.js';

/** params: {ms}: the target's wall clock runs ms off until the end of the duration. */
export const clockSkew = defineKind({
  ...onTheClock,
  name: 'clock-skew',
  parse: parseMs,
  async apply(e, { place: op }) {
    op(e.target ?? 'all', 'skew', (e.params as { ms: number }).ms);
  },
});
