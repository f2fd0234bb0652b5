import { sleep, type ToxicBehaviour } from './toxic.js';

/** Delays each chunk to `latency ± jitter` ms after it arrived (pipelined: delays do not add up). */
export const latency: ToxicBehaviour<{ latency: number; jitter: number }> = {
  defaults: { latency: 0, jitter: 0 },
  // Delays overlap, so it holds what arrives within one delay: room for that (Toxiproxy gives it 1024 chunks).
  bufferBytes: 1024 * 1024,
  async onChunk(chunk, out, attrs, ctx, signal) {
    const jitter = attrs.jitter > 0 ? Math.floor(ctx.random() * attrs.jitter * 2) - attrs.jitter : 0;
    await sleep(chunk.t + attrs.latency + jitter - ctx.now(), signal);
    out(chunk); // on removal too: never drop data
  },
};
