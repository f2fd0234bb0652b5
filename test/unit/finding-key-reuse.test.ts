/**
 * Finding (README Findings): Baileys' key-store transaction lets a slow read overwrite a session a
 * concurrent encrypt has just stored, so the next encrypt reuses a Signal message key. Shown on
 * the real `addTransactionCapability` of each pinned version, over a store whose one read is held
 * (a slow disk: the only stand-in, it is not what is tested): a bulk read of sessions (as
 * `assertSessions` does before a send) misses the cache and waits; meanwhile an encrypt stores the
 * contact's session at counter 6; the read returns the disk's counter-5 copy and replaces it.
 * In a run, the server records the result: `message-key-reused` (test/unit/key-reuse.test.ts).
 */
import { describe, expect, test } from 'vitest';
import { loadBaileys, versionsUnderTest } from '../../harness/baileys/versions.js';

type Store = { get(type: string, ids: string[]): Promise<Record<string, unknown>>; set(data: Record<string, Record<string, unknown>>): Promise<void> };
type WithTransactions = Store & { transaction<T>(work: () => Promise<T>, key?: string): Promise<T> };

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

describe('finding: a slow read in a Baileys key-store transaction replaces a session stored meanwhile', () => {
  test.each(versionsUnderTest())('Baileys %s', async (version) => {
    const baileys = (await loadBaileys(version)) as unknown as { addTransactionCapability?: (s: Store, l: unknown, o: unknown) => WithTransactions; default?: { addTransactionCapability?: (s: Store, l: unknown, o: unknown) => WithTransactions } };
    const addTransactionCapability = baileys.addTransactionCapability ?? baileys.default?.addTransactionCapability;
    expect(addTransactionCapability, 'Baileys exports addTransactionCapability').toBeTypeOf('function');
    const disk: Record<string, Record<string, unknown>> = { session: { own: 'own phone', carol: 'counter 5' } };
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let holdNext = false;
    const store: Store = {
      async get(type, ids) {
        if (holdNext) {
          holdNext = false;
          await held;
        }
        return Object.fromEntries(ids.filter((id) => disk[type]?.[id] !== undefined).map((id) => [id, disk[type]![id]]));
      },
      async set(data) {
        for (const [type, byId] of Object.entries(data)) for (const [id, v] of Object.entries(byId)) (disk[type] ??= {})[id] = v;
      },
    };
    const keys = addTransactionCapability!(store, quiet, { maxCommitRetries: 1, delayBetweenTriesMs: 0 });
    const seen = await keys.transaction(async () => {
      holdNext = true;
      const bulk = keys.get('session', ['own', 'carol']);
      await keys.set({ session: { carol: 'counter 6' } });
      release();
      await bulk;
      return (await keys.get('session', ['carol'])).carol;
    }, 'finding');
    // A correct cache would keep what was stored after the read began.
    expect(seen).toBe('counter 5');
  });
});
