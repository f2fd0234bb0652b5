import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, test } from 'vitest';
import { startControlApi } from '../../fake-server/control-api.js';
import { versionsUnderTest } from '../../harness/baileys/versions.js';
import { ObservedClient } from '../../harness/baileys/client.js';
import { provisionForControlApi } from '../../harness/provision.js';
import { onCleanup, startServer, tempDir } from '../helpers.js';

async function api(base: string, method: string, path: string, body?: unknown) {
  const res = await fetch(base + path, { method, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });
  return { status: res.status, body: (await res.json()) as any };
}

const [version] = versionsUnderTest().slice(-1);

describe('control API', () => {
  test('provision, trust, connections, moves and events drive a real client', async () => {
    const server = await startServer();
    const ctl = await startControlApi(server, { provision: provisionForControlApi });
    onCleanup(() => ctl.close());
    const authDir = await tempDir();

    const trust = await api(ctl.url, 'GET', '/trust');
    expect(Buffer.from(trust.body.publicKey, 'base64')).toEqual(server.trustedPublicKey);
    const dev = await api(ctl.url, 'POST', '/devices', { authDir, baileysVersion: version });
    expect(dev.status).toBe(201);
    expect(dev.body.jid).toMatch(/^\d+:1@s\.whatsapp\.net$/);

    const client = await ObservedClient.connect({ version: version!, wsUrl: server.wsUrl, trustedPublicKey: Buffer.from(trust.body.publicKey, 'base64'), authDir });
    onCleanup(() => client.end());
    await client.waitFor('open', 15_000);

    const conns = await api(ctl.url, 'GET', '/connections');
    expect(conns.body).toEqual([expect.objectContaining({ jid: dev.body.jid, open: true })]);
    const moved = await api(ctl.url, 'POST', `/connections/${conns.body[0].id}/moves`, { kind: 'conflict' });
    expect(moved.body.applied).toBe(1);
    expect((await client.waitFor('close', 5_000)).code).toBe(440);

    const events = await api(ctl.url, 'GET', `/events?conn=${conns.body[0].id}`);
    const types = events.body.map((e: any) => e.type);
    expect(types).toEqual(expect.arrayContaining(['handshake-done', 'login', 'success-sent', 'open', 'fault-applied', 'closed']));
    expect(events.body.every((e: any, i: number, all: any[]) => i === 0 || e.t >= all[i - 1].t)).toBe(true);
  });

  test('bad requests get a 4xx and a message that says what is wrong', async () => {
    const server = await startServer();
    const ctl = await startControlApi(server, { provision: provisionForControlApi });
    onCleanup(() => ctl.close());
    const cases: [string, string, unknown, number, RegExp][] = [
      ['POST', '/devices', {}, 400, /authDir/],
      ['POST', '/devices', '{not json', 400, /not valid JSON/],
      ['POST', '/devices', { authDir: '/tmp/x', baileysVersion: '1.2.3' }, 400, /Baileys 1\.2\.3.*not installed/],
      ['POST', '/moves', { kind: 'explode' }, 400, /unknown move kind "explode"/],
      ['POST', '/moves', { kind: 'stream-error' }, 400, /needs "code"/],
      ['POST', '/moves', { move: { kind: 'silence' }, target: -1 }, 400, /"target"/],
      ['POST', '/connections/99/moves', { kind: 'silence' }, 404, /no live connection 99/],
      ['PUT', '/admission', { rejectUpgrade: 'yes' }, 400, /rejectUpgrade/],
      ['PUT', '/admission', { bogus: 1 }, 400, /unknown admission key "bogus"/],
      ['POST', '/scan', { qr: 'nonsense' }, 400, /Failed to parse the pairing QR/],
      ['GET', '/events?since=abc', undefined, 400, /since/],
      ['GET', '/nowhere', undefined, 404, /no route/],
      ['DELETE', '/devices', undefined, 405, /not allowed/],
    ];
    for (const [method, path, body, status, message] of cases) {
      const res = await api(ctl.url, method, path, body);
      expect({ path, status: res.status }).toEqual({ path, status });
      expect(res.body).toMatchObject({ status, error: expect.stringMatching(message) });
    }
    const dir = await tempDir();
    expect((await api(ctl.url, 'POST', '/devices', { authDir: dir })).status).toBe(201);
    const again = await api(ctl.url, 'POST', '/devices', { authDir: dir });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatch(/already holds a session/);
  });

  test('without a provisioner, POST /devices is a 501 that says how to get one', async () => {
    const server = await startServer();
    const ctl = await startControlApi(server);
    onCleanup(() => ctl.close());
    const res = await api(ctl.url, 'POST', '/devices', { authDir: await tempDir() });
    expect(res).toMatchObject({ status: 501, body: { status: 501, error: expect.stringMatching(/without a provisioner/) } });
  });
});

describe('baileys-chaos serve', () => {
  test('--json prints the URLs; a bot provisioned through the API logs in', async () => {
    const child = spawn(process.execPath, ['bin/baileys-chaos.js', 'serve', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    onCleanup(
      () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    );
    const line = await new Promise<string>((resolve, reject) => {
      const rl = createInterface({ input: child.stdout! });
      rl.once('line', resolve);
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
      setTimeout(() => reject(new Error('serve printed nothing in 20 s')), 20_000);
    });
    const { wsUrl, controlUrl } = JSON.parse(line);
    expect(wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/ws\/chat$/);
    const authDir = await tempDir();
    expect((await api(controlUrl, 'POST', '/devices', { authDir, baileysVersion: version })).status).toBe(201);
    const { publicKey } = (await api(controlUrl, 'GET', '/trust')).body;
    const client = await ObservedClient.connect({ version: version!, wsUrl, trustedPublicKey: Buffer.from(publicKey, 'base64'), authDir });
    onCleanup(() => client.end());
    await client.waitFor('open', 15_000);
  });

  test('a port in use is one clear line and exit code 2 (bad input)', async () => {
    const server = await startServer();
    const child = spawn(process.execPath, ['bin/baileys-chaos.js', 'serve', '--port', String(server.port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr.trim()).toMatch(/^baileys-chaos: Failed to start the fake server: 127\.0\.0\.1:\d+ is already in use\. Pick another --port/);
  });

  test('an unknown flag is a usage error (exit 2)', async () => {
    const child = spawn(process.execPath, ['bin/baileys-chaos.js', 'serve', '--prot', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(2);
    expect(stderr).toMatch(/Unknown option '--prot'/);
  });
});
