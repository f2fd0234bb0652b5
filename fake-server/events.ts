/**
 * What the server observed, as plain data: every connection's life with monotonic timestamps.
 * Available in-process (subscribe / list) and over the control API (GET /events).
 */
import { EventEmitter } from 'node:events';
import type { Clock } from '../harness/clock.js';

export type ServerEventType =
  | 'tcp-accepted'
  | 'upgrade-rejected'
  | 'ws-open'
  | 'handshake-done'
  | 'registration'
  | 'login'
  | 'login-refused'
  | 'pair-device-sent'
  | 'qr-scanned'
  | 'paired'
  | 'success-sent'
  | 'success-withheld'
  | 'open'
  | 'ping'
  | 'iq'
  | 'stanza'
  | 'protocol-error'
  | 'fault-applied'
  | 'fault-cleared'
  | 'closed';

export interface ServerEvent {
  /** Monotonic milliseconds on the server's clock. */
  t: number;
  /** Sequence number, unique per server. */
  seq: number;
  type: ServerEventType;
  /** Connection id, or null for server-wide events. */
  conn: number | null;
  /** The device's JID once known (login, pairing). */
  jid?: string;
  detail?: Record<string, unknown>;
}

/** Bounded, in-memory event log; old events fall off past `capacity`. */
export class EventLog {
  private readonly events: ServerEvent[] = [];
  private readonly emitter = new EventEmitter();
  private seq = 0;

  constructor(
    private readonly clock: Clock,
    private readonly capacity = 100_000,
  ) {
    this.emitter.setMaxListeners(0);
  }

  record(type: ServerEventType, conn: number | null, extra: { jid?: string; detail?: Record<string, unknown> } = {}): ServerEvent {
    const event: ServerEvent = { t: this.clock.now(), seq: ++this.seq, type, conn, ...extra };
    this.events.push(event);
    if (this.events.length > this.capacity) this.events.splice(0, this.events.length - this.capacity);
    this.emitter.emit('event', event);
    return event;
  }

  list(filter: { since?: number; conn?: number; type?: ServerEventType } = {}): ServerEvent[] {
    return this.events.filter(
      (e) =>
        (filter.since === undefined || e.seq > filter.since) &&
        (filter.conn === undefined || e.conn === filter.conn) &&
        (filter.type === undefined || e.type === filter.type),
    );
  }

  subscribe(listener: (e: ServerEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  /** Resolves with the first event (past or future) matching `predicate`, or rejects after `timeoutMs`. */
  waitFor(predicate: (e: ServerEvent) => boolean, timeoutMs: number, what = 'server event'): Promise<ServerEvent> {
    const seen = this.events.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const off = this.subscribe((e) => {
        if (predicate(e)) {
          clearTimeout(timer);
          off();
          resolve(e);
        }
      });
    });
  }
}
