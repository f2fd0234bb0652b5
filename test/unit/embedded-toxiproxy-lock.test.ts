/**
 * The embedded Toxiproxy's own guards, beyond what the conformance suite compares: a body limit
 * and no cross-origin requests. Browsers are refused as the real server refuses them.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { systemClock } from '../../core/clock.js';
import { EmbeddedToxiproxy } from '../../harness/faults/toxiproxy/embedded/api.js';

let toxiproxy: EmbeddedToxiproxy;
beforeAll(async () => {
  toxiproxy = new EmbeddedToxiproxy({ clock: systemClock, seed: 1 });
  await toxiproxy.start();
});
afterAll(() => toxiproxy.close());

function send(method: string, path: string, headers: Record<string, string>, body?: Buffer | string) {
  return new Promise<{ status: number; headers: Record<string, unknown>; text: string }>((resolve, reject) => {
    const req = request(toxiproxy.url + path, { method, headers }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('a body over 1 MiB is a 413, declared or streamed, and the server keeps serving', async () => {
  const big = JSON.stringify({ name: 'big', upstream: '127.0.0.1:1', pad: 'x'.repeat(1024 * 1024) });
  const declared = await send('POST', '/proxies', { 'content-length': String(big.length) }, big);
  expect(declared.status).toBe(413);
  expect(JSON.parse(declared.text)).toEqual({ status: 413, error: 'Failed to read the request body: it is larger than 1048576 bytes. Send a smaller one.' });
  expect(declared.headers.connection).toBe('close');
  const streamed = await send('POST', '/populate', { 'transfer-encoding': 'chunked' }, Buffer.alloc(3 * 1024 * 1024, 0x20));
  expect(streamed.status).toBe(413);
  expect((await send('GET', '/proxies', {})).text).toBe('{}');
  const fits = JSON.stringify({ name: 'fits', upstream: '127.0.0.1:1', listen: '127.0.0.1:0', pad: 'x'.repeat(512 * 1024) });
  expect((await send('POST', '/proxies', {}, fits)).status).toBe(201);
  expect((await send('DELETE', '/proxies/fits', {})).status).toBe(204);
});

test('a request from another origin is a 403; its own origin and no Origin pass', async () => {
  const body = JSON.stringify({ name: 'web', upstream: '127.0.0.1:1', listen: '127.0.0.1:0' });
  const foreign = await send('POST', '/proxies', { origin: 'https://evil.example' }, body);
  expect(foreign.status).toBe(403);
  expect(JSON.parse(foreign.text).error).toMatch(/^Failed to accept the request: it comes from a web page at https:\/\/evil\.example/);
  expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
  expect((await send('GET', '/proxies', { origin: 'null' })).status).toBe(403);
  expect((await send('GET', '/proxies', {})).text).toBe('{}');
  expect((await send('GET', '/version', { origin: toxiproxy.url })).status).toBe(200);
});

test('a browser (a "Mozilla/" User-Agent) is refused as the real server refuses it', async () => {
  const res = await send('POST', '/reset', { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64)' });
  expect(res).toMatchObject({ status: 403, text: 'User agent not allowed\n' });
  expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
});

test('a bad %-escape in the path is a 400, not a 500', async () => {
  expect((await send('GET', '/proxies/%E0%A4%A', {})).status).toBe(400);
});

test('a client of a proxy whose upstream has no valid port is closed, and the server lives on', async () => {
  const created = await send('POST', '/proxies', {}, JSON.stringify({ name: 'badup', upstream: 'nonsense', listen: '127.0.0.1:0' }));
  expect(created.status).toBe(201);
  const [host, port] = JSON.parse(created.text).listen.split(':');
  const { connect } = await import('node:net');
  const socket = connect({ host, port: Number(port) });
  await new Promise<void>((resolve) => socket.on('close', () => resolve()).on('error', () => undefined));
  expect((await send('GET', '/version', {})).status).toBe(200);
  expect((await send('POST', '/proxies', {}, JSON.stringify({ name: 'badlisten', upstream: '127.0.0.1:1', listen: '127.0.0.1:99999' }))).text).toMatch(/^\{"error":"listen tcp: address 127\.0\.0\.1:99999: invalid port","status":500\}/);
  expect((await send('DELETE', '/proxies/badup', {})).status).toBe(204);
});
