import { onTheClock, parseMs } from './clock.js';
import { defineKind } from './kind.js';

/** params: {ms}: the target's wall clock steps by ms (and back at the end of a duration). */
export const clockJump = defineKind({
  ...onTheClock,
  name: 'clock-jump',
  parse: parseMs,
  async apply(e, { place: op }) {
    op(e.target ?? 'all', 'jump', (e.params as { ms: number }).ms);
  },
  async clear(e, { place: op }) {
    op(e.target ?? 'all', 'jump', -(e.params as { ms: number }).ms);
  },
});
