/**
 * Multi-device conflict, the seed's first cause: a second instance logs in with the same creds.
 * The server replaces the older connection with `<stream:error><conflict type="replaced"/>`
 * (440), as WhatsApp does.
 */
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { provisionDevice } from '../../../harness/provision.js';
import { loadBaileys, trustTestRoot, versionsUnderTest } from '../../../harness/baileys/versions.js';
import { systemClock } from '../../../core/clock.js';
import { Rng } from '../../../core/random.js';
import { FileSessionStore } from '../../../harness/session/index.js';
import { DEFAULT_SUPERVISOR_CONFIG } from '../../../harness/supervisor/config.js';
import { Supervisor } from '../../../harness/supervisor/supervisor.js';
import { onCleanup, startServer, tempDir } from '../../helpers.js';
import { botProject, startBot } from '../../support/bot-project.js';

const config = { ...DEFAULT_SUPERVISOR_CONFIG, backoff: { ...DEFAULT_SUPERVISOR_CONFIG.backoff, baseDelayMs: 200 }, keepAliveIntervalMs: 5000 };

describe.each(versionsUnderTest())('conflict with a second instance, Baileys %s', (version) => {
  test('two supervisors on copies of one session: the first is replaced (440) and stands down; no ping-pong', async () => {
    const server = await startServer();
    const dir = await tempDir();
    const a = join(dir, 'a');
    const { jid } = await provisionDevice(server, { authDir: a, baileysVersion: version });
    const b = join(dir, 'b');
    await cp(a, b, { recursive: true });
    const baileys = await loadBaileys(version);
    trustTestRoot(baileys, server.trustedPublicKey);
    const make = (path: string, seed: number) => {
      const s = new Supervisor({ baileys, store: new FileSessionStore(path), config, clock: systemClock, rng: new Rng(seed), socketConfig: { waWebSocketUrl: server.wsUrl } });
      onCleanup(() => s.stop());
      return s;
    };
    const first = make(a, 1);
    await first.start();
    await first.events.waitFor((e) => e.type === 'open', 15_000, 'the first instance to open');
    const second = make(b, 2);
    await second.start();
    await second.events.waitFor((e) => e.type === 'open', 15_000, 'the second instance to open');
    const stopped = await first.waitForStop(10_000);
    expect(stopped.reason).toBe('conflict');
    expect(first.events.list((e) => e.type === 'close')[0]).toMatchObject({ code: 440 });
    // No storm: exactly two logins of that device, the second stays open.
    expect(server.events.list({ type: 'login' }).filter((e) => e.jid === jid)).toHaveLength(2);
    expect(second.events.list((e) => e.type === 'close')).toEqual([]);
  });

  // Observed: the pair never settles. On 7.x they evict each other as fast as they can log in; on
  // 6.7.x a bot usually dies first: a replaced login rejects sendPassiveIq inside the un-guarded
  // CB:success handler, an unhandled rejection (428 "Connection Closed") that ends the process.
  test('two copies of a plain README-style bot on one session never settle: a 440 storm, or a crash', async () => {
    const server = await startServer();
    const project = await botProject(version);
    const { jid } = await provisionDevice(server, { authDir: join(project, 'auth_info_baileys'), baileysVersion: version });
    const twin = await botProject(version);
    await cp(join(project, 'auth_info_baileys'), join(twin, 'auth_info_baileys'), { recursive: true });
    const bots = [startBot(project, server), startBot(twin, server)];
    let replaced = 0;
    const storm = server.events
      .waitFor((e) => e.type === 'stanza' && e.jid === jid && e.detail?.replacedBy !== undefined && ++replaced >= 10, 20_000, 'ten replacements')
      .then(() => 'storm' as const);
    const crash = Promise.race(bots.map((b) => b.exited)).then(() => 'crash' as const);
    const outcome = await Promise.race([storm, crash]);
    const crashed = bots.find((b) => b.process.exitCode !== null);
    console.log(`Baileys ${version}, two naive bots on one session: ${outcome} after ${replaced} replacements${crashed ? `; a bot exited ${crashed.process.exitCode}` : ''}`);
    if (outcome === 'crash') expect(crashed!.output()).toMatch(/Connection Closed/);
    else expect(replaced).toBeGreaterThanOrEqual(10);
    expect(replaced).toBeGreaterThanOrEqual(1);
  });
});
