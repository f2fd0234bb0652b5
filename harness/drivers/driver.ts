/**
 * Drivers of the reference supervisor for tests that use it directly (no scenario): N clients in
 * this process or one process each, each with its event stream on the harness clock. Scenarios
 * run every kind of bot through one seam instead: harness/bots/.
 */
import { join } from 'node:path';
import type { FakeWhatsAppServer } from '../../fake-server/server.js';
import type { EventStream } from '../../core/event-stream.js';
import type { SupervisorConfig } from '../supervisor/config.js';
import type { SupervisorEvent } from '../supervisor/supervisor.js';

export type DriverKind = 'in-process' | 'subprocess';

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

/** What the drivers that run supervised clients share. */
export interface SupervisedDriverOptions {
  server: FakeWhatsAppServer;
  version: string;
  count: number;
  config: SupervisorConfig;
  storeKind: 'file' | 'sqlite';
  /** Directory under which each client's session lives. */
  workDir: string;
  /** Seed for the clients' jitter; client i uses rng seed `seed + i`. */
  seed: number;
}

/** Where client `i`'s session lives. */
export function sessionPath(workDir: string, storeKind: 'file' | 'sqlite', i: number): string {
  return join(workDir, storeKind === 'sqlite' ? `client-${i}.db` : `client-${i}`);
}
