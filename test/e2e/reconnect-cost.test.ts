/**
 * The reconnect-cost finding (bench/reconnect-cost.ts), held as a test: in a bot process on this
 * machine's Node, Baileys 7 leaves one more AsyncLocalStorage enabled per login, and each puts a
 * `kResourceStore` property on every promise made afterwards; Baileys 6.7.21 puts none. Real
 * logins against the fake server, reconnects forced by the server (515), in a child process of
 * the Node under test. Counts are asserted, not timings (machines are noisy); the timings are
 * printed.
 */
import { describe, expect, test } from 'vitest';
import { benchReconnectCost } from '../../bench/reconnect-cost.js';

const K = 5;

describe('reconnect cost: promise properties per login (Node of this process)', () => {
  test(`after 0 and ${K} reconnects: one kResourceStore per login on Baileys 7.0.0-rc14, none on 6.7.21`, async () => {
    const result = await benchReconnectCost({ ks: [0, K], versions: ['6.7.21', '7.0.0-rc14'], reps: 3, calls: 5000, settleMs: 200, install: false, log: () => undefined });
    console.log(`reconnect cost on Node ${process.version}: ${JSON.stringify(result.table)}`);
    const column = (v: string) => {
      const c = result.columns.find((x) => x.baileys === v)!;
      expect(c.error, `Baileys ${v}: the bot process`).toBeUndefined();
      expect(c.rows.map((r) => r.k)).toEqual([0, K]);
      return c;
    };
    const v7 = column('7.0.0-rc14');
    const v6 = column('6.7.21');
    const major = Number(process.versions.node.split('.')[0]);
    if (major >= 24) {
      // AsyncContextFrame: nothing on promises, whatever Baileys does (the bench shows it).
      for (const r of [...v7.rows, ...v6.rows]) expect(r.promise.resourceStores).toBe(0);
      return;
    }
    // Before any login nothing is entered; then one per login, never released.
    expect(v7.baseline?.promise.resourceStores).toBe(0);
    const [at0, atK] = v7.rows;
    expect(at0!.promise.resourceStores, 'after the first login').toBeGreaterThanOrEqual(1);
    // A login that stalled and was retried (rare; listed in stalls) may have entered its own.
    const growth = atK!.promise.resourceStores - at0!.promise.resourceStores;
    expect(growth, `growth over ${K} reconnects`).toBeGreaterThanOrEqual(K);
    expect(growth, `growth over ${K} reconnects`).toBeLessThanOrEqual(K + atK!.stalls.length - at0!.stalls.length);
    for (const r of v6.rows) expect(r.promise.resourceStores, `6.7.21 after ${r.k} reconnects`).toBe(0);
  }, 90_000);
});
