/**
 * One direction of one proxied connection: chunks from `source` pass through a chain of stages,
 * one per toxic of that direction, then go to `dest`. Toxics can be added, updated and removed
 * while data flows; a removed toxic's stage turns into a pass-through so order is kept.
 */
import type { Socket } from 'node:net';
import { TOXICS, type Chunk, type StubContext, type ToxicBehaviour } from './toxics/index.js';

export interface ToxicSpec {
  name: string;
  type: string;
  stream: 'upstream' | 'downstream';
  toxicity: number;
  attributes: Record<string, number>;
}

const END = Symbol('end');
type Item = Chunk | typeof END;

class Stage {
  readonly queue: Item[] = [];
  busy = false;
  behaviour: ToxicBehaviour<any>;
  abort = new AbortController();
  readonly ctx: StubContext;

  constructor(
    readonly spec: ToxicSpec,
    active: boolean,
    private readonly link: Link,
  ) {
    this.behaviour = active ? TOXICS[spec.type]! : TOXICS.noop!;
    this.ctx = { now: link.now, random: link.random, close: () => link.close('toxic'), state: {} };
    this.behaviour.start?.(spec.attributes, this.ctx);
  }

  push(item: Item): void {
    this.queue.push(item);
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.queue.length && !this.link.closed) {
        const item = this.queue.shift()!;
        const out = (c: Chunk) => this.link.forward(this, c);
        if (item === END) {
          const pass = this.behaviour.onEnd ? await this.behaviour.onEnd(this.spec.attributes, this.ctx, this.abort.signal) : true;
          if (pass) this.link.forward(this, END);
        } else await this.behaviour.onChunk(item, out, this.spec.attributes, this.ctx, this.abort.signal);
      }
    } finally {
      this.busy = false;
    }
  }

  /** The toxic was removed: run its cleanup, interrupt it, and pass everything through from now on. */
  retire(): void {
    this.behaviour.stop?.(this.ctx);
    this.behaviour.cleanup?.(this.spec.attributes, this.ctx);
    this.behaviour = TOXICS.noop!;
    this.abort.abort();
    this.abort = new AbortController();
  }

  dispose(): void {
    this.behaviour.stop?.(this.ctx);
    this.abort.abort();
  }
}

export class Link {
  private stages: Stage[] = [];
  closed = false;
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
    this.stages = toxics.map((t) => this.newStage(t));
    source.on('data', (data: Buffer) => this.enter({ data, t: this.now() }));
    source.on('end', () => this.enter(END));
  }

  private newStage(spec: ToxicSpec): Stage {
    return new Stage(spec, this.random() < spec.toxicity, this);
  }

  private enter(item: Item): void {
    if (this.closed) return;
    const first = this.stages[0];
    if (first) first.push(item);
    else this.deliver(item);
  }

  /** Called by a stage with its output: hands it to the next stage, or to the destination. */
  forward(from: Stage, item: Item): void {
    if (this.closed) return;
    const next = this.stages[this.stages.indexOf(from) + 1];
    if (next) next.push(item);
    else this.deliver(item);
  }

  private deliver(item: Item): void {
    if (item === END) this.dest.end();
    else if (!this.dest.destroyed) this.dest.write(item.data);
  }

  addToxic(spec: ToxicSpec): void {
    this.stages.push(this.newStage(spec));
  }

  updateToxic(spec: ToxicSpec): void {
    const stage = this.stages.find((s) => s.spec.name === spec.name);
    if (stage) Object.assign(stage.spec.attributes, spec.attributes);
  }

  removeToxic(name: string): void {
    const stage = this.stages.find((s) => s.spec.name === name);
    if (!stage) return;
    stage.retire();
    // An idle pass-through stage can go at once; a busy one drains into its successor first.
    if (!stage.busy && stage.queue.length === 0) this.stages = this.stages.filter((s) => s !== stage);
  }

  dispose(): void {
    this.closed = true;
    for (const s of this.stages) s.dispose();
  }
}
