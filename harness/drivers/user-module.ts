/**
 * Your own reconnect code under test: `--client ./my-connector.ts` names a module whose default
 * export is a Connector. It receives the Baileys module of the version under test (already
 * trusting the fake server), the server's URL and a provisioned session directory, and returns
 * a handle to stop it. What it does in between is yours; the server observes it, and it may
 * `report` its own events.
 */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { join } from 'node:path';
import type { FakeWhatsAppServer } from '../../fake-server/server.js';
import { provisionDevice } from '../../fake-server/provision.js';
import { loadBaileys, trustTestRoot, type BaileysModule } from '../baileys/versions.js';
import type { Clock } from '../clock.js';
import { EventStream } from '../event-stream.js';
import type { SupervisorEvent } from '../supervisor/supervisor.js';
import type { ClientDriver, DrivenClient } from './driver.js';

export interface ConnectorContext {
  /** The Baileys module of the version under test: call its makeWASocket (default export). */
  baileys: BaileysModule;
  /** Pass as `waWebSocketUrl` in the socket config. */
  wsUrl: string;
  /** A provisioned session in Baileys' multi-file format (useMultiFileAuthState). */
  authDir: string;
  /** Optional: report what your code decided, e.g. report({type: 'close', code: 408}). */
  report(event: { type: SupervisorEvent['type'] } & Record<string, unknown>): void;
}

export interface ConnectorHandle {
  stop(): void | Promise<void>;
}

/** The one function a user module exports (as default, or as `connect`). */
export type Connector = (ctx: ConnectorContext) => ConnectorHandle | Promise<ConnectorHandle>;

export class UserModuleError extends Error {
  override name = 'UserModuleError';
}

export async function loadConnector(path: string): Promise<Connector> {
  let mod: { default?: unknown; connect?: unknown };
  try {
    mod = await import(pathToFileURL(resolve(path)).href);
  } catch (err) {
    throw new UserModuleError(`Failed to load the client module ${path}: ${(err as Error).message}`);
  }
  const fn = typeof mod.default === 'function' ? mod.default : mod.connect;
  if (typeof fn !== 'function') throw new UserModuleError(`Failed to use the client module ${path}: it must export a function (default export or "connect") taking {baileys, wsUrl, authDir, report}. See README "Testing your own reconnect code".`);
  return fn as Connector;
}

export interface UserModuleOptions {
  server: FakeWhatsAppServer;
  version: string;
  modulePath: string;
  count: number;
  workDir: string;
  clock: Clock;
}

export class UserModuleDriver implements ClientDriver {
  readonly kind = 'user-module';
  clients: DrivenClient[] = [];
  private handles: ConnectorHandle[] = [];

  constructor(private readonly opts: UserModuleOptions) {}

  async start(): Promise<void> {
    const { server, version, count, workDir, clock } = this.opts;
    const connector = await loadConnector(this.opts.modulePath);
    const baileys = await loadBaileys(version);
    trustTestRoot(baileys, server.trustedPublicKey);
    for (let i = 0; i < count; i++) {
      const authDir = join(workDir, `client-${i}`);
      const { jid } = await provisionDevice(server, { authDir, baileysVersion: version });
      const events = new EventStream<SupervisorEvent>();
      this.clients.push({ index: i, jid, location: authDir, events });
      const report = (e: { type: SupervisorEvent['type'] } & Record<string, unknown>) => events.push({ ...e, t: clock.now() } as SupervisorEvent);
      this.handles.push(await connector({ baileys, wsUrl: server.wsUrl, authDir, report }));
    }
  }

  async stop(): Promise<void> {
    for (const h of this.handles) await h.stop();
    this.handles = [];
  }
}
