import { sleep, type Chunk, type ToxicBehaviour } from './toxic.js';

/** Slices each chunk into pieces of about `average_size` (± `size_variation`) bytes, `delay` µs apart. */
export const slicer: ToxicBehaviour<{ average_size: number; size_variation: number; delay: number }> = {
  defaults: { average_size: 0, size_variation: 0, delay: 0 },
  async onChunk(chunk, out, attrs, ctx, signal) {
    const cuts = cut(0, chunk.data.length, attrs, ctx.random);
    for (let i = 1; i < cuts.length; i += 2) {
      out(piece(chunk, cuts[i - 1]!, cuts[i]!));
      if (i + 1 < cuts.length && !(await sleep(attrs.delay / 1000, signal))) return out(piece(chunk, cuts[i]!, chunk.data.length));
    }
  },
};

const piece = (c: Chunk, from: number, to: number): Chunk => ({ t: c.t, data: c.data.subarray(from, to) });

/** Recursive halving with random variation, as Toxiproxy's slicer does: [start, end, start, end, ...]. */
function cut(start: number, end: number, a: { average_size: number; size_variation: number }, random: () => number): number[] {
  if (end - start - a.average_size <= a.size_variation) return [start, end];
  let mid = start + Math.floor((end - start) / 2);
  if (a.size_variation > 0) mid += Math.floor(random() * a.size_variation * 2) - a.size_variation;
  return [...cut(start, mid, a, random), ...cut(mid, end, a, random)];
}
