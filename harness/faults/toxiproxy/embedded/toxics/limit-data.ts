import type { ToxicBehaviour } from './toxic.js';

/** Passes `bytes` bytes in total on this connection's direction, then closes the connection. */
export const limitData: ToxicBehaviour<{ bytes: number }> = {
  defaults: { bytes: 0 },
  onChunk(chunk, out, attrs, ctx) {
    const sent = ctx.state.sent ?? 0;
    const remaining = Math.max(0, attrs.bytes - sent);
    const data = chunk.data.subarray(0, remaining);
    if (data.length) {
      out({ ...chunk, data });
      ctx.state.sent = sent + data.length;
    }
    if (attrs.bytes - (ctx.state.sent ?? 0) <= 0) ctx.close();
  },
};
