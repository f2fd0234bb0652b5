/**
 * A session store decorator that reports every write's start and end: how the crash test and
 * subprocess driver know when a session write is in flight. Behaviour is otherwise untouched.
 */
import type { BaileysModule } from '../baileys/versions.js';
import type { LoadedSession, LoadOptions, SessionStore } from './store.js';

export interface WriteHooks {
  onWriteStart(kind: 'keys' | 'creds', n: number): void;
  onWriteEnd(kind: 'keys' | 'creds', n: number): void;
}

export class InstrumentedStore implements SessionStore {
  private writes = 0;
  constructor(
    private readonly inner: SessionStore,
    private readonly hooks: WriteHooks,
  ) {}
  get kind() {
    return this.inner.kind;
  }
  get location() {
    return this.inner.location;
  }

  async load(baileys: BaileysModule, opts?: LoadOptions): Promise<LoadedSession> {
    const session = await this.inner.load(baileys, opts);
    const keys = session.state.keys as { set: (data: unknown) => Promise<void> };
    const set = keys.set.bind(keys);
    const track = async <T>(kind: 'keys' | 'creds', write: () => Promise<T>): Promise<T> => {
      const n = ++this.writes;
      this.hooks.onWriteStart(kind, n);
      try {
        return await write();
      } finally {
        this.hooks.onWriteEnd(kind, n);
      }
    };
    keys.set = (data) => track('keys', () => set(data));
    return { ...session, saveCreds: () => track('creds', () => session.saveCreds()) };
  }
}
