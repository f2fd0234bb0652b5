import { describe, expect, test } from 'vitest';
import { provisionDevice } from '../../harness/provision.js';
import type { ObservedClient } from '../../harness/baileys/client.js';
import { versionsUnderTest } from '../../harness/baileys/versions.js';
import { connectClient, openClient, startServer, tempDir } from '../helpers.js';
import { MOVE_TABLE, type Outcome } from './server-moves.table.js';

/** The first open or close the client reports within `windowMs`, else `hang`. */
async function outcome(client: ObservedClient, windowMs: number, ignoreOpen: boolean): Promise<Outcome> {
  const done = new Promise<Outcome>((resolve) => {
    const check = () => {
      const e = client.events.find((x) => x.type === 'close' || (!ignoreOpen && x.type === 'open'));
      if (e) resolve(e.type === 'open' ? 'open' : e.code!);
    };
    const timer = setInterval(check, 20);
    setTimeout(() => {
      clearInterval(timer);
      resolve('hang');
    }, windowMs);
    void Promise.race([client.waitFor('close', windowMs), ignoreOpen ? new Promise(() => {}) : client.waitFor('open', windowMs)])
      .then(check, () => undefined)
      .finally(() => clearInterval(timer));
  });
  return done;
}

describe.each(versionsUnderTest())('server moves with Baileys %s', (version) => {
  test.each(MOVE_TABLE.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    const expected = row.expected[version];
    expect(expected, `no expectation for ${version} in server-moves.table.ts`).toBeDefined();
    const server = await startServer({ admission: row.admission ?? {} });
    let client: ObservedClient;
    if (row.move) {
      ({ client } = await openClient(server, version, { ...(row.keepAliveIntervalMs ? { keepAliveIntervalMs: row.keepAliveIntervalMs } : {}) }));
      expect(server.apply(row.move, 'all')).toBe(1);
    } else {
      const authDir = await tempDir();
      await provisionDevice(server, { authDir, baileysVersion: version });
      client = await connectClient(server, version, {
        authDir,
        ...(row.keepAliveIntervalMs ? { keepAliveIntervalMs: row.keepAliveIntervalMs } : {}),
        ...(row.connectTimeoutMs ? { connectTimeoutMs: row.connectTimeoutMs } : {}),
      });
    }
    const observed = await outcome(client, row.windowMs, !!row.move);
    if (Array.isArray(expected)) expect(expected).toContain(observed);
    else expect(observed).toBe(expected);
  });
});
