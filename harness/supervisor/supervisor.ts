/**
 * The reference supervisor: the reconnect loop around `makeWASocket` that bot authors write by
 * hand, done carefully. Per close reason it restarts at once (515), stops for a re-pair (401),
 * stands down on a conflict (440, configurable) or backs off; it has a login watchdog (Baileys
 * has none); it gives up after maxRetries with a clear error; and it tears the old socket down
 * (listeners, timers, connection) before the next one starts. Every decision is an event with a
 * monotonic timestamp.
 */
import pino from 'pino';
import type { BaileysModule, BaileysSocket } from '../baileys/versions.js';
import type { Clock } from '../../core/clock.js';
import { EventStream } from '../../core/event-stream.js';
import type { Rng } from '../../core/random.js';
import type { LoadedSession, SessionStore } from '../session/store.js';
import { chooseDelay } from './backoff.js';
import { classifyClose, type CloseAction } from './close-policy.js';
import type { SupervisorConfig } from './config.js';

export type StopReason = 'repair-needed' | 'conflict' | 'max-retries' | 'stopped' | 'store-error';

export type SupervisorEvent =
  | { t: number; type: 'attempt'; attempt: number }
  | { t: number; type: 'qr' }
  | { t: number; type: 'open'; attempt: number }
  | { t: number; type: 'close'; attempt: number; code?: number; message?: string; openForMs?: number }
  | { t: number; type: 'watchdog-expired'; attempt: number; afterMs: number }
  | { t: number; type: 'decision'; action: CloseAction; code?: number; failures: number; delayMs?: number }
  | { t: number; type: 'store-error'; message: string }
  | { t: number; type: 'stopped'; reason: StopReason; message: string };

export type SupervisorEventType = SupervisorEvent['type'];

/** setTimeout/clearTimeout, injectable so a test can run the loop on a virtual clock. */
export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const realTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface SupervisorOptions {
  baileys: BaileysModule;
  store: SessionStore;
  config: SupervisorConfig;
  clock: Clock;
  rng: Rng;
  timers?: Timers;
  /** Socket config merged last (e.g. `waWebSocketUrl` for the fake server). */
  socketConfig?: Record<string, unknown>;
  /** Allow a first-time QR pairing when the store is empty (default false: a missing session is an error). */
  allowPairing?: boolean;
}

export class SupervisorStoppedError extends Error {
  override name = 'SupervisorStoppedError';
  constructor(
    readonly reason: StopReason,
    message: string,
  ) {
    super(message);
  }
}

export class Supervisor {
  readonly events = new EventStream<SupervisorEvent>();
  private session: LoadedSession | undefined;
  private socket: BaileysSocket | undefined;
  private socketListeners: [string, (arg: any) => void][] = [];
  private watchdog: unknown;
  private retryTimer: unknown;
  private attempt = 0;
  private failures = 0;
  private previousDelayMs: number | undefined;
  private openedAt: number | undefined;
  private stopped: StopReason | undefined;
  private readonly timers: Timers;

  constructor(private readonly opts: SupervisorOptions) {
    this.timers = opts.timers ?? realTimers;
  }

  get isStopped(): boolean {
    return this.stopped !== undefined;
  }

  /** Live sockets the supervisor holds: never more than one. */
  get liveSockets(): number {
    return this.socket ? 1 : 0;
  }

  private emit<T extends SupervisorEvent['type']>(type: T, fields: Omit<Extract<SupervisorEvent, { type: T }>, 't' | 'type'>): void {
    this.events.push({ t: this.opts.clock.now(), type, ...fields } as SupervisorEvent);
  }

  async start(): Promise<void> {
    try {
      this.session = await this.opts.store.load(this.opts.baileys, { allowNew: !!this.opts.allowPairing });
    } catch (err) {
      this.finish('store-error', (err as Error).message);
      throw err;
    }
    // Key writes fail inside Baileys (which mostly swallows them): report each, then rethrow.
    const keys = this.session.state.keys as { set: (data: unknown) => Promise<void> };
    const set = keys.set.bind(keys);
    keys.set = (data) =>
      set(data).catch((err: Error) => {
        this.emit('store-error', { message: err.message });
        throw err;
      });
    this.connect();
  }

  /** Stops for good: no further attempts; the socket and store are released. */
  async stop(): Promise<void> {
    if (!this.stopped) this.finish('stopped', 'stopped by the caller');
    await this.session?.close();
  }

  /** Resolves when the supervisor stops by itself (or rejects after `timeoutMs`). */
  async waitForStop(timeoutMs: number): Promise<Extract<SupervisorEvent, { type: 'stopped' }>> {
    return (await this.events.waitFor((e) => e.type === 'stopped', timeoutMs, 'the supervisor to stop')) as Extract<SupervisorEvent, { type: 'stopped' }>;
  }

  private connect(): void {
    if (this.stopped) return;
    const { baileys, config } = this.opts;
    const attempt = ++this.attempt;
    this.emit('attempt', { attempt });
    const makeSocket = baileys.makeWASocket ?? baileys.default;
    const socket = makeSocket({
      auth: this.session!.state,
      logger: pino({ level: 'silent' }),
      keepAliveIntervalMs: config.keepAliveIntervalMs,
      connectTimeoutMs: config.connectTimeoutMs,
      defaultQueryTimeoutMs: config.defaultQueryTimeoutMs,
      markOnlineOnConnect: false,
      ...this.opts.socketConfig,
    });
    this.socket = socket;
    // A failed save (read-only or full disk) is reported, not thrown into Baileys' event loop.
    this.listen(socket, 'creds.update', () => void this.session?.saveCreds().catch((err: Error) => this.emit('store-error', { message: err.message })));
    this.listen(socket, 'connection.update', (u: { connection?: string; qr?: string; lastDisconnect?: { error?: { output?: { statusCode?: number }; message?: string } } }) => {
      if (this.socket !== socket) return;
      if (u.qr) this.emit('qr', {});
      if (u.connection === 'open') this.onOpen(attempt);
      if (u.connection === 'close') {
        const err = u.lastDisconnect?.error;
        this.onClose(attempt, err?.output?.statusCode, err?.message);
      }
    });
    if (config.loginTimeoutMs > 0) {
      this.watchdog = this.timers.set(() => {
        if (this.socket !== socket) return;
        this.emit('watchdog-expired', { attempt, afterMs: config.loginTimeoutMs });
        this.onClose(attempt, undefined, `not open after ${config.loginTimeoutMs} ms (login watchdog)`);
      }, config.loginTimeoutMs);
    }
  }

  private listen(socket: BaileysSocket, event: string, fn: (arg: any) => void): void {
    socket.ev.on(event, fn);
    this.socketListeners.push([event, fn]);
  }

  private onOpen(attempt: number): void {
    this.timers.clear(this.watchdog);
    this.watchdog = undefined;
    this.openedAt = this.opts.clock.now();
    if (this.opts.config.resetAttemptsAfterOpenMs === 0) this.resetFailures();
    this.emit('open', { attempt });
  }

  private resetFailures(): void {
    this.failures = 0;
    this.previousDelayMs = undefined;
  }

  private onClose(attempt: number, code: number | undefined, message: string | undefined): void {
    const openForMs = this.openedAt === undefined ? undefined : this.opts.clock.now() - this.openedAt;
    this.teardown();
    this.emit('close', { attempt, ...(code !== undefined ? { code } : {}), ...(message ? { message } : {}), ...(openForMs !== undefined ? { openForMs } : {}) });
    if (this.stopped) return;
    const { config } = this.opts;
    if (openForMs !== undefined && config.resetAttemptsAfterOpenMs > 0 && openForMs >= config.resetAttemptsAfterOpenMs) this.resetFailures();
    const action = this.classify(code);
    switch (action) {
      case 'stop-repair':
        this.emit('decision', { action, failures: this.failures, ...(code !== undefined ? { code } : {}) });
        return this.finish('repair-needed', `the session was logged out (${code}): re-pair needed; not reconnecting`);
      case 'stop-conflict':
        this.emit('decision', { action, failures: this.failures, ...(code !== undefined ? { code } : {}) });
        return this.finish('conflict', `another instance took over the session (${code}); not fighting it`);
      case 'restart-now':
      case 'backoff': {
        this.failures++;
        if (config.maxRetries > 0 && this.failures > config.maxRetries) {
          this.emit('decision', { action, failures: this.failures, ...(code !== undefined ? { code } : {}) });
          return this.finish('max-retries', `gave up after ${config.maxRetries} failed attempts in a row (last close: ${code ?? message ?? 'unknown'})`);
        }
        const delayMs = action === 'restart-now' ? 0 : this.backoffDelay(this.failures, this.previousDelayMs);
        if (action === 'backoff') this.previousDelayMs = delayMs;
        this.emit('decision', { action, failures: this.failures, delayMs, ...(code !== undefined ? { code } : {}) });
        this.retryTimer = this.timers.set(() => {
          this.retryTimer = undefined;
          this.connect();
        }, delayMs);
      }
    }
  }

  /** What to do after a close with `code` (a seam for deliberately broken variants in tests). */
  protected classify(code: number | undefined): CloseAction {
    return classifyClose(code, { onConflict: this.opts.config.onConflict });
  }

  /** The delay before retry `failures`: the configured backoff (a seam for deliberately broken variants in tests). */
  protected backoffDelay(failures: number, previousDelayMs: number | undefined): number {
    return chooseDelay(this.opts.config.backoff, failures, this.opts.rng, previousDelayMs);
  }

  /** Removes our listeners, stops timers and ends the socket, so nothing of it outlives it. */
  private teardown(): void {
    this.timers.clear(this.watchdog);
    this.watchdog = undefined;
    this.openedAt = undefined;
    const socket = this.socket;
    if (!socket) return;
    this.socket = undefined;
    for (const [event, fn] of this.socketListeners) socket.ev.off(event, fn);
    this.socketListeners = [];
    try {
      socket.end(undefined);
    } catch {
      /* already ended */
    }
  }

  private finish(reason: StopReason, message: string): void {
    if (this.stopped) return;
    this.stopped = reason;
    this.timers.clear(this.retryTimer);
    this.retryTimer = undefined;
    this.teardown();
    this.emit('stopped', { reason, message });
  }
}
