/**
 * The Baileys module a module bot is given, with one change: its makeWASocket (the `default`
 * export, `makeWASocket`, and `default.default` where a CJS build has one) records every socket it
 * makes, so the harness can end them when the client stops, whatever the bot's own stop() does.
 * Why: a module bot runs in the harness process, and a socket it leaks (two inits raced, a
 * reconnect after its stop) kept running after the run: its creds.update → saveCreds wrote into
 * the run's removed temp dir (an unhandled ENOENT rejection that failed CI) and it stayed in the
 * process for the next runs. Every other export is the module's own, unchanged.
 */
import type { BaileysModule, BaileysSocket } from '../baileys/versions.js';

type MakeSocket = (config: Record<string, unknown>) => BaileysSocket;

export interface SocketTracker {
  /** The module to hand to the bot: the loaded one, its makeWASocket recording. */
  readonly baileys: BaileysModule;
  /** Sockets made and not closed yet. */
  live(): number;
  /** Sockets made in all, and made after endAll (refused: ended at once). */
  readonly made: number;
  readonly refused: number;
  /**
   * Ends every socket still open and refuses new ones from then on (a leftover's makeWASocket
   * gets a socket already ended, whose events its listeners never hear, so a loop that reconnects
   * on a close stops there); resolves when they are closed, or after `timeoutMs`. Idempotent.
   */
  endAll(timeoutMs?: number): Promise<void>;
}

export function trackSockets(baileys: BaileysModule): SocketTracker {
  const open = new Set<{ sock: BaileysSocket; closed: Promise<void>; markClosed(): void }>();
  let ending: Promise<void> | undefined;
  // Set before the first end(): on 6.x end() emits the close within, and a bot may reconnect right there.
  let refusing = false;
  let made = 0;
  let refused = 0;

  const wrapMake = (make: MakeSocket): MakeSocket => {
    const wrapped: MakeSocket = (config) => {
      if (refusing) {
        refused++;
        const sock = make(config);
        void Promise.resolve(sock.end(undefined)).catch(() => undefined);
        return quiet(sock);
      }
      const sock = make(config);
      made++;
      let resolve!: () => void;
      const entry = { sock, closed: new Promise<void>((r) => (resolve = r)), markClosed: () => (open.delete(entry), resolve()) };
      const { markClosed } = entry;
      open.add(entry);
      sock.ev.on('connection.update', (u: { connection?: string }) => {
        if (u.connection === 'close') markClosed();
      });
      return sock;
    };
    Object.defineProperty(wrapped, 'name', { value: make.name });
    return wrapped;
  };

  const wrapped: Record<PropertyKey, unknown> = Object.create(null);
  for (const key of Reflect.ownKeys(baileys)) wrapped[key] = (baileys as unknown as Record<PropertyKey, unknown>)[key];
  const mod = baileys as unknown as Record<string, unknown>;
  const makers = new Map<unknown, MakeSocket>();
  const wrapOnce = (fn: unknown) => {
    if (typeof fn !== 'function') return fn;
    if (!makers.has(fn)) makers.set(fn, wrapMake(fn as MakeSocket));
    return makers.get(fn);
  };
  if (typeof mod.makeWASocket === 'function') wrapped.makeWASocket = wrapOnce(mod.makeWASocket);
  if (typeof mod.default === 'function') wrapped.default = wrapOnce(mod.default);
  else if (mod.default && typeof mod.default === 'object') {
    // A CJS build seen through import: `default` is module.exports, holding default and makeWASocket.
    const inner = mod.default as Record<string, unknown>;
    const copy = Object.assign(Object.create(Object.getPrototypeOf(inner) as object | null) as Record<string, unknown>, inner);
    if (typeof inner.default === 'function') copy.default = wrapOnce(inner.default);
    if (typeof inner.makeWASocket === 'function') copy.makeWASocket = wrapOnce(inner.makeWASocket);
    wrapped.default = copy;
  }

  return {
    baileys: wrapped as unknown as BaileysModule,
    live: () => open.size,
    get made() {
      return made;
    },
    get refused() {
      return refused;
    },
    endAll(timeoutMs = 2_000) {
      refusing = true;
      ending ??= (async () => {
        const closing = [...open].map(({ sock, closed, markClosed }) => {
          // end() resolves once the close is emitted on 7.x, emits it within on 6.x, and returns at
          // once on a socket already ending: closed is its close event (a bot may have removed the
          // listener: then a socket whose WebSocket is closed counts as closed once end() returns).
          let ended: unknown;
          try {
            ended = sock.end(undefined);
          } catch {
            // a socket that cannot be ended again is closed already
          }
          void Promise.resolve(ended)
            .catch(() => undefined)
            .then(() => (sock.ws as { isClosed?: boolean }).isClosed !== false && markClosed());
          return closed;
        });
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([Promise.all(closing), new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
        clearTimeout(timer);
      })();
      return ending;
    },
  };
}

/** The socket with its events silenced for listeners added from now on (a refused socket's close included). */
function quiet(sock: BaileysSocket): BaileysSocket {
  const ev = new Proxy(sock.ev, {
    get(target, key, receiver) {
      if (key === 'on' || key === 'once' || key === 'addListener') return () => receiver;
      if (key === 'process') return () => () => undefined;
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  return new Proxy(sock, { get: (target, key, receiver) => (key === 'ev' ? ev : (Reflect.get(target, key, receiver) as unknown)) });
}
