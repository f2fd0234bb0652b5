import { sleep, type ToxicBehaviour } from './toxic.js';

/**
 * Limits throughput to `rate` KB/s, releasing at most rate·100 bytes per 100 ms. As in
 * Toxiproxy, `rate: 0` stalls the connection (nothing passes while the toxic is there).
 */
export const bandwidth: ToxicBehaviour<{ rate: number }> = {
  defaults: { rate: 0 },
  async onChunk(chunk, out, attrs, ctx, signal) {
    let data = chunk.data;
    const slice = attrs.rate * 100;
    while (data.length > slice) {
      if (!(await sleep(100, signal))) return out({ ...chunk, data });
      if (slice > 0) out({ ...chunk, data: data.subarray(0, slice) });
      data = data.subarray(slice);
    }
    const wait = attrs.rate > 0 ? data.length / attrs.rate : 0;
    await sleep(wait, signal);
    out({ ...chunk, data });
  },
};
