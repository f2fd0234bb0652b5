import { describe, expect, test } from 'vitest';
import { InProcessDriver } from '../../harness/drivers/in-process.js';
import { SubprocessDriver } from '../../harness/drivers/subprocess.js';
import { runCrashTrials } from '../../harness/crash.js';
import { versionsUnderTest } from '../../harness/baileys/versions.js';
import { systemClock } from '../../core/clock.js';
import { Rng, seedFrom } from '../../core/random.js';
import { DEFAULT_SUPERVISOR_CONFIG } from '../../harness/supervisor/config.js';
import { onCleanup, startServer, tempDir } from '../helpers.js';
import { botProject, startBot } from '../support/bot-project.js';

const config = { ...DEFAULT_SUPERVISOR_CONFIG, backoff: { ...DEFAULT_SUPERVISOR_CONFIG.backoff, baseDelayMs: 100 }, keepAliveIntervalMs: 5_000 };
const version = versionsUnderTest().at(-1)!;

describe('client drivers', () => {
  test('in-process: a herd of supervised clients opens, survives a server restart, and each logs in as itself', async () => {
    const server = await startServer();
    const driver = new InProcessDriver({ server, version, count: 5, config, storeKind: 'sqlite', workDir: await tempDir(), clock: systemClock, seed: 1 });
    onCleanup(() => driver.stop());
    await driver.start();
    await Promise.all(driver.clients.map((c) => c.events.waitFor((e) => e.type === 'open', 20_000, `client ${c.index} open`)));
    await server.restart();
    await Promise.all(
      driver.clients.map((c) => {
        let opens = 0;
        return c.events.waitFor((e) => e.type === 'open' && ++opens === 2, 20_000, `client ${c.index} to reopen`);
      }),
    );
    const jids = new Set(server.events.list({ type: 'open' }).map((e) => e.jid));
    expect(jids).toEqual(new Set(driver.clients.map((c) => c.jid)));
  });

  test('subprocess: the client runs in its own process and reports its events over IPC', async () => {
    const server = await startServer();
    const driver = new SubprocessDriver({ server, version, count: 1, config, storeKind: 'file', workDir: await tempDir(), seed: 7 });
    onCleanup(() => driver.stop());
    await driver.start();
    const [client] = driver.clients;
    const open = await client!.events.waitFor((e) => e.type === 'open', 30_000, 'the child to open', () => client!.child.error ?? '');
    // Its clock was translated onto ours: the child's open is after the server's.
    const serverOpen = await server.events.waitFor((e) => e.type === 'open', 5_000);
    expect(open.t).toBeGreaterThan(serverOpen.t - 50);
    server.apply({ kind: 'stream-error', code: 503 });
    const close = await client!.events.waitFor((e) => e.type === 'close', 10_000, 'the child to see the close');
    expect(close).toMatchObject({ code: 503 });
    expect(client!.child.pid).not.toBe(process.pid);
  });
});

describe('crash during session writes (SIGKILL)', () => {
  test('the SQLite store survives every kill; the file store is reported as it fares', async () => {
    const seed = seedFrom(process.env.CRASH_SEED ?? '424242');
    console.log(`crash seed ${seed} — replay: CRASH_SEED=${seed} npx vitest run test/e2e/drivers.test.ts -t crash`);
    const server = await startServer();
    const workDir = await tempDir();
    const trials = Number(process.env.CRASH_TRIALS ?? 6);
    const results = [];
    for (const storeKind of ['sqlite', 'file'] as const) {
      results.push(await runCrashTrials({ server, version, storeKind, workDir, rng: new Rng(seed), trials, windowMs: 600 }));
    }
    console.log('crash trials:', JSON.stringify(results));
    const sqlite = results[0]!;
    expect(sqlite.trials).toBe(trials);
    expect(sqlite.outcomes).toEqual({ ok: trials });
    expect(results[1]!.trials).toBe(trials);
  }, 300_000);
});

describe('user module and black box', () => {
  test('bot module: the naive README-style loop reconnects at once, and fights a 440 conflict', async () => {
    const { moduleBot } = await import('../../harness/bots/module-bot.js');
    const { loadBaileys, trustTestRoot } = await import('../../harness/baileys/versions.js');
    const { provisionDevice } = await import('../../harness/provision.js');
    const { FakeWhatsAppServer } = await import('../../fake-server/server.js');
    const { join } = await import('node:path');
    const server = await startServer();
    const baileys = await loadBaileys(version);
    trustTestRoot(baileys, server.trustedPublicKey);
    const workDir = await tempDir();
    const store = { type: 'file' as const, path: join(workDir, 'client-0') };
    const { jid } = await provisionDevice(server, { authDir: store.path, baileysVersion: version });
    const bot = moduleBot('examples/naive-connector.ts');
    const { DEFAULT_SUPERVISOR_CONFIG } = await import('../../harness/supervisor/config.js');
    const client = await bot.client({ index: 0, version, wsUrl: FakeWhatsAppServer.clientUrl(server.wsUrl, 0), trustedPublicKey: server.trustedPublicKey, store, config: DEFAULT_SUPERVISOR_CONFIG, seed: 1, clock: systemClock, workDir, ownProcess: false, writeWaitMs: 1000, baileys });
    onCleanup(() => client.stop());
    await client.start();
    await server.events.waitFor((e) => e.type === 'open' && e.client === '0', 15_000, 'the connector to open');
    const firstClose = server.events.list().at(-1)!.seq;
    server.apply({ kind: 'conflict' });
    // It does not stand down: a new login of the same device follows the 440, on its own labelled URL.
    const relogin = await server.events.waitFor((e) => e.type === 'login' && e.seq > firstClose, 10_000, 'a new login after 440');
    expect(relogin).toMatchObject({ jid, client: '0' });
    expect(client.events.list((e) => e.type === 'close')[0]).toMatchObject({ code: 440 });
  });

  test('a module without the documented export is a clear error', async () => {
    const { loadConnector } = await import('../../harness/bots/module-bot.js');
    await expect(loadConnector('core/clock.ts')).rejects.toThrow(/must export a function \(default export or "connect"\)/);
    await expect(loadConnector('does/not/exist.ts')).rejects.toThrow(/Failed to load the bot module does\/not\/exist\.ts/);
  });

  test('black box: an unmodified bot reaches open through the preload alone', async () => {
    const { join } = await import('node:path');
    const { provisionDevice } = await import('../../harness/provision.js');
    const server = await startServer();
    const project = await botProject(version);
    const { jid } = await provisionDevice(server, { authDir: join(project, 'auth_info_baileys'), baileysVersion: version });
    const bot = startBot(project, server);
    const open = await server.events.waitFor((e) => e.type === 'open', 20_000, 'the bot to open');
    expect(open.jid).toBe(jid);
    await expect.poll(() => bot.output(), { timeout: 5_000 }).toContain('connection open');
  });

  test('black box: the preload without a server URL says what to set', async () => {
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync(process.execPath, ['--import', 'baileys-chaos/redirect', '-e', '1'], { env: { ...process.env, BAILEYS_CHAOS_WS_URL: '' }, encoding: 'utf8' });
    expect(r.status).toBe(78);
    expect(r.stderr).toMatch(/BAILEYS_CHAOS_WS_URL is not set/);
  });
});
