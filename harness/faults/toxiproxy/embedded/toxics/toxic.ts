/**
 * One toxic = one small object with one job, as in Toxiproxy's toxics/*.go. A toxic sees the
 * chunks of one direction of one connection, in order, one at a time, and passes them on (or
 * not) through `out`. `signal` aborts the current chunk when the toxic is removed; a toxic must
 * then pass on what it holds (data is never dropped by removal, except where Toxiproxy drops it).
 */
export interface Chunk {
  data: Buffer;
  /** Arrival time at the proxy, ms on the proxy's monotonic clock. */
  t: number;
}

export interface StubContext {
  /** Monotonic ms. */
  now(): number;
  /** A number in [0, 1), from the proxy's seeded RNG. */
  random(): number;
  /** Ends the whole connection (both directions): what Toxiproxy's stub.Close() amounts to. */
  close(): void;
  /** Per-connection state of this toxic (limit_data counts bytes here). */
  state: Record<string, number>;
}

export interface ToxicBehaviour<A> {
  /** Attribute names and their defaults: what the API shows for this type. */
  defaults: A;
  /** Bytes that may wait in front of it (Toxiproxy's GetBufferSize); a small default when unset. */
  bufferBytes?: number;
  /** Called when the toxic starts on a connection (after it was added, or when the connection starts). */
  start?(attrs: A, ctx: StubContext): void;
  onChunk(chunk: Chunk, out: (c: Chunk) => void, attrs: A, ctx: StubContext, signal: AbortSignal): Promise<void> | void;
  /** Input ended (EOF). Default: pass the end on. Return false to hold it (the toxic closes later). */
  onEnd?(attrs: A, ctx: StubContext, signal: AbortSignal): Promise<boolean> | boolean;
  /** The toxic was removed from a live connection. */
  cleanup?(attrs: A, ctx: StubContext): void;
  /** Stop timers started in `start`. */
  stop?(ctx: StubContext): void;
}

/** Sleeps `ms`; resolves false early if `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
