/**
 * What the server observed, as plain data: every connection's life with monotonic timestamps.
 * Available in-process (subscribe / list) and over the control API (GET /events).
 */
import type { Clock } from '../core/clock.js';
import { EventStream } from '../core/event-stream.js';

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
  | 'closed'
  // Chat messages (messaging/): jid is the bot device's.
  | 'message-queued'
  | 'message-sent'
  | 'message-receipted'
  | 'message-decrypt-failed'
  | 'message-answered'
  | 'message-undecryptable'
  | 'message-retry-requested'
  | 'message-acked'
  | 'message-key-reused'
  | 'offline-marker';

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
  /**
   * The client label from the connection URL's `chaos-client` query parameter, when the client
   * was given one: attributes every connection, even one that fails before login, to its client.
   */
  client?: string;
  detail?: Record<string, unknown>;
}

/** Bounded, in-memory event log; old events fall off past `capacity`. */
export class EventLog {
  private readonly stream: EventStream<ServerEvent>;
  private seq = 0;

  constructor(
    private readonly clock: Clock,
    capacity = 100_000,
  ) {
    this.stream = new EventStream(capacity);
  }

  record(type: ServerEventType, conn: number | null, extra: { jid?: string; client?: string; detail?: Record<string, unknown> } = {}): ServerEvent {
    return this.stream.push({ t: this.clock.now(), seq: ++this.seq, type, conn, ...extra });
  }

  list(filter: { since?: number; conn?: number; type?: ServerEventType } = {}): ServerEvent[] {
    return this.stream.list(
      (e) =>
        (filter.since === undefined || e.seq > filter.since) &&
        (filter.conn === undefined || e.conn === filter.conn) &&
        (filter.type === undefined || e.type === filter.type),
    );
  }

  subscribe(listener: (e: ServerEvent) => void): () => void {
    return this.stream.subscribe(listener);
  }

  /** Resolves with the first event (past or future) matching `predicate`, or rejects after `timeoutMs`. */
  waitFor(predicate: (e: ServerEvent) => boolean, timeoutMs: number, what = 'server event'): Promise<ServerEvent> {
    return this.stream.waitFor(predicate, timeoutMs, what);
  }
}
