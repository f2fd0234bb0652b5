/**
 * One direction of one proxied connection: chunks from `source` pass through a chain of stages,
 * one per toxic of that direction, then go to `dest`. Toxics can be added, updated and removed
 * while data flows; a removed toxic's stage turns into a pass-through until it has drained.
 *
 * Backpressure, as Toxiproxy's bounded channels give it: a stage goes on only while its outlet
 * has room (the next stage's queue is not full, or `dest` does not need a drain); when the first
 * outlet is full the source socket is paused, and resumed once that outlet has drained. So the
 * bytes held per connection stay bounded when the receiving peer does not read: the sender's
 * kernel buffers fill and then its own socket buffers, as with the real server.
 */
import type { Socket } from 'node:net';
import { END, type Item } from './queue.js';
import { Stage, type StageHost, type ToxicSpec } from './stage.js';

export type { ToxicSpec } from './stage.js';

export class Link implements StageHost {
  private stages: Stage[];
  closed = false;
  /** The source is paused because the first outlet was full. */
  private throttled = false;
  private wakeQueued = false;
  /** Set when a reset_peer toxic existed as the connection started: closes become RSTs. */
  readonly resetOnClose: boolean;

  constructor(
    readonly source: Socket,
    readonly dest: Socket,
    toxics: ToxicSpec[],
    readonly now: () => number,
    readonly random: () => number,
    readonly close: (why: 'toxic' | 'end') => void,
    resetOnClose: boolean,
  ) {
    this.resetOnClose = resetOnClose;
    this.stages = toxics.map((t) => new Stage(t, this));
    source.on('data', (data: Buffer) => this.enter({ data, t: this.now() }));
    source.on('end', () => this.enter(END));
    dest.on('drain', () => this.wake());
  }

  /** Bytes this direction holds: stage queues, the items toxics work on, and `dest`'s write buffer. */
  get bufferedBytes(): number {
    return this.stages.reduce((n, s) => n + s.bufferedBytes, 0) + this.dest.writableLength;
  }

  private enter(item: Item): void {
    if (this.closed) return;
    this.put(this.stages[0], item);
    if (!this.throttled && !this.outletHasRoom(this.stages[0])) {
      this.throttled = true;
      this.source.pause();
    }
  }

  canForward(from: Stage): boolean {
    return this.outletHasRoom(this.after(from));
  }

  forward(from: Stage, item: Item): void {
    if (!this.closed) this.put(this.after(from), item);
  }

  /** `next` is the stage an output goes to; none means `dest`. */
  private outletHasRoom(next: Stage | undefined): boolean {
    return next ? !next.input.full : !this.dest.writableNeedDrain;
  }

  private after(from: Stage): Stage | undefined {
    return this.stages[this.stages.indexOf(from) + 1];
  }

  private put(next: Stage | undefined, item: Item): void {
    if (next) next.push(item);
    else if (this.dest.destroyed) return;
    else if (item === END) this.dest.end();
    else this.dest.write(item.data); // a false return shows as writableNeedDrain until 'drain'
  }

  /** Coalesces the wake-ups of one tick into one look at the whole chain. */
  wake(): void {
    if (this.wakeQueued || this.closed) return;
    this.wakeQueued = true;
    queueMicrotask(() => {
      this.wakeQueued = false;
      this.settle();
    });
  }

  /** Drops drained retired stages, lets every stage that can go on go on, resumes a drained source. */
  private settle(): void {
    if (this.closed) return;
    this.stages = this.stages.filter((s) => !(s.retired && s.idle));
    for (const s of this.stages) s.kick();
    const first = this.stages[0];
    const drained = first ? first.input.drained : !this.dest.writableNeedDrain;
    if (this.throttled && drained) {
      this.throttled = false;
      this.source.resume();
    }
  }

  private live(): Stage[] {
    return this.stages.filter((s) => !s.retired);
  }

  addToxic(spec: ToxicSpec): void {
    const before = this.live().at(-1);
    this.stages.push(new Stage(spec, this));
    before?.restart(); // Toxiproxy interrupts and re-runs the stub before the new one to rewire it
    this.wake();
  }

  updateToxic(spec: ToxicSpec): void {
    this.live()
      .find((s) => s.spec.name === spec.name)
      ?.restart(spec);
    this.wake();
  }

  removeToxic(name: string): void {
    const live = this.live();
    const i = live.findIndex((s) => s.spec.name === name);
    if (i < 0) return;
    live[i]!.retire();
    live[i - 1]?.restart(); // Toxiproxy re-runs the stub before the removed one, as it rewires it
    this.wake();
  }

  dispose(): void {
    this.closed = true;
    for (const s of this.stages) s.dispose();
  }
}
