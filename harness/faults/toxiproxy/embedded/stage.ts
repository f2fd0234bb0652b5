/**
 * One toxic on one direction of one connection: Toxiproxy's ToxicStub. It takes items from its
 * bounded input queue one at a time, and only while its outlet has room (a full outlet is a
 * blocked channel send in Toxiproxy), so a slow reader downstream stops it, and through its own
 * filling queue everything before it.
 */
import { TOXICS, type StubContext, type ToxicBehaviour } from './toxics/index.js';
import { ChunkQueue, END, itemBytes, type Item } from './queue.js';

export interface ToxicSpec {
  name: string;
  type: string;
  stream: 'upstream' | 'downstream';
  toxicity: number;
  attributes: Record<string, number>;
}

/** Room in front of a toxic without a buffer of its own in Toxiproxy: about one socket read. */
export const STAGE_BYTES = 64 * 1024;

/** What a stage needs from its link. */
export interface StageHost {
  readonly closed: boolean;
  now(): number;
  random(): number;
  close(why: 'toxic'): void;
  /** Hands a stage's output on, to the next stage or the destination. */
  forward(from: Stage, item: Item): void;
  /** May `from` take its next item: has its outlet room? */
  canForward(from: Stage): boolean;
  /** Something drained: let waiting parts look again. */
  wake(): void;
}

export class Stage {
  readonly input: ChunkQueue;
  readonly ctx: StubContext;
  /** Removed from the proxy: a pass-through until it has drained, then dropped from the link. */
  retired = false;
  private behaviour: ToxicBehaviour<any> = TOXICS.noop!;
  private abort = new AbortController();
  private busy = false;
  /** Bytes of the item the toxic is working on (latency holds one while it waits). */
  private holding = 0;

  constructor(
    public spec: ToxicSpec,
    private readonly host: StageHost,
  ) {
    this.input = new ChunkQueue(TOXICS[spec.type]?.bufferBytes ?? STAGE_BYTES);
    this.ctx = { now: () => host.now(), random: () => host.random(), close: () => host.close('toxic'), state: {} };
    this.start();
  }

  get bufferedBytes(): number {
    return this.input.bytes + this.holding;
  }

  get idle(): boolean {
    return !this.busy && this.input.length === 0;
  }

  push(item: Item): void {
    this.input.push(item);
    this.kick();
  }

  /** Goes on if it has input, is not already working, and its outlet has room. */
  kick(): void {
    if (!this.busy && this.input.length && this.host.canForward(this)) void this.run();
  }

  private async run(): Promise<void> {
    this.busy = true;
    try {
      while (this.input.length && !this.host.closed && this.host.canForward(this)) {
        const item = this.input.shift()!;
        this.host.wake(); // our queue shrank: whoever writes into it may go on
        this.holding = itemBytes(item);
        await this.process(item);
      }
    } finally {
      this.busy = false;
      this.holding = 0;
    }
    this.host.wake(); // idle now: a retired stage can be dropped
  }

  private async process(item: Item): Promise<void> {
    const { behaviour, spec } = this;
    const signal = this.abort.signal;
    if (item !== END) return behaviour.onChunk(item, (c) => this.host.forward(this, c), spec.attributes, this.ctx, signal);
    const pass = behaviour.onEnd ? await behaviour.onEnd(spec.attributes, this.ctx, signal) : true;
    // Interrupted while holding the end: the restarted toxic sees it again (Toxiproxy's restarted
    // Pipe reads the closed channel again), so slow_close waits its new delay.
    if (signal.aborted) this.input.unshift(END);
    else if (pass) this.host.forward(this, END);
  }

  /** (Re)runs the toxic; like each ToxicStub.Run, draws whether it is active from its toxicity. */
  private start(): void {
    this.behaviour = this.host.random() < this.spec.toxicity ? TOXICS[this.spec.type]! : TOXICS.noop!;
    this.behaviour.start?.(this.spec.attributes, this.ctx);
  }

  /** Stops timers and makes the toxic let go of the item it holds (it passes it on, as in Toxiproxy). */
  private interrupt(): void {
    this.behaviour.stop?.(this.ctx);
    this.abort.abort();
    this.abort = new AbortController();
  }

  /**
   * Toxiproxy's interrupt-and-run-again: on an update of this toxic, and when a toxic is added
   * after it or its successor removed. New attributes and a new toxicity draw; state is kept.
   */
  restart(spec: ToxicSpec = this.spec): void {
    if (this.retired) return;
    this.spec = spec;
    this.interrupt();
    this.start();
  }

  /** The toxic was removed: interrupt it, run its cleanup, and pass everything through from now on. */
  retire(): void {
    if (this.retired) return;
    const old = this.behaviour;
    this.interrupt();
    old.cleanup?.(this.spec.attributes, this.ctx);
    this.behaviour = TOXICS.noop!;
    this.retired = true;
  }

  dispose(): void {
    this.behaviour.stop?.(this.ctx);
    this.abort.abort();
  }
}
