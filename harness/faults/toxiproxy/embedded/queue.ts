/**
 * The bounded queue in front of each stage: Toxiproxy links its ToxicStubs with channels of a
 * small fixed capacity, so a slow reader stops the writer. Here the capacity is in bytes (what
 * memory costs); a writer checks `full` before it hands over its next item.
 */
import type { Chunk } from './toxics/index.js';

/** The end of the input (EOF): it travels through the stages like data (slow_close delays it). */
export const END = Symbol('end');
export type Item = Chunk | typeof END;

export const itemBytes = (item: Item): number => (item === END ? 0 : item.data.length);

export class ChunkQueue {
  private readonly items: Item[] = [];
  bytes = 0;

  constructor(
    /** At or above this many bytes the writer must wait. */
    readonly capacity: number,
    /** A paused source resumes only at or below this, so it does not flip on every chunk. */
    readonly lowWater = Math.floor(capacity / 4),
  ) {}

  get length(): number {
    return this.items.length;
  }

  get full(): boolean {
    return this.bytes >= this.capacity;
  }

  get drained(): boolean {
    return this.bytes <= this.lowWater;
  }

  push(item: Item): void {
    this.items.push(item);
    this.bytes += itemBytes(item);
  }

  /** Puts an item back at the head (an interrupted end of input, seen again by the restarted toxic). */
  unshift(item: Item): void {
    this.items.unshift(item);
    this.bytes += itemBytes(item);
  }

  shift(): Item | undefined {
    const item = this.items.shift();
    if (item !== undefined) this.bytes -= itemBytes(item);
    return item;
  }
}
