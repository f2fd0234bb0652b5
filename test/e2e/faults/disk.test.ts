/**
 * Disk faults on a client in its own process: its session directory read-only, or on a full
 * filesystem (ENOSPC), in a private mount namespace. What the supervised client does is recorded;
 * what must hold: the process keeps running, a failed creds save is reported as a store-error
 * event, and the session on the real disk still loads and logs in afterwards.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { provisionDevice } from '../../../harness/provision.js';
import { ChildClient, type DiskFault } from '../../../harness/drivers/subprocess.js';
import { ObservedClient } from '../../../harness/baileys/client.js';
import { versionsUnderTest } from '../../../harness/baileys/versions.js';
import { openSessionStore } from '../../../harness/session/index.js';
import { DEFAULT_SUPERVISOR_CONFIG } from '../../../harness/supervisor/config.js';
import { onCleanup, startServer, tempDir } from '../../helpers.js';

const canUnshare = spawnSync('unshare', ['-m', '--propagation', 'private', 'true']).status === 0;
const version = versionsUnderTest().at(-1)!;

describe.skipIf(!canUnshare)('disk faults (skipped where mount namespaces are unavailable: needs root or CAP_SYS_ADMIN)', () => {
  const cases: ['file' | 'sqlite', DiskFault][] = [
    ['file', 'read-only'],
    ['file', 'full'],
    ['sqlite', 'read-only'],
    ['sqlite', 'full'],
  ];
  test.each(cases)(`%s store, %s disk, Baileys ${version}: recorded; the real session survives`, async (storeKind, disk) => {
    const server = await startServer();
    const dir = await tempDir();
    const store = { type: storeKind, path: join(dir, storeKind === 'sqlite' ? 'sessions/s.db' : 'auth') };
    if (storeKind === 'sqlite') await import('node:fs/promises').then((fs) => fs.mkdir(join(dir, 'sessions')));
    const { jid } = await provisionDevice(server, { store: openSessionStore(store), baileysVersion: version });
    const child = new ChildClient(
      { version, store, wsUrl: server.wsUrl, trustedPublicKey: server.trustedPublicKey.toString('base64'), config: { ...DEFAULT_SUPERVISOR_CONFIG, keepAliveIntervalMs: 5000, loginTimeoutMs: 5000 }, seed: 1 },
      { disk },
    );
    onCleanup(() => child.stop());
    if (storeKind === 'sqlite') {
      // SQLite in WAL mode cannot even open without writing: a clear, typed refusal to start.
      const stopped = await child.events.waitFor((e) => e.type === 'stopped', 20_000, 'the child to stop', () => child.error ?? '');
      expect(stopped).toMatchObject({ reason: 'store-error' });
      expect((stopped as { message: string }).message).toMatch(/is unwritable/);
      console.log(`${storeKind}/${disk}: refuses to start: ${(stopped as { message: string }).message.slice(0, 120)}`);
    } else {
      // Baileys' multi-file store: the save fails, the supervisor reports it and keeps running.
      await child.events.waitFor((e) => e.type === 'store-error', 20_000, 'a store error', () => child.error ?? '');
      const outcome = await child.events.waitFor((e) => e.type === 'open' || e.type === 'watchdog-expired', 20_000, 'open or the login watchdog', () => child.error ?? '');
      const storeErrors = child.events.list((e) => e.type === 'store-error');
      console.log(`${storeKind}/${disk}: ${outcome.type}; ${storeErrors.length} store errors, first: ${(storeErrors[0] as { message?: string } | undefined)?.message?.slice(0, 70)}`);
      expect(storeErrors.length).toBeGreaterThanOrEqual(1);
      expect(child.error).toBeUndefined();
    }
    await child.stop();
    // The fault was the child's alone: the real session loads and logs in as the same device.
    const client = await ObservedClient.connect({ version, wsUrl: server.wsUrl, trustedPublicKey: server.trustedPublicKey, authDir: store.path, store: openSessionStore(store), allowNew: false });
    onCleanup(() => client.end());
    await client.waitFor('open', 15_000);
    expect(server.events.list({ type: 'login' }).at(-1)!.jid).toBe(jid);
  }, 60_000);
});
