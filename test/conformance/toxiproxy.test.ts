/**
 * One suite, two servers: the embedded Toxiproxy must behave as the real one does, through the
 * same client. Each toxic's effect is measured on real traffic; API answers are compared.
 * The real server runs when its binary is installed (.ci/run installs it: in CI a missing binary
 * fails this suite rather than skipping it).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { systemClock } from '../../core/clock.js';
import { findToxiproxyBinary, startBinary, startEmbedded, type ToxiproxyBackend } from '../../harness/faults/toxiproxy/backend.js';
import { ToxiproxyApiError } from '../../harness/faults/toxiproxy/client.js';
import { flood } from '../support/flood.js';

const binary = findToxiproxyBinary();
if (!binary && process.env.CI) throw new Error('toxiproxy-server is not installed: .ci/run must install it (go install).');
const backends: [string, () => Promise<ToxiproxyBackend>][] = [['embedded', () => startEmbedded(systemClock, 1)]];
if (binary) backends.push(['real toxiproxy-server', () => startBinary(binary)]);
else console.warn('conformance: real toxiproxy-server not found; running against the embedded server only (install: see README "Toxiproxy")');

/** An upstream that echoes, or (mode "hold") accepts and keeps quiet. */
async function echoServer(): Promise<{ server: Server; address: string; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    s.pipe(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, address: `127.0.0.1:${(server.address() as { port: number }).port}`, sockets };
}

function open(listen: string): Promise<Socket> {
  const [host, port] = [listen.slice(0, listen.lastIndexOf(':')), Number(listen.slice(listen.lastIndexOf(':') + 1))];
  return new Promise((resolve, reject) => {
    const s = connect({ host, port }, () => resolve(s));
    s.once('error', reject);
  });
}

/** Collects what a socket receives and how it ends. */
function observe(s: Socket) {
  const o = { bytes: 0, chunks: 0, firstAt: -1, ended: false, error: '' as string, closedAt: -1 };
  s.on('data', (d) => {
    if (o.firstAt < 0) o.firstAt = performance.now();
    o.bytes += d.length;
    o.chunks++;
  });
  s.on('end', () => (o.ended = true));
  s.on('error', (e: NodeJS.ErrnoException) => (o.error = e.code ?? e.message));
  s.on('close', () => (o.closedAt = performance.now()));
  return o;
}

const until = async (cond: () => boolean, timeoutMs: number, what: string) => {
  const start = performance.now();
  while (!cond()) {
    if (performance.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

/** Waits until `value()` has stayed the same for `quietMs` (a stall), within a deadline; returns it. */
const settled = async (value: () => number, quietMs: number, timeoutMs: number, what: string) => {
  const start = performance.now();
  let last = value();
  let since = start;
  while (performance.now() - since < quietMs) {
    if (performance.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} to settle (last ${last})`);
    await new Promise((r) => setTimeout(r, 20));
    if (value() !== last) [last, since] = [value(), performance.now()];
  }
  return last;
};

/** Writes `payload` and waits for its echo; returns how long that took (ms). */
async function echoTime(s: Socket, o: ReturnType<typeof observe>, payload: string, timeoutMs = 3000): Promise<number> {
  const want = o.bytes + payload.length;
  const t0 = performance.now();
  s.write(payload);
  await until(() => o.bytes >= want, timeoutMs, `the echo of "${payload}"`);
  return performance.now() - t0;
}

describe.each(backends)('Toxiproxy conformance: %s', (_name, start) => {
  let backend: ToxiproxyBackend;
  let upstream: Awaited<ReturnType<typeof echoServer>>;
  let n = 0;
  const sockets: Socket[] = [];
  const proxy = async () => {
    const p = await backend.client.createProxy(`p${++n}`, upstream.address);
    return p;
  };
  const client = async (listen: string) => {
    const s = await open(listen);
    sockets.push(s);
    return s;
  };

  /** POST /proxies/{proxy}/toxics/{toxic} through the stock client, as a harness would call it. */
  const updateToxic = async (proxyName: string, toxicName: string, body: { attributes?: Record<string, number>; toxicity?: number }) => {
    const toxic = await (await backend.client.client.get(proxyName)).getToxic(toxicName);
    return toxic.update(body as never);
  };

  beforeAll(async () => {
    backend = await start();
    upstream = await echoServer();
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await backend?.close();
    await new Promise<void>((r) => (upstream ? upstream.server.close(() => r()) : r()));
    for (const s of upstream?.sockets ?? []) s.destroy();
  });

  describe('API', () => {
    const raw = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(backend.url + path, { method, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    };

    test('proxies: 201 on create, 409 on a duplicate, 404 when unknown, 204 on delete', async () => {
      const created = await raw('POST', '/proxies', { name: 'api1', upstream: upstream.address, listen: '127.0.0.1:0' });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: 'api1', upstream: upstream.address, enabled: true, toxics: [] });
      expect(created.body.listen).toMatch(/^127\.0\.0\.1:[1-9]\d*$/);
      expect(await raw('POST', '/proxies', { name: 'api1', upstream: upstream.address })).toEqual({ status: 409, body: { error: 'proxy already exists', status: 409 } });
      expect(await raw('POST', '/proxies', { name: 'x' })).toEqual({ status: 400, body: { error: 'missing required field: upstream', status: 400 } });
      expect(await raw('GET', '/proxies/nope')).toEqual({ status: 404, body: { error: 'proxy not found', status: 404 } });
      expect((await raw('GET', '/proxies')).body.api1).toMatchObject({ name: 'api1' });
      expect((await raw('DELETE', '/proxies/api1')).status).toBe(204);
    });

    test('toxics: 200 on create (not 201), default name and stream, attributes with defaults, errors', async () => {
      await raw('POST', '/proxies', { name: 'api2', upstream: upstream.address, listen: '127.0.0.1:0' });
      const t = await raw('POST', '/proxies/api2/toxics', { type: 'latency', attributes: { latency: 100 } });
      expect(t).toEqual({ status: 200, body: { name: 'latency_downstream', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 100, jitter: 0 } } });
      expect(await raw('POST', '/proxies/api2/toxics', { type: 'latency' })).toEqual({ status: 409, body: { error: 'toxic already exists', status: 409 } });
      expect(await raw('POST', '/proxies/api2/toxics', { type: 'explode' })).toEqual({ status: 400, body: { error: 'invalid toxic type', status: 400 } });
      expect(await raw('POST', '/proxies/api2/toxics', { type: 'latency', stream: 'sideways' })).toEqual({ status: 400, body: { error: 'stream was invalid, can be either upstream or downstream', status: 400 } });
      expect(await raw('GET', '/proxies/api2/toxics/none')).toEqual({ status: 404, body: { error: 'toxic not found', status: 404 } });
      const updated = await raw('POST', '/proxies/api2/toxics/latency_downstream', { attributes: { jitter: 5 } });
      expect(updated.body.attributes).toEqual({ latency: 100, jitter: 5 });
      expect((await raw('GET', '/proxies/api2/toxics')).body).toHaveLength(1);
      expect((await raw('DELETE', '/proxies/api2/toxics/latency_downstream')).status).toBe(204);
      expect((await raw('POST', '/proxies/api2/toxics', 'not json')).status).toBe(400);
      expect((await raw('POST', '/reset')).status).toBe(204);
      expect((await raw('GET', '/version')).body).toHaveProperty('version');
    });

    test('every toxic type the harness uses exists, with the attributes it expects', async () => {
      await raw('POST', '/proxies', { name: 'api3', upstream: upstream.address, listen: '127.0.0.1:0' });
      const expected: Record<string, Record<string, number>> = {
        latency: { latency: 0, jitter: 0 },
        bandwidth: { rate: 0 },
        slow_close: { delay: 0 },
        timeout: { timeout: 0 },
        reset_peer: { timeout: 0 },
        slicer: { average_size: 0, size_variation: 0, delay: 0 },
        limit_data: { bytes: 0 },
        noop: {},
      };
      for (const [type, attributes] of Object.entries(expected)) {
        const t = await raw('POST', '/proxies/api3/toxics', { type, stream: 'upstream' });
        expect(t.status).toBe(200);
        expect(t.body.attributes ?? {}).toEqual(attributes);
      }
    });

    test('the client adapter keeps the server\'s error text; populate([]) is fine', async () => {
      const err = await backend.client.createProxy('dup', upstream.address).then(() => backend.client.createProxy('dup', upstream.address)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ToxiproxyApiError);
      expect(err).toMatchObject({ status: 409, serverMessage: 'proxy already exists' });
      expect(await backend.client.populate([])).toEqual({});
    });
  });

  describe('toxics on real traffic', () => {
    test('no toxic: bytes pass both ways', async () => {
      const p = await proxy();
      const s = await client(p.listen);
      const o = observe(s);
      s.write(Buffer.alloc(10_000, 1));
      await until(() => o.bytes === 10_000, 3000, 'the echo');
    });

    test('latency 200 ms downstream: the echo arrives 200 ms later (±150)', async () => {
      const p = await proxy();
      await backend.client.addToxic(p.name, { type: 'latency', attributes: { latency: 200, jitter: 0 } });
      const s = await client(p.listen);
      const o = observe(s);
      const t0 = performance.now();
      s.write('ping');
      await until(() => o.bytes === 4, 3000, 'the echo');
      expect(o.firstAt - t0).toBeGreaterThanOrEqual(195);
      expect(o.firstAt - t0).toBeLessThan(350);
    });

    test('limit_data 100 bytes: exactly 100 bytes arrive, then the connection closes', async () => {
      const p = await proxy();
      await backend.client.addToxic(p.name, { type: 'limit_data', attributes: { bytes: 100 } });
      const s = await client(p.listen);
      const o = observe(s);
      s.write(Buffer.alloc(1000, 2));
      await until(() => o.closedAt > 0, 3000, 'the close');
      expect(o.bytes).toBe(100);
    });

    test('reset_peer added before connecting: the client sees ECONNRESET', async () => {
      const p = await proxy();
      await backend.client.addToxic(p.name, { type: 'reset_peer', stream: 'upstream', attributes: { timeout: 0 } });
      const s = await client(p.listen);
      const o = observe(s);
      s.write('x');
      await until(() => o.closedAt > 0, 3000, 'the reset');
      expect(o.error).toBe('ECONNRESET');
    });

    test('reset_peer added to an open connection: a plain close, not a reset', async () => {
      const p = await proxy();
      const s = await client(p.listen);
      const o = observe(s);
      s.write('a');
      await until(() => o.bytes === 1, 3000, 'the first echo');
      await backend.client.addToxic(p.name, { type: 'reset_peer', stream: 'upstream', attributes: { timeout: 0 } });
      s.write('b');
      await until(() => o.closedAt > 0, 3000, 'the close');
      expect(o.error).toBe('');
    });

    test('timeout 0 (blackhole) holds data back; removing it closes the connection', async () => {
      const p = await proxy();
      await backend.client.addToxic(p.name, { type: 'timeout', stream: 'upstream', attributes: { timeout: 0 } });
      const s = await client(p.listen);
      const o = observe(s);
      s.write('lost');
      await new Promise((r) => setTimeout(r, 300)); // a bounded window in which nothing may arrive
      expect(o.bytes).toBe(0);
      expect(o.closedAt).toBe(-1);
      await backend.client.removeToxic(p.name, 'timeout_upstream');
      await until(() => o.closedAt > 0, 3000, 'the close after removal');
      expect(o.bytes).toBe(0);
    });

    test('timeout 200 ms: the connection closes about 200 ms after the last data', async () => {
      const p = await proxy();
      await backend.client.addToxic(p.name, { type: 'timeout', stream: 'upstream', attributes: { timeout: 200 } });
      const s = await client(p.listen);
      const o = observe(s);
      const t0 = performance.now();
      s.write('x');
      await until(() => o.closedAt > 0, 3000, 'the timeout');
      expect(o.closedAt - t0).toBeGreaterThanOrEqual(190);
      expect(o.closedAt - t0).toBeLessThan(500);
    });

    test('bandwidth 10 KB/s: 5000 bytes take about 0.5 s; rate 0 stalls', async () => {
      const p = await proxy();
      await backend.client.addToxic(p.name, { type: 'bandwidth', attributes: { rate: 10 } });
      const s = await client(p.listen);
      const o = observe(s);
      const t0 = performance.now();
      s.write(Buffer.alloc(5000, 3));
      await until(() => o.bytes === 5000, 5000, 'the echo');
      expect(performance.now() - t0).toBeGreaterThanOrEqual(400);
      const q = await proxy();
      await backend.client.addToxic(q.name, { type: 'bandwidth', attributes: { rate: 0 } });
      const s2 = await client(q.listen);
      const o2 = observe(s2);
      s2.write('stalled');
      await new Promise((r) => setTimeout(r, 300));
      expect(o2.bytes).toBe(0);
    });

    test('slicer: one write arrives in many pieces', async () => {
      const p = await proxy();
      await backend.client.addToxic(p.name, { type: 'slicer', attributes: { average_size: 100, size_variation: 20, delay: 2000 } });
      const s = await client(p.listen);
      const o = observe(s);
      s.write(Buffer.alloc(4000, 4));
      await until(() => o.bytes === 4000, 5000, 'the echo');
      expect(o.chunks).toBeGreaterThan(5);
    });

    test('slow_close 300 ms: the close reaches the client 300 ms after the upstream closed', async () => {
      const p = await proxy();
      await backend.client.addToxic(p.name, { type: 'slow_close', attributes: { delay: 300 } });
      const s = await client(p.listen);
      const o = observe(s);
      s.write('x');
      await until(() => o.bytes === 1, 3000, 'the echo');
      const t0 = performance.now();
      for (const u of upstream.sockets) u.end();
      await until(() => o.closedAt > 0 || o.ended, 3000, 'the close');
      expect(performance.now() - t0).toBeGreaterThanOrEqual(280);
    });

    test('an update reaches a live connection: latency 0 → 300 → 0 applies to the next data', async () => {
      const p = await proxy();
      await backend.client.addToxic(p.name, { type: 'latency', attributes: { latency: 0, jitter: 0 } });
      const s = await client(p.listen);
      const o = observe(s);
      expect(await echoTime(s, o, 'a')).toBeLessThan(150);
      await updateToxic(p.name, 'latency_downstream', { attributes: { latency: 300, jitter: 0 } });
      const slow = await echoTime(s, o, 'b');
      expect(slow).toBeGreaterThanOrEqual(290);
      expect(slow).toBeLessThan(600);
      await updateToxic(p.name, 'latency_downstream', { attributes: { latency: 0, jitter: 0 } });
      expect(await echoTime(s, o, 'c')).toBeLessThan(150);
    });

    test('an update lets go of the data a toxic holds: latency 5 s → 0 releases the held echo at once', async () => {
      const p = await proxy();
      await backend.client.addToxic(p.name, { type: 'latency', attributes: { latency: 5000, jitter: 0 } });
      let echoed = false; // listening before the connection exists: the proxy dials the upstream as it accepts
      upstream.server.once('connection', (u) => u.once('data', () => (echoed = true)));
      const s = await client(p.listen);
      const o = observe(s);
      s.write('held');
      await until(() => echoed, 3000, 'the upstream to echo it'); // the echo is now on its way through the latency toxic
      const t0 = performance.now();
      await updateToxic(p.name, 'latency_downstream', { attributes: { latency: 0, jitter: 0 } });
      await until(() => o.bytes === 4, 1500, 'the held echo after the update');
      expect(performance.now() - t0).toBeLessThan(1000);
    });

    test('adding a toxic restarts the one before it (Toxiproxy rewires it): a latency toxic\'s held echo goes out at once', async () => {
      const p = await proxy();
      await backend.client.addToxic(p.name, { type: 'latency', attributes: { latency: 5000, jitter: 0 } });
      let echoed = false;
      upstream.server.once('connection', (u) => u.once('data', () => (echoed = true)));
      const s = await client(p.listen);
      const o = observe(s);
      s.write('held');
      await until(() => echoed, 3000, 'the upstream to echo it');
      const t0 = performance.now();
      await backend.client.addToxic(p.name, { name: 'after', type: 'noop', attributes: {} });
      await until(() => o.bytes === 4, 1500, 'the held echo after the add');
      expect(performance.now() - t0).toBeLessThan(1000);
    });

    test('an update while slow_close holds the close: the restarted toxic waits its new delay (3 s → 300 ms)', async () => {
      const p = await proxy();
      await backend.client.addToxic(p.name, { type: 'slow_close', attributes: { delay: 3000 } });
      let far: Socket | undefined;
      upstream.server.once('connection', (u) => (far = u));
      const s = await client(p.listen);
      const o = observe(s);
      s.write('x');
      await until(() => o.bytes === 1 && far !== undefined, 3000, 'the echo');
      far!.end();
      // Time for the FIN to reach the toxic, which then holds it for 3 s. Were it later, the close
      // would still come >= 300 ms after the update: the check holds either way.
      await new Promise((r) => setTimeout(r, 200));
      const t0 = performance.now();
      await updateToxic(p.name, 'slow_close_downstream', { attributes: { delay: 300 } });
      await until(() => o.closedAt > 0 || o.ended, 2000, 'the close at the new delay');
      expect(performance.now() - t0).toBeGreaterThanOrEqual(280);
    });

    test('toxicity is drawn again on update: a toxic at toxicity 0 starts on a live connection at 1, stops at 0', async () => {
      const p = await proxy();
      await backend.client.addToxic(p.name, { type: 'latency', toxicity: 0, attributes: { latency: 300, jitter: 0 } });
      const s = await client(p.listen);
      const o = observe(s);
      expect(await echoTime(s, o, 'a')).toBeLessThan(150);
      expect((await updateToxic(p.name, 'latency_downstream', { toxicity: 1 })).attributes).toEqual({ latency: 300, jitter: 0 });
      expect(await echoTime(s, o, 'b')).toBeGreaterThanOrEqual(290);
      await updateToxic(p.name, 'latency_downstream', { toxicity: 0 });
      expect(await echoTime(s, o, 'c')).toBeLessThan(150);
    });

    test('an update keeps a toxic\'s per-connection state: limit_data counts on from what it passed', async () => {
      const p = await proxy();
      await backend.client.addToxic(p.name, { type: 'limit_data', attributes: { bytes: 100 } });
      const s = await client(p.listen);
      const o = observe(s);
      await echoTime(s, o, 'x'.repeat(60));
      await updateToxic(p.name, 'limit_data_downstream', { attributes: { bytes: 150 } });
      s.write('y'.repeat(200));
      await until(() => o.closedAt > 0, 3000, 'the close at the new limit');
      expect(o.bytes).toBe(150);
    });

    test('backpressure: an upstream that does not read stops a 64 MB sender; once it reads, all of it arrives', async () => {
      const TOTAL = 64 * 1024 * 1024;
      const held = new Set<Socket>();
      const quiet = createServer({ pauseOnConnect: true }, (u) => {
        held.add(u);
        u.on('error', () => undefined);
      });
      await new Promise<void>((r) => quiet.listen(0, '127.0.0.1', () => r()));
      try {
        const p = await backend.client.createProxy(`p${++n}`, `127.0.0.1:${(quiet.address() as { port: number }).port}`);
        const s = await client(p.listen);
        const sent = flood(s, TOTAL);
        // What left the sender's own buffer: without backpressure the proxy would take all 64 MB.
        const stalledAt = await settled(sent.out, 500, 15_000, 'what the sender got out');
        expect(stalledAt).toBeLessThan(TOTAL / 2); // kernel buffers on both hops take a few MB (6.6 MB here)
        expect(s.writableLength).toBeGreaterThan(0); // the rest waits in the sender
        expect(held.size).toBe(1);
        let got = 0;
        for (const u of held) {
          u.on('data', (d: Buffer) => (got += d.length));
          u.resume();
        }
        await until(() => got === TOTAL, 20_000, 'all 64 MB at the upstream once it reads');
      } finally {
        for (const u of held) u.destroy();
        await new Promise<void>((r) => quiet.close(() => r()));
      }
    });

    test('a disabled proxy refuses connections; enabling it again accepts them', async () => {
      const p = await proxy();
      await backend.client.setEnabled(p.name, false);
      await expect(open(p.listen)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      await backend.client.setEnabled(p.name, true);
      (await client(p.listen)).destroy();
    });
  });
});
