import type { StubContext, ToxicBehaviour } from './toxic.js';

/**
 * Blackhole: drops all data. With `timeout` > 0 it closes the connection once `timeout` ms pass
 * with no data (each chunk restarts the wait, as Toxiproxy's select loop does); with 0 it never
 * closes. Removing it closes its connections (Toxiproxy's Cleanup).
 */
export const timeout: ToxicBehaviour<{ timeout: number }> = {
  defaults: { timeout: 0 },
  start(attrs, ctx) {
    arm(attrs.timeout, ctx);
  },
  onChunk(_chunk, _out, attrs, ctx) {
    arm(attrs.timeout, ctx); // the data is dropped on the floor
  },
  onEnd(_attrs, ctx) {
    ctx.close();
    return false;
  },
  cleanup(_attrs, ctx) {
    ctx.close();
  },
  stop(ctx) {
    clearTimeout(timers.get(ctx));
    timers.delete(ctx);
  },
};

const timers = new WeakMap<StubContext, NodeJS.Timeout>();
function arm(ms: number, ctx: StubContext) {
  clearTimeout(timers.get(ctx));
  if (ms > 0) timers.set(ctx, setTimeout(() => ctx.close(), ms));
}
