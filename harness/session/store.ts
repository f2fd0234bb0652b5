/**
 * Session stores: where a bot keeps its Baileys creds and Signal keys. One interface, two real
 * implementations (Baileys' own multi-file store, and a transactional SQLite store). Loading never
 * silently falls back to a fresh session: a missing, empty, truncated or corrupt store is a
 * SessionStoreError that says which file or table and what was wrong.
 */
import type { AuthenticationCreds, AuthenticationState, BaileysModule } from '../baileys/versions.js';

export interface LoadedSession {
  state: AuthenticationState;
  saveCreds(): Promise<void>;
  /** Waits for writes in flight and releases the store (closes the database). */
  close(): Promise<void>;
}

export interface LoadOptions {
  /** Start a fresh, unpaired session when the store is missing or empty (first-time pairing). */
  allowNew?: boolean;
  /**
   * Start a fresh, unpaired session whatever the creds hold, damaged ones included (provisioning
   * with overwrite). Implies allowNew. A database SQLite itself cannot open is still an error.
   */
  replace?: boolean;
}

export interface SessionStore {
  readonly kind: 'file' | 'sqlite';
  /** The directory or database file. */
  readonly location: string;
  load(baileys: BaileysModule, opts?: LoadOptions): Promise<LoadedSession>;
}

export type SessionStoreProblem = 'missing' | 'empty' | 'truncated' | 'corrupt' | 'not-paired' | 'unwritable';

export class SessionStoreError extends Error {
  override name = 'SessionStoreError';
  constructor(
    readonly problem: SessionStoreProblem,
    /** The file, or `database#table`, at fault. */
    readonly where: string,
    detail: string,
  ) {
    super(`Failed to load the session: ${where} is ${problem} (${detail}). ${ADVICE[problem]}`);
  }
}

const ADVICE: Record<SessionStoreProblem, string> = {
  missing: 'Provision a session (POST /devices) or pair first, or load with allowNew to pair a new device.',
  empty: 'The store holds no creds: restore it from a backup, or re-pair.',
  truncated: 'A write was cut short (a crash during the write?): restore it from a backup, or re-pair.',
  corrupt: 'Restore it from a backup, or re-pair.',
  'not-paired': 'It holds creds that were never paired: pair it, or load with allowNew.',
  unwritable: 'The store cannot be written (read-only or full disk, or no permission): free space or fix permissions; the session itself may be intact.',
};

/** Checks that parsed creds have what every login needs; returns a problem description or undefined. */
export function credsProblem(creds: unknown): string | undefined {
  if (typeof creds !== 'object' || creds === null) return 'not an object';
  const c = creds as Partial<AuthenticationCreds>;
  const key32 = (k: unknown) => Buffer.isBuffer(k) || k instanceof Uint8Array ? (k as Uint8Array).length === 32 : false;
  if (!c.noiseKey || !key32(c.noiseKey.public) || !key32(c.noiseKey.private)) return 'noiseKey missing or malformed';
  if (!c.signedIdentityKey || !key32(c.signedIdentityKey.public) || !key32(c.signedIdentityKey.private)) return 'signedIdentityKey missing or malformed';
  if (typeof c.advSecretKey !== 'string') return 'advSecretKey missing';
  if (typeof c.registrationId !== 'number') return 'registrationId missing';
  return undefined;
}

/** Classifies a JSON.parse failure: the parser ran off the end of the text (truncated) or not. */
export function parseProblem(text: string, err: unknown): SessionStoreProblem {
  const body = text.trimEnd();
  if (!body) return 'empty';
  const message = (err as Error).message;
  if (/Unexpected end of JSON input/.test(message)) return 'truncated';
  const at = /position (\d+)/.exec(message);
  return at && Number(at[1]) >= body.length ? 'truncated' : 'corrupt';
}

/**
 * Wraps a session so `close()` waits for the writes still in flight: Baileys saves keys and creds
 * asynchronously (and keeps saving for a moment after a socket ends), so a store must not be
 * released, or its directory removed, under them.
 */
export function settleWritesOnClose(session: LoadedSession): LoadedSession {
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>): Promise<T> => {
    inFlight.add(p);
    const forget = () => inFlight.delete(p);
    p.then(forget, forget);
    return p;
  };
  const keys = session.state.keys as { set: (data: unknown) => Promise<void> };
  const set = keys.set.bind(keys);
  keys.set = (data) => track(set(data));
  return {
    state: session.state,
    saveCreds: () => track(session.saveCreds()),
    close: async () => {
      while (inFlight.size) await Promise.allSettled([...inFlight]);
      await session.close();
    },
  };
}
