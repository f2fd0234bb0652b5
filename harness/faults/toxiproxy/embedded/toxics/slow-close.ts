import { sleep, type ToxicBehaviour } from './toxic.js';

/** Delays the connection's close by `delay` ms after its input ended. */
export const slowClose: ToxicBehaviour<{ delay: number }> = {
  defaults: { delay: 0 },
  onChunk: (chunk, out) => out(chunk),
  async onEnd(attrs, ctx, signal) {
    await sleep(attrs.delay, signal);
    return true;
  },
};
