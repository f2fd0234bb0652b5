import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, realpath, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, test } from 'vitest';
import { startControlApi } from '../../fake-server/control-api.js';
import { loadBaileys, versionsUnderTest } from '../../harness/baileys/versions.js';
import { ObservedClient } from '../../harness/baileys/client.js';
import { provisionForControlApi } from '../../harness/provision.js';
import { FileSessionStore } from '../../harness/session/file-store.js';
import { onCleanup, rootWithEscapes, startServer, tempDir } from '../helpers.js';

/** A request as the harness makes it: the server's token, and JSON. */
async function api(ctl: { url: string; token: string }, method: string, path: string, body?: unknown) {
  const res = await fetch(ctl.url + path, {
    method,
    headers: { authorization: `Bearer ${ctl.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as any };
}

/** A request with exactly the headers given (fetch would add its own Content-Type and forbids none of these). */
function raw(base: string, method: string, path: string, headers: Record<string, string>, body?: string) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: any }>((resolve, reject) => {
    const req = request(base + path, { method, headers: { ...headers, ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }) } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const [version] = versionsUnderTest().slice(-1);

describe('control API', () => {
  test('provision, trust, connections, moves and events drive a real client', async () => {
    const server = await startServer();
    const ctl = await startControlApi(server, { provision: provisionForControlApi });
    onCleanup(() => ctl.close());
    const authDir = await tempDir();

    const trust = await api(ctl, 'GET', '/trust');
    expect(Buffer.from(trust.body.publicKey, 'base64')).toEqual(server.trustedPublicKey);
    const dev = await api(ctl, 'POST', '/devices', { authDir, baileysVersion: version });
    expect(dev.status).toBe(201);
    expect(dev.body.jid).toMatch(/^\d+:1@s\.whatsapp\.net$/);

    const client = await ObservedClient.connect({ version: version!, wsUrl: server.wsUrl, trustedPublicKey: Buffer.from(trust.body.publicKey, 'base64'), authDir });
    onCleanup(() => client.end());
    await client.waitFor('open', 15_000);

    const conns = await api(ctl, 'GET', '/connections');
    expect(conns.body).toEqual([expect.objectContaining({ jid: dev.body.jid, open: true })]);
    const moved = await api(ctl, 'POST', `/connections/${conns.body[0].id}/moves`, { kind: 'conflict' });
    expect(moved.body.applied).toBe(1);
    expect((await client.waitFor('close', 5_000)).code).toBe(440);

    const events = await api(ctl, 'GET', `/events?conn=${conns.body[0].id}`);
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
      const res = await api(ctl, method, path, body);
      expect({ path, status: res.status }).toEqual({ path, status });
      expect(res.body).toMatchObject({ status, error: expect.stringMatching(message) });
    }
    const dir = await tempDir();
    expect((await api(ctl, 'POST', '/devices', { authDir: dir })).status).toBe(201);
    const again = await api(ctl, 'POST', '/devices', { authDir: dir });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatch(/already holds a session/);
  });

  test('without a provisioner, POST /devices is a 501 that says how to get one', async () => {
    const server = await startServer();
    const ctl = await startControlApi(server);
    onCleanup(() => ctl.close());
    const res = await api(ctl, 'POST', '/devices', { authDir: await tempDir() });
    expect(res).toMatchObject({ status: 501, body: { status: 501, error: expect.stringMatching(/without a provisioner/) } });
  });
});

describe('control API lock', () => {
  test('a change needs the token, a body must be JSON, another origin is refused; reads stay open', async () => {
    const server = await startServer();
    const ctl = await startControlApi(server, { provision: provisionForControlApi });
    onCleanup(() => ctl.close());
    expect(ctl.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const auth = { authorization: `Bearer ${ctl.token}` };
    const json = { 'content-type': 'application/json' };

    const none = await raw(ctl.url, 'POST', '/restart', {});
    expect(none).toMatchObject({ status: 401, body: { status: 401, error: expect.stringMatching(/^Failed to authorize POST \/restart: it carries no bearer token\. Send "Authorization: Bearer <token>"/) } });
    expect(none.headers['www-authenticate']).toBe('Bearer');
    const wrong = await raw(ctl.url, 'PUT', '/admission', { authorization: `Bearer ${ctl.token.slice(0, -1)}x`, ...json }, '{}');
    expect(wrong).toMatchObject({ status: 401, body: { error: expect.stringMatching(/its bearer token is not this server's/) } });
    expect((await raw(ctl.url, 'DELETE', '/admission', { authorization: ctl.token })).status).toBe(401); // no "Bearer"
    expect((await raw(ctl.url, 'POST', '/nowhere', {})).status).toBe(401); // no route is revealed to a caller without the token
    expect(server.events.list({ type: 'fault-applied' })).toEqual([]);

    // A text/plain POST (what a web form or a no-preflight fetch sends) creates nothing.
    const nested = join(await tempDir(), 'a', 'b');
    const plain = await raw(ctl.url, 'POST', '/devices', { ...auth, 'content-type': 'text/plain' }, JSON.stringify({ authDir: nested }));
    expect(plain).toMatchObject({ status: 415, body: { status: 415, error: expect.stringMatching(/Content-Type is "text\/plain", not application\/json/) } });
    expect(existsSync(nested)).toBe(false);
    expect((await raw(ctl.url, 'POST', '/moves', auth, '{"kind":"silence"}')).body.error).toMatch(/Content-Type is missing/);
    expect((await raw(ctl.url, 'POST', '/moves', { ...auth, 'content-type': 'application/json; charset=utf-8' }, '{"kind":"explode"}')).status).toBe(400);
    expect((await raw(ctl.url, 'POST', '/restart', auth)).status).toBe(200); // no body, no Content-Type needed

    const foreign = await raw(ctl.url, 'POST', '/devices', { ...auth, ...json, origin: 'https://evil.example' }, JSON.stringify({ authDir: nested }));
    expect(foreign).toMatchObject({ status: 403, body: { error: expect.stringMatching(/web page at https:\/\/evil\.example .* no cross-origin requests/) } });
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    expect(existsSync(nested)).toBe(false);
    expect((await raw(ctl.url, 'GET', '/trust', { origin: 'null' })).status).toBe(403);
    expect((await raw(ctl.url, 'OPTIONS', '/devices', { origin: 'https://evil.example', 'access-control-request-method': 'POST' })).status).toBe(403);

    expect((await raw(ctl.url, 'GET', '/trust', {})).status).toBe(200);
    expect((await raw(ctl.url, 'GET', '/health', { origin: ctl.url })).status).toBe(200);
    expect((await raw(ctl.url, 'POST', '/moves', { ...auth, ...json, origin: ctl.url }, '{"kind":"silence"}')).status).toBe(200);
  });

  test('a token can be given; a short one is refused', async () => {
    const server = await startServer();
    const token = 'given-token-for-tests-0123456789';
    const ctl = await startControlApi(server, { token });
    onCleanup(() => ctl.close());
    expect(ctl.token).toBe(token);
    expect((await api(ctl, 'DELETE', '/admission')).status).toBe(200);
    await expect(startControlApi(server, { token: 'short' })).rejects.toThrow(/^Failed to start the control API: the token must be at least 16 visible ASCII characters/);
  });

  test('POST /devices writes only under the allowed roots, never through a symlink out of them', async () => {
    const server = await startServer();
    const { root, outside } = await rootWithEscapes();
    const ctl = await startControlApi(server, { provision: provisionForControlApi, allowDirs: [root] });
    onCleanup(() => ctl.close());
    await writeFile(join(root, 'file'), 'x');

    const refused: [string, RegExp][] = [
      [join(outside, 'sub'), /is outside the allowed directories/],
      [join(root, '..', 'escape'), /is outside the allowed directories/],
      [join(root, 'link'), /link leads to .* outside the allowed directories/],
      [join(root, 'link', 'sub', 'deeper'), /link leads to .* outside the allowed directories/],
      [join(root, 'dangling', 'sub'), /is a symlink to a place that does not exist/],
      [join(root, 'trap'), /holds a symlink, .*creds\.json, that a write would follow/],
    ];
    for (const [authDir, why] of refused) {
      const res = await api(ctl, 'POST', '/devices', { authDir, overwrite: true });
      expect({ authDir, status: res.status }).toEqual({ authDir, status: 403 });
      expect(res.body.error).toMatch(why);
      expect(res.body.error).toContain(`Allowed: ${await realpath(root)}.`);
    }
    expect((await api(ctl, 'POST', '/devices', { authDir: join(root, 'file') })).status).toBe(400);
    expect(existsSync(join(outside, 'sub'))).toBe(false);
    expect(existsSync(join(outside, 'creds-target.json'))).toBe(false);
    expect(existsSync(join(root, '..', 'escape'))).toBe(false);

    // ".." is resolved as text before any symlink is followed: link/.. is the root, not outside's parent.
    expect((await api(ctl, 'POST', '/devices', { authDir: `${root}/link/../dotdot` })).body.authDir).toBe(join(await realpath(root), 'dotdot'));
    expect(existsSync(join(outside, '..', 'dotdot'))).toBe(false);

    const ok = await api(ctl, 'POST', '/devices', { authDir: join(root, 'bots', 'one') });
    expect(ok.status).toBe(201);
    expect(ok.body.authDir).toBe(join(await realpath(root), 'bots', 'one'));
    expect(existsSync(join(root, 'bots', 'one', 'creds.json'))).toBe(true);
    await expect(startControlApi(server, { allowDirs: [join(root, 'missing')] })).rejects.toThrow(/^Failed to start the control API: the allowed directory .*missing cannot be used/);
  });

  test('overwrite replaces damaged creds (truncated, garbled, not an object): 201 and a paired session', async () => {
    const server = await startServer();
    const ctl = await startControlApi(server, { provision: provisionForControlApi });
    onCleanup(() => ctl.close());
    const baileys = await loadBaileys(version!);
    for (const damaged of ['{"noiseKey":{"private":{"type":"Buffer","da', 'not json at all \u0000', '[1,2,3]']) {
      const authDir = await tempDir();
      await writeFile(join(authDir, 'creds.json'), damaged);
      const refused = await api(ctl, 'POST', '/devices', { authDir, baileysVersion: version });
      expect(refused).toMatchObject({ status: 409, body: { error: expect.stringMatching(/holds a damaged session .* Pass overwrite to replace it/) } });
      const replaced = await api(ctl, 'POST', '/devices', { authDir, baileysVersion: version, overwrite: true });
      expect({ damaged, status: replaced.status }).toEqual({ damaged, status: 201 });
      expect(await readFile(join(authDir, 'creds.json'), 'utf8')).not.toBe(damaged);
      const session = await new FileSessionStore(authDir).load(baileys);
      expect(session.state.creds.me?.id).toBe(replaced.body.jid);
      await session.close();
    }
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
    const { wsUrl, controlUrl, token } = JSON.parse(line);
    expect(wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/ws\/chat$/);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const authDir = await tempDir();
    expect((await api({ url: controlUrl, token: 'not-the-token-at-all' }, 'POST', '/devices', { authDir, baileysVersion: version })).status).toBe(401);
    expect((await api({ url: controlUrl, token }, 'POST', '/devices', { authDir, baileysVersion: version })).status).toBe(201);
    const { publicKey } = (await api({ url: controlUrl, token }, 'GET', '/trust')).body;
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

  test('BAILEYS_CHAOS_TOKEN gives the token (not echoed in the human output); a short --token is exit 2', async () => {
    const token = 'token-from-the-environment-0123';
    const child = spawn(process.execPath, ['bin/baileys-chaos.js', 'serve'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BAILEYS_CHAOS_TOKEN: token } });
    onCleanup(() => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', () => resolve()), child.kill('SIGTERM')))));
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d) => ((out += d), /Ctrl-C/.test(out) && resolve()));
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    });
    expect(out).toMatch(/control token +\(given by BAILEYS_CHAOS_TOKEN\)/);
    expect(out).not.toContain(token);
    const controlUrl = /control API +(\S+)/.exec(out)![1]!;
    expect((await api({ url: controlUrl, token }, 'DELETE', '/admission')).status).toBe(200);

    const short = spawn(process.execPath, ['bin/baileys-chaos.js', 'serve', '--token', 'abc'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    short.stderr!.on('data', (d) => (stderr += d));
    expect(await new Promise((resolve) => short.once('exit', resolve))).toBe(2);
    expect(stderr).toMatch(/^baileys-chaos: Failed to start the control API: the token must be at least 16 visible ASCII characters/);
  });

  test('an unknown flag is a usage error (exit 2)', async () => {
    const child = spawn(process.execPath, ['bin/baileys-chaos.js', 'serve', '--prot', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(2);
    expect(stderr).toMatch(/Unknown option '--prot'/);
  });
});
