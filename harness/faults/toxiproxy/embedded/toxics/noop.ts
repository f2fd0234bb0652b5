import type { ToxicBehaviour } from './toxic.js';

/** Passes everything through. */
export const noop: ToxicBehaviour<Record<string, never>> = {
  defaults: {},
  onChunk: (chunk, out) => out(chunk),
};
