/**
 * N supervised clients in the harness process: the fast driver, for herds and properties.
 */
import { provisionDevice } from '../provision.js';
import { loadBaileys, trustTestRoot } from '../baileys/versions.js';
import type { Clock } from '../../core/clock.js';
import { Rng } from '../../core/random.js';
import { openSessionStore } from '../session/index.js';
import { Supervisor } from '../supervisor/supervisor.js';
import { sessionPath, type ClientDriver, type DrivenClient, type SupervisedDriverOptions } from './driver.js';

export interface InProcessOptions extends SupervisedDriverOptions {
  clock: Clock;
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
      const location = sessionPath(workDir, storeKind, i);
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
