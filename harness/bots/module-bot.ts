/**
 * A user's module as the bot: its `connect(ctx)` (default export or named `connect`) runs the
 * user's own Baileys code in the harness process, given the Baileys module of the version under
 * test (already trusting the server), the client's socket URL and a provisioned session directory.
 * It returns a handle to stop it; what it does in between is judged from the server's record.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BaileysModule } from '../baileys/versions.js';
import { EventStream } from '../../core/event-stream.js';
import { BotSetupError, saidStopped, type Bot, type BotReport } from './bot.js';
import { importUserModule } from '../load-user-module.js';
import { trackSockets, type SocketTracker } from './socket-tracker.js';
import { quietIn } from './next-write.js';
import { machineTimeOnClock } from '../time/warp.js';

export interface ConnectorContext {
  /** The Baileys module of the version under test: call its makeWASocket (default export). */
  baileys: BaileysModule;
  /** The version under test, e.g. "7.0.0-rc14". */
  version: string;
  /** Pass as `waWebSocketUrl` in the socket config (it labels this client's connections). */
  wsUrl: string;
  /** A provisioned session in Baileys' multi-file format (useMultiFileAuthState). */
  authDir: string;
  /** Which client of the run this is (several run at once in herd scenarios). */
  index: number;
  /** Optional: say what your code decided, e.g. report({type: 'close', code: 408}); shown beside the evidence, never judged. */
  report(event: { type: string } & Record<string, unknown>): void;
}

export interface ConnectorHandle {
  stop(): void | Promise<void>;
}

/** The one function a bot module exports (as default, or as `connect`). */
export type Connector = (ctx: ConnectorContext) => ConnectorHandle | Promise<ConnectorHandle>;

export async function loadConnector(path: string): Promise<Connector> {
  let mod: { default?: unknown; connect?: unknown };
  try {
    mod = await importUserModule(path);
  } catch (err) {
    throw new BotSetupError(`Failed to load the bot module ${path}: ${(err as Error).message.split('\n')[0]}`);
  }
  const fn = typeof mod.default === 'function' ? mod.default : mod.connect;
  if (typeof fn !== 'function') throw new BotSetupError(`Failed to use the bot module ${path}: it must export a function (default export or "connect") taking {baileys, wsUrl, authDir, report} and returning {stop()}. See README "Your bot under test".`);
  return fn as Connector;
}

export function moduleBot(path: string, connector?: Connector): Bot {
  let fn = connector;
  return {
    label: `module ${path}`,
    flags: [`--bot ${path}`],
    where: 'in-process',
    store: 'file',
    declaresPolicy: false,
    clockFaults: true,
    killable: false,
    async prepare() {
      fn ??= await loadConnector(path);
    },
    async client(ctx) {
      fn ??= await loadConnector(path);
      const connect = fn;
      const events = new EventStream<BotReport>();
      let handle: ConnectorHandle | undefined;
      let failure: string | undefined;
      // Every socket the bot's makeWASocket made, ended when the client stops (see socket-tracker.ts).
      let sockets: SocketTracker | undefined;
      let stopping: Promise<void> | undefined;
      const stopBot = async (h: ConnectorHandle | undefined) => {
        try {
          await h?.stop();
        } catch {
          // stopping must release the rest of the run even if the bot's stop throws
        }
      };
      return {
        events,
        get error() {
          return failure;
        },
        get ended() {
          return saidStopped(events);
        },
        async start() {
          if (!ctx.baileys) throw new BotSetupError('Failed to start a module bot: no Baileys module was loaded for it.');
          const report = (e: { type: string } & Record<string, unknown>) => events.push({ ...e, t: ctx.clock.now() });
          sockets = trackSockets(ctx.baileys);
          try {
            const h = await connect({ baileys: sockets.baileys, version: ctx.version, wsUrl: ctx.wsUrl, authDir: ctx.store.path, index: ctx.index, report });
            // Stopped while connect() ran (an interrupted run): stop what it returned too.
            if (stopping) await stopBot(h);
            else handle = h;
          } catch (err) {
            failure = `connect() threw: ${(err as Error).message}`;
            throw new BotSetupError(`Failed to start the bot module ${path}: ${failure}`);
          }
        },
        stop() {
          // The bot's own stop, then every socket it made and left open is ended (and any it makes
          // later refused), waiting for their close (at most 2 s), then for the session directory to
          // be quiet (writes under way at the close: 100 ms without one, at most 1 s): all before
          // the run removes the directory, so no late write fails there. Real times (x K under --speed).
          stopping ??= stopBot(handle)
            .then(() => sockets?.endAll(machineTimeOnClock(2_000)))
            .then(() => quietIn(ctx.store.path, machineTimeOnClock(100), machineTimeOnClock(1_000)));
          return stopping;
        },
      };
    },
  };
}
