/**
 * An append-only list of timestamped events that can be listed, subscribed to, and waited on
 * with a bounded timeout (tests wait for events, never sleep). Server, clients and the
 * supervisor each keep one.
 */
export class EventStream<E> {
  private readonly items: E[] = [];
  private readonly listeners = new Set<(e: E) => void>();

  /** `capacity`: oldest events fall off past it (bounded memory for long runs). */
  constructor(private readonly capacity = Infinity) {}

  push(event: E): E {
    this.items.push(event);
    if (this.items.length > this.capacity) this.items.splice(0, this.items.length - this.capacity);
    for (const l of [...this.listeners]) l(event);
    return event;
  }

  list(filter?: (e: E) => boolean): E[] {
    return filter ? this.items.filter(filter) : [...this.items];
  }

  subscribe(listener: (e: E) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The first event (past or future) matching `predicate`; rejects after `timeoutMs`. */
  waitFor(predicate: (e: E) => boolean, timeoutMs: number, what = 'an event', describeSeen?: () => string): Promise<E> {
    const seen = this.items.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${describeSeen ? ` (saw: ${describeSeen()})` : ''}`));
      }, timeoutMs);
      const off = this.subscribe((e) => {
        if (!predicate(e)) return;
        clearTimeout(timer);
        off();
        resolve(e);
      });
    });
  }

  clearListeners(): void {
    this.listeners.clear();
  }
}
