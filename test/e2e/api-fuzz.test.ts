/**
 * Throws 10⁵ malformed requests at the control API and 10⁵ at the embedded Toxiproxy API: bad
 * JSON, huge bodies, wrong types, unknown routes and methods, missing or wrong tokens, foreign
 * origins, paths out of the allowed roots. Every answer must be a 4xx (or a 2xx for the few that
 * happen to be valid), never a 5xx or a crash, and no file may be written outside the roots.
 * Replay: API_FUZZ_SEED=<seed printed below> npx vitest run test/e2e/api-fuzz.test.ts
 * (API_FUZZ_REQUESTS=<n> for another count).
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { basename, join } from 'node:path';
import { expect, test } from 'vitest';
import { Rng, seedFrom } from '../../core/random.js';
import { systemClock } from '../../core/clock.js';
import { startControlApi } from '../../fake-server/control-api.js';
import { MOVE_KINDS } from '../../fake-server/moves.js';
import { EmbeddedToxiproxy } from '../../harness/faults/toxiproxy/embedded/api.js';
import { provisionForControlApi } from '../../harness/provision.js';
import { onCleanup, rootWithEscapes, startServer } from '../helpers.js';

const TOTAL = Number(process.env.API_FUZZ_REQUESTS ?? 100_000);
const CONCURRENCY = 16;
const seed = seedFrom(process.env.API_FUZZ_SEED ?? '20261127');
console.log(`api fuzz seed ${seed} — replay: API_FUZZ_SEED=${seed} npx vitest run test/e2e/api-fuzz.test.ts`);

interface Sent {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function send(base: string, r: Sent): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers = { ...r.headers, ...(r.body ? { 'content-length': String(r.body.length) } : {}) };
    const req = request(base + r.path, { method: r.method, headers, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    });
    req.on('error', reject);
    req.end(r.body);
  });
}

/** Runs `count` requests, CONCURRENCY at a time; returns the ones answered with a 5xx. */
async function hammer(base: string, count: number, make: (rng: Rng) => Sent, rng: Rng) {
  const bad: { sent: Sent; status: number; text: string }[] = [];
  const statuses = new Map<number, number>();
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      const sent = make(rng);
      let res;
      try {
        res = await send(base, sent);
      } catch (err) {
        // The server may cut an oversized upload short once it has answered; anything else is a failure.
        if (sent.body && sent.body.length > 64 * 1024 && /ECONNRESET|EPIPE/.test((err as Error).message)) continue;
        throw new Error(`${sent.method} ${sent.path} failed: ${(err as Error).message} (seed ${seed})`);
      }
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status >= 500) bad.push({ sent: { ...sent, ...(sent.body ? { body: sent.body.subarray(0, 300) } : {}) }, ...res });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { bad, statuses: Object.fromEntries([...statuses].sort(([a], [b]) => a - b)) };
}

/** One example of each different 5xx answer, readable. */
function distinct(bad: { sent: Sent; status: number; text: string }[]) {
  const seen = new Map<string, unknown>();
  for (const b of bad) if (!seen.has(b.text)) seen.set(b.text, { ...b, sent: { ...b.sent, body: b.sent.body?.toString() } });
  return [...seen.values()].slice(0, 10);
}

const WORDS = ['', 'x', 'silence', 'stream-error', 'all', '1', '-1', 'null', 'true', '6.7.21', '7.0.0-rc14', '1.2.3', 'latency', 'timeout', 'upstream', 'downstream', '127.0.0.1:0', 'nonsense', '\u0000', 'é', '../..', '%00'];

/** A random JSON value, with keys and strings the two APIs look for (so the fuzz reaches their parsers). */
function value(rng: Rng, keys: string[], strings: string[], depth = 0): unknown {
  switch (rng.int(depth > 2 ? 6 : 9)) {
    case 0:
      return null;
    case 1:
      return rng.int(2) === 0;
    case 2:
      return rng.pick([0, 1, -1, 515, 1e21, -0.5, 2 ** 53, 503, 999, 1.5]);
    case 3:
    case 4:
    case 5:
      return rng.pick(strings);
    case 6:
      return Array.from({ length: rng.int(4) }, () => value(rng, keys, strings, depth + 1));
    default: {
      const out: Record<string, unknown> = {};
      for (let i = rng.int(5); i > 0; i--) out[rng.pick(keys)] = value(rng, keys, strings, depth + 1);
      return out;
    }
  }
}

function body(rng: Rng, keys: string[], strings: string[], huge: number): Buffer | undefined {
  switch (rng.int(12)) {
    case 0:
      return undefined;
    case 1:
      return Buffer.from(JSON.stringify(value(rng, keys, strings)).slice(0, 1 + rng.int(40))); // cut short
    case 2:
      return rng.bytes(rng.int(64)); // not JSON at all
    case 3:
      return rng.int(20) === 0 ? Buffer.alloc(huge + rng.int(1024), 0x20) : Buffer.from('[]');
    default: {
      const v = rng.int(4) === 0 ? value(rng, keys, strings) : Object.fromEntries(Array.from({ length: 1 + rng.int(4) }, () => [rng.pick(keys), value(rng, keys, strings, 1)]));
      return Buffer.from(JSON.stringify(v));
    }
  }
}

test('10⁵ malformed requests to the control API: 4xx, no crash, nothing written outside the roots', async () => {
  const server = await startServer();
  const { root, outside } = await rootWithEscapes();
  const ctl = await startControlApi(server, { provision: provisionForControlApi, allowDirs: [root] });
  onCleanup(() => ctl.close());
  const dirs = [
    ...Array.from({ length: 8 }, (_, i) => join(root, `d${i}`)),
    join(root, 'link', 'x'),
    join(root, 'dangling', 'y'),
    join(root, 'trap'),
    `${root}/../${basename(outside)}/z`,
    join(outside, 'o'),
    'relative-fuzz-dir/a',
    '/proc/self',
    '/',
    'a\u0000b',
    'x'.repeat(5000),
  ];
  const keys = ['authDir', 'baileysVersion', 'phoneNumber', 'overwrite', 'kind', 'code', 'child', 'reason', 'move', 'target', 'qr', 'rejectUpgrade', 'refuseLogin', 'closeMidHandshake', 'withholdSuccess', 'postHandshakeDelayMs', 'serverClockOffsetMs', 'silentHandshake', 'bogus'];
  const strings = [...WORDS, ...MOVE_KINDS, ...dirs, '15550001234', '+15550001234', '2@abc,def,ghi,jkl'];
  const paths = ['/devices', '/moves', '/connections/1/moves', '/connections/x/moves', '/connections/99999999999999999999/moves', '/admission', '/scan', '/events?since=-1', '/events?conn=abc&type=%ff', '/trust', '/health', '/stats', '/connections?live=0', '/restart', '/', '/nowhere', '/%E0%A4%A', '//devices', '/devices/../trust', '/devices?x=%'];
  const make = (rng: Rng): Sent => {
    const method = rng.pick(['POST', 'POST', 'POST', 'PUT', 'GET', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'PROPFIND']);
    let path = rng.pick(paths);
    // A restart drops every connection; it is valid, but rare in real use.
    if (path === '/restart' && rng.int(50) !== 0) path = '/restart?no';
    const headers: Record<string, string> = {};
    const auth = rng.int(10);
    if (auth < 6) headers.authorization = `Bearer ${ctl.token}`;
    else if (auth === 6) headers.authorization = `Bearer ${ctl.token.slice(1)}`;
    else if (auth === 7) headers.authorization = rng.pick(['Bearer', 'Basic eDp5', `bearer  ${ctl.token}`, ctl.token, 'Bearer \u00e9']);
    const type = rng.int(10);
    if (type < 6) headers['content-type'] = 'application/json';
    else if (type === 6) headers['content-type'] = rng.pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json5', 'APPLICATION/JSON; charset=utf-8']);
    if (rng.int(20) === 0) headers.origin = rng.pick(['https://evil.example', 'null', ctl.url, 'http://localhost:1']);
    // One in four bodies is nearly valid, so the fuzz gets past the first checks into provisioning and moves.
    const b = rng.int(4) === 0 ? nearlyValid(rng, path) : body(rng, keys, strings, 64 * 1024);
    return { method, path, headers, ...(b && method !== 'GET' && method !== 'HEAD' ? { body: b } : {}) };
  };
  const nearlyValid = (rng: Rng, path: string): Buffer => {
    const maybe = (v: unknown) => (rng.int(2) === 0 ? v : undefined);
    const v =
      path === '/devices'
        ? { authDir: rng.pick(dirs), baileysVersion: maybe(rng.pick(['6.7.21', '7.0.0-rc14', '1.2.3', 5])), overwrite: maybe(rng.pick([true, false, 'yes'])), phoneNumber: maybe(rng.pick(['15550001234', '+1', 1])) }
        : path === '/admission'
          ? { [rng.pick(keys)]: rng.pick([true, 503, null, -1, 'x', 1e21]) }
          : { kind: rng.pick(MOVE_KINDS), code: maybe(rng.pick([515, 0, 'x', 1e21])), reason: maybe(rng.pick([403, 'x'])), child: maybe(rng.pick(['bad-mac', 5])), target: maybe(rng.pick(['all', 1, -1, 'x'])) };
    return Buffer.from(JSON.stringify(v));
  };
  const { bad, statuses } = await hammer(ctl.url, TOTAL, make, new Rng(seed));
  console.log('control API statuses', statuses);
  expect(distinct(bad)).toEqual([]);
  expect((await send(ctl.url, { method: 'GET', path: '/health', headers: {} })).status).toBe(200);
  expect(await readdir(outside)).toEqual([]);
  expect(existsSync('relative-fuzz-dir')).toBe(false);
  expect(statuses[201] ?? 0, 'some requests should have provisioned a device').toBeGreaterThan(0);
}, 600_000);

test('10⁵ malformed requests to the embedded Toxiproxy API: 4xx, no crash', async () => {
  const toxiproxy = new EmbeddedToxiproxy({ clock: systemClock, seed });
  await toxiproxy.start();
  onCleanup(() => toxiproxy.close());
  const keys = ['name', 'upstream', 'listen', 'enabled', 'type', 'stream', 'toxicity', 'attributes', 'latency', 'jitter', 'rate', 'timeout', 'bytes', 'delay', 'average_size', 'size_variation', 'bogus'];
  const strings = [...WORDS, 'p1', 'p2', 'latency_downstream', 'bandwidth', 'slicer', 'limit_data', 'reset_peer', 'slow_close', 'noop', '127.0.0.1:1'];
  const paths = ['/proxies', '/proxies/p1', '/proxies/p2', '/proxies/p1/toxics', '/proxies/p1/toxics/latency_downstream', '/proxies/p2/toxics/x', '/populate', '/reset', '/version', '/', '/nowhere', '/proxies/%E0%A4%A', '/proxies/p1/toxics/a/b', '/metrics'];
  const make = (rng: Rng): Sent => {
    const method = rng.pick(['POST', 'POST', 'POST', 'PATCH', 'GET', 'DELETE', 'PUT', 'HEAD', 'OPTIONS']);
    const headers: Record<string, string> = rng.int(20) === 0 ? { origin: rng.pick(['https://evil.example', toxiproxy.url]) } : rng.int(50) === 0 ? { 'user-agent': 'Mozilla/5.0' } : {};
    const path = rng.pick(paths);
    const b = rng.int(3) === 0 ? nearlyValid(rng, path) : body(rng, keys, strings, 1024 * 1024);
    return { method, path, headers, ...(b && method !== 'GET' && method !== 'HEAD' ? { body: b } : {}) };
  };
  const nearlyValid = (rng: Rng, path: string): Buffer => {
    const maybe = (v: unknown) => (rng.int(2) === 0 ? v : undefined);
    const proxy = () => ({ name: rng.pick(['p1', 'p2', '']), upstream: maybe('127.0.0.1:1'), listen: maybe(rng.pick(['127.0.0.1:0', 'nonsense', '127.0.0.1:99999'])), enabled: maybe(rng.pick([true, false, 'yes'])) });
    const toxic = () => ({
      type: rng.pick(['latency', 'bandwidth', 'timeout', 'slicer', 'limit_data', 'reset_peer', 'slow_close', 'noop', 'x']),
      stream: maybe(rng.pick(['upstream', 'downstream', 'sideways'])),
      toxicity: maybe(rng.pick([0, 0.5, 1, 7, -1, 'high'])),
      attributes: maybe({ [rng.pick(keys)]: rng.pick([0, 1, 100, -5, 1e21, 'x', null]) }),
    });
    const v = path === '/populate' ? Array.from({ length: rng.int(3) }, proxy) : path.includes('/toxics') ? toxic() : proxy();
    return Buffer.from(JSON.stringify(v));
  };
  const { bad, statuses } = await hammer(toxiproxy.url, TOTAL, make, new Rng(seed + 1));
  console.log('embedded Toxiproxy statuses', statuses);
  // A listen address that cannot be bound is a 500 in the real server too ("listen tcp: ..."): not a crash.
  const crashes = bad.filter((b) => !/^\{"error":"listen tcp[: ]/.test(b.text));
  expect(distinct(crashes)).toEqual([]);
  expect((await send(toxiproxy.url, { method: 'GET', path: '/version', headers: {} })).status).toBe(200);
}, 600_000);
