/**
 * How a run gets a client under test. Every driver yields the same thing: clients identified by
 * index, each with a stream of supervisor-style events on the harness clock (black-box clients
 * report none: they are observed from the server side only).
 */
import type { EventStream } from '../event-stream.js';
import type { SupervisorEvent } from '../supervisor/supervisor.js';

export type DriverKind = 'in-process' | 'subprocess' | 'user-module' | 'black-box';

export interface DrivenClient {
  index: number;
  /** The device JID the client logs in as (known from provisioning). */
  jid: string;
  /** Where its session lives. */
  location: string;
  events: EventStream<SupervisorEvent>;
}

export interface ClientDriver {
  readonly kind: DriverKind;
  readonly clients: readonly DrivenClient[];
  start(): Promise<void>;
  /** Stops every client and releases everything it holds (processes, sockets, stores). */
  stop(): Promise<void>;
}

/** What every driver needs to reach the fake server. */
export interface Target {
  wsUrl: string;
  trustedPublicKey: Uint8Array;
}
