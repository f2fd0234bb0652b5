/**
 * N supervised clients in the harness process: the fast driver, for herds and properties.
 */
import { join } from 'node:path';
import type { FakeWhatsAppServer } from '../../fake-server/server.js';
import { provisionDevice } from '../../fake-server/provision.js';
import { loadBaileys, trustTestRoot } from '../baileys/versions.js';
import type { Clock } from '../clock.js';
import { Rng } from '../random.js';
import { openSessionStore } from '../session/index.js';
import type { SupervisorConfig } from '../supervisor/config.js';
import { Supervisor } from '../supervisor/supervisor.js';
import type { ClientDriver, DrivenClient } from './driver.js';

export interface InProcessOptions {
  server: FakeWhatsAppServer;
  version: string;
  count: number;
  config: SupervisorConfig;
  storeKind: 'file' | 'sqlite';
  /** Directory under which each client's session lives. */
  workDir: string;
  clock: Clock;
  /** Seed for the clients' jitter; client i uses rng seed `seed + i`. */
  seed: number;
}

export class InProcessDriver implements ClientDriver {
  readonly kind = 'in-process';
  clients: (DrivenClient & { supervisor: Supervisor })[] = [];

  constructor(private readonly opts: InProcessOptions) {}

  async start(): Promise<void> {
    const { server, version, count, config, storeKind, workDir, clock, seed } = this.opts;
    const baileys = await loadBaileys(version);
    trustTestRoot(baileys, server.trustedPublicKey);
    for (let i = 0; i < count; i++) {
      const location = join(workDir, storeKind === 'sqlite' ? `client-${i}.db` : `client-${i}`);
      const store = openSessionStore({ type: storeKind, path: location });
      const { jid } = await provisionDevice(server, { store, baileysVersion: version });
      const supervisor = new Supervisor({ baileys, store, config, clock, rng: new Rng(seed + i), socketConfig: { waWebSocketUrl: server.wsUrl } });
      this.clients.push({ index: i, jid, location, events: supervisor.events, supervisor });
    }
    await Promise.all(this.clients.map((c) => c.supervisor.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.supervisor.stop()));
  }
}
