/**
 * Corrupted sessions before start. The supervisor refuses with a typed error and never pairs a
 * new device; a plain README-style bot on Baileys' own store silently starts a fresh pairing (a
 * QR) — real-world failure 13, "creds.json empty or truncated, then effectively logged out".
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { provisionDevice } from '../../../harness/provision.js';
import { loadBaileys, trustTestRoot, versionsUnderTest } from '../../../harness/baileys/versions.js';
import { systemClock } from '../../../core/clock.js';
import { corruptCreds, type CorruptionMode } from '../../../harness/faults/session-corruption.js';
import { Rng } from '../../../core/random.js';
import { openSessionStore } from '../../../harness/session/index.js';
import { DEFAULT_SUPERVISOR_CONFIG } from '../../../harness/supervisor/config.js';
import { Supervisor } from '../../../harness/supervisor/supervisor.js';
import { startServer, tempDir } from '../../helpers.js';
import { botProject, startBot } from '../../support/bot-project.js';

const version = versionsUnderTest().at(-1)!;
const expected: Record<CorruptionMode, string> = { truncate: 'truncated', empty: 'empty', garble: 'corrupt|truncated', delete: 'missing|empty' };

describe('corrupted creds before start', () => {
  test.each(['file', 'sqlite'] as const)('%s store: the supervisor refuses each kind of damage with a typed error, and pairs nothing', async (type) => {
    const server = await startServer();
    const baileys = await loadBaileys(version);
    trustTestRoot(baileys, server.trustedPublicKey);
    for (const mode of Object.keys(expected) as CorruptionMode[]) {
      const dir = await tempDir();
      const spec = { type, path: join(dir, type === 'sqlite' ? 's.db' : 'auth') };
      await provisionDevice(server, { store: openSessionStore(spec), baileysVersion: version });
      const rng = new Rng(5);
      await corruptCreds(spec, mode, () => rng.next());
      const supervisor = new Supervisor({ baileys, store: openSessionStore(spec), config: DEFAULT_SUPERVISOR_CONFIG, clock: systemClock, rng: new Rng(1), socketConfig: { waWebSocketUrl: server.wsUrl } });
      await expect(supervisor.start()).rejects.toMatchObject({ name: 'SessionStoreError', problem: expect.stringMatching(new RegExp(`^(${expected[mode]}|not-paired)$`)) });
      expect(supervisor.events.list((e) => e.type === 'stopped')[0]).toMatchObject({ reason: 'store-error' });
      await supervisor.stop();
    }
    expect(server.events.list({ type: 'registration' })).toHaveLength(0);
    expect(server.events.list({ type: 'tcp-accepted' })).toHaveLength(0);
  });

  test('a plain bot on a truncated creds.json silently starts a fresh pairing (QR)', async () => {
    const server = await startServer();
    const project = await botProject(version);
    const authDir = join(project, 'auth_info_baileys');
    await provisionDevice(server, { authDir, baileysVersion: version });
    await corruptCreds({ type: 'file', path: authDir }, 'truncate', () => 0);
    const bot = startBot(project, server);
    await server.events.waitFor((e) => e.type === 'registration', 20_000, 'a new registration');
    await expect.poll(() => bot.output(), { timeout: 10_000 }).toContain('scan this QR');
    expect(server.events.list({ type: 'login' })).toHaveLength(0);
  });
});
