/**
 * A transactional session store on SQLite (better-sqlite3): WAL, synchronous=FULL, one
 * transaction per `keys.set` batch and per creds save, so a crash (SIGKILL mid-write) leaves the
 * old state or the new one, never a torn one.
 */
import Database from 'better-sqlite3';
import { access } from 'node:fs/promises';
import type { BaileysModule } from '../baileys/versions.js';
import { credsProblem, parseProblem, SessionStoreError, type LoadedSession, type LoadOptions, type SessionStore } from './store.js';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS creds (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS keys (type TEXT NOT NULL, id TEXT NOT NULL, json TEXT NOT NULL, PRIMARY KEY (type, id));
`;

export class SqliteSessionStore implements SessionStore {
  readonly kind = 'sqlite';
  constructor(readonly location: string) {}

  async load(baileys: BaileysModule, opts: LoadOptions = {}): Promise<LoadedSession> {
    const exists = await access(this.location).then(
      () => true,
      () => false,
    );
    if (!exists && !opts.allowNew) throw new SessionStoreError('missing', this.location, 'no such file');
    let db: Database.Database;
    try {
      db = new Database(this.location);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      const check = db.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new Error(`quick_check: ${String(check)}`);
      db.exec(SCHEMA);
    } catch (err) {
      // SQLite cannot open or write (read-only, full, no permission) is not a damaged session.
      const code = String((err as { code?: unknown }).code ?? '');
      const unwritable = /^SQLITE_(CANTOPEN|READONLY|IOERR|FULL|PERM)/.test(code);
      throw new SessionStoreError(unwritable ? 'unwritable' : 'corrupt', this.location, `${(err as Error).message}${code ? ` [${code}]` : ''}`);
    }
    const { BufferJSON } = baileys;
    const encode = (v: unknown) => JSON.stringify(v, BufferJSON.replacer);
    const where = `${this.location}#creds`;
    let creds;
    const row = db.prepare('SELECT json FROM creds WHERE id = 1').get() as { json: string } | undefined;
    if (!row || opts.replace) {
      if (!opts.allowNew && !opts.replace) {
        db.close();
        throw new SessionStoreError(exists ? 'empty' : 'missing', where, 'no creds row');
      }
      creds = baileys.initAuthCreds();
    } else {
      try {
        creds = JSON.parse(row.json, BufferJSON.reviver);
      } catch (err) {
        db.close();
        throw new SessionStoreError(parseProblem(row.json, err), where, (err as Error).message);
      }
      const problem = credsProblem(creds);
      if (problem || (!creds.me && !opts.allowNew)) {
        db.close();
        throw new SessionStoreError(problem ? 'corrupt' : 'not-paired', where, problem ?? 'creds have no "me"');
      }
    }
    const putCreds = db.prepare('INSERT INTO creds (id, json) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET json = excluded.json');
    const putKey = db.prepare('INSERT INTO keys (type, id, json) VALUES (?, ?, ?) ON CONFLICT(type, id) DO UPDATE SET json = excluded.json');
    const delKey = db.prepare('DELETE FROM keys WHERE type = ? AND id = ?');
    const getKey = db.prepare('SELECT json FROM keys WHERE type = ? AND id = ?');
    const setBatch = db.transaction((data: Record<string, Record<string, unknown>>) => {
      for (const [type, entries] of Object.entries(data)) {
        for (const [id, value] of Object.entries(entries ?? {})) {
          if (value) putKey.run(type, id, encode(value));
          else delKey.run(type, id);
        }
      }
    });
    const appStateKey = (baileys as unknown as { proto: { Message: { AppStateSyncKeyData: { fromObject(v: unknown): unknown } } } }).proto.Message.AppStateSyncKeyData;
    let closed = false;
    const state = {
      creds,
      keys: {
        get: async (type: string, ids: string[]) => {
          const out: Record<string, unknown> = {};
          for (const id of ids) {
            const r = closed ? undefined : (getKey.get(type, id) as { json: string } | undefined);
            let value = r ? JSON.parse(r.json, BufferJSON.reviver) : null;
            if (type === 'app-state-sync-key' && value) value = appStateKey.fromObject(value);
            out[id] = value;
          }
          return out;
        },
        set: async (data: Record<string, Record<string, unknown>>) => {
          if (!closed) setBatch(data);
        },
      },
    };
    return {
      state,
      saveCreds: async () => {
        if (!closed) putCreds.run(encode(state.creds));
      },
      close: async () => {
        if (closed) return;
        closed = true;
        db.close();
      },
    };
  }
}
