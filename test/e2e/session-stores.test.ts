import { writeFile, readFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import { provisionDevice } from '../../harness/provision.js';
import { loadBaileys, versionsUnderTest } from '../../harness/baileys/versions.js';
import { FileSessionStore, SqliteSessionStore, SessionStoreError, type SessionStore } from '../../harness/session/index.js';
import { connectClient, startServer, tempDir } from '../helpers.js';

const stores: [string, (dir: string) => SessionStore][] = [
  ['file', (dir) => new FileSessionStore(join(dir, 'auth'))],
  ['sqlite', (dir) => new SqliteSessionStore(join(dir, 'session.db'))],
];

describe.each(versionsUnderTest())('session stores with Baileys %s', (version) => {
  test.each(stores)('%s: provisioned, logs in, reconnects with the same device after the session was written', async (_kind, make) => {
    const server = await startServer();
    const store = make(await tempDir());
    const { jid } = await provisionDevice(server, { store, baileysVersion: version });
    for (let round = 0; round < 2; round++) {
      const client = await connectClient(server, version, { authDir: '', store, allowNew: false });
      await client.waitFor('open', 15_000);
      await client.end();
    }
    const logins = server.events.list({ type: 'login' });
    expect(logins.map((e) => [e.jid, e.detail?.known])).toEqual([[jid, true], [jid, true]]);
    // The first login uploaded pre-keys into the store; the second found them (no new upload).
    expect(server.events.list({ type: 'iq' }).filter((e) => e.detail?.child === 'registration')).toHaveLength(1);
  });
});

describe('loading a damaged store is a clear error, never a fresh pairing', () => {
  const expectProblem = async (store: SessionStore, problem: string, where: RegExp) => {
    const baileys = await loadBaileys(versionsUnderTest().at(-1)!);
    const err = await store.load(baileys).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SessionStoreError);
    expect(err).toMatchObject({ problem });
    expect((err as Error).message).toMatch(where);
  };

  test('file store: missing, empty, truncated, corrupt, never paired', async () => {
    const dir = await tempDir();
    const store = new FileSessionStore(dir);
    const creds = join(dir, 'creds.json');
    await expectProblem(store, 'missing', /creds\.json is missing/);
    await writeFile(creds, '');
    await expectProblem(store, 'empty', /creds\.json is empty/);
    const server = await startServer();
    await provisionDevice(server, { authDir: dir, overwrite: true });
    const full = await readFile(creds, 'utf8');
    await truncate(creds, Math.floor(full.length / 2));
    await expectProblem(store, 'truncated', /creds\.json is truncated/);
    await writeFile(creds, full.replace('"noiseKey"', '"noizeKey"'));
    await expectProblem(store, 'corrupt', /noiseKey missing/);
    const unpaired = JSON.parse(full);
    delete unpaired.me;
    await writeFile(creds, JSON.stringify(unpaired));
    await expectProblem(store, 'not-paired', /never paired|no "me"/);
  });

  test('sqlite store: missing, empty, not a database, corrupt creds row', async () => {
    const dir = await tempDir();
    const path = join(dir, 's.db');
    const store = new SqliteSessionStore(path);
    await expectProblem(store, 'missing', /s\.db is missing/);
    new Database(path).close();
    await expectProblem(store, 'empty', /s\.db#creds is empty/);
    await writeFile(path, 'this is not a database, just text that is long enough to not be a header '.repeat(20));
    await expectProblem(store, 'corrupt', /s\.db is corrupt/);
    const path2 = join(dir, 's2.db');
    const server = await startServer();
    await provisionDevice(server, { store: new SqliteSessionStore(path2) });
    const db = new Database(path2);
    db.prepare('UPDATE creds SET json = substr(json, 1, 40) WHERE id = 1').run();
    db.close();
    await expectProblem(new SqliteSessionStore(path2), 'truncated', /s2\.db#creds is truncated/);
  });

  test('provisioning refuses a store that already holds a session', async () => {
    const server = await startServer();
    const store = new SqliteSessionStore(join(await tempDir(), 'x.db'));
    await provisionDevice(server, { store });
    await expect(provisionDevice(server, { store })).rejects.toThrow(/already holds a session/);
  });

  test('provisioning with overwrite replaces a damaged creds row (sqlite)', async () => {
    const server = await startServer();
    const path = join(await tempDir(), 'y.db');
    await provisionDevice(server, { store: new SqliteSessionStore(path) });
    const db = new Database(path);
    db.prepare('UPDATE creds SET json = substr(json, 1, 40) WHERE id = 1').run();
    db.close();
    await expect(provisionDevice(server, { store: new SqliteSessionStore(path) })).rejects.toThrow(/holds a damaged session .* Pass overwrite to replace it/);
    const { jid } = await provisionDevice(server, { store: new SqliteSessionStore(path), overwrite: true });
    const session = await new SqliteSessionStore(path).load(await loadBaileys(versionsUnderTest().at(-1)!));
    expect(session.state.creds.me?.id).toBe(jid);
    await session.close();
  });
});
