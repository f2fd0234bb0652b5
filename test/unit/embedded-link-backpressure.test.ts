/**
 * The embedded Toxiproxy's links hold a bounded number of bytes when the receiving peer does not
 * read, in either direction and through toxics: the conformance suite sees this from the sender
 * (it stalls, as with the real server); here the proxy's own count says how much it holds.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { systemClock } from '../../core/clock.js';
import { EmbeddedToxiproxy } from '../../harness/faults/toxiproxy/embedded/api.js';
import { ToxiproxyClient, type ToxicSpecInput } from '../../harness/faults/toxiproxy/client.js';
import { flood } from '../support/flood.js';

const TOTAL = 64 * 1024 * 1024;
let toxiproxy: EmbeddedToxiproxy;
let client: ToxiproxyClient;
let n = 0;
beforeAll(async () => {
  toxiproxy = new EmbeddedToxiproxy({ clock: systemClock, seed: 1 });
  client = new ToxiproxyClient(await toxiproxy.start());
});
afterAll(() => toxiproxy.close());

const until = async (cond: () => boolean, timeoutMs: number, what: string) => {
  const start = performance.now();
  while (!cond()) {
    if (performance.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** Waits (with a deadline) until `out()` has not moved for 500 ms: the sender is held back. */
async function stall(out: () => number): Promise<number> {
  const start = performance.now();
  let [last, since] = [out(), start];
  while (performance.now() - since < 500) {
    if (performance.now() - start > 15_000) throw new Error(`timed out waiting for the sender to stall (at ${last} bytes)`);
    await new Promise((r) => setTimeout(r, 20));
    if (out() !== last) [last, since] = [out(), performance.now()];
  }
  return last;
}

/**
 * Floods one direction of a proxied connection whose receiver does not read, until the sender
 * stalls; then lets the receiver read. Returns the most the proxy held, and what arrived.
 */
async function floodWithSilentReceiver(direction: 'upstream' | 'downstream', toxics: ToxicSpecInput[] = []) {
  const peers: Socket[] = [];
  const server: Server = createServer({ pauseOnConnect: direction === 'upstream' }, (u) => {
    peers.push(u);
    u.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const name = `bp${++n}`;
  const p = await client.createProxy(name, `127.0.0.1:${(server.address() as { port: number }).port}`);
  for (const t of toxics) await client.addToxic(name, t);
  const c = connect({ host: '127.0.0.1', port: Number(p.listen.split(':')[1]) });
  c.on('error', () => undefined);
  await new Promise((r) => c.once('connect', r));
  if (direction === 'downstream') c.pause();
  await until(() => peers.length === 1, 3000, 'the upstream connection');
  const [sender, receiver] = direction === 'upstream' ? [c, peers[0]!] : [peers[0]!, c];

  let peak = 0;
  const sample = setInterval(() => (peak = Math.max(peak, toxiproxy.bufferedBytes(name))), 1);
  try {
    const stalledAt = await stall(flood(sender, TOTAL).out);
    let got = 0;
    receiver.on('data', (d: Buffer) => (got += d.length));
    receiver.resume();
    await until(() => got === TOTAL, 20_000, 'all bytes at the receiver');
    return { stalledAt, peak, got, heldAfter: toxiproxy.bufferedBytes(name) };
  } finally {
    clearInterval(sample);
    c.destroy();
    for (const u of peers) u.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

test('client → silent upstream: the proxy holds at most about one read (64 KiB), not the 64 MB sent', async () => {
  const r = await floodWithSilentReceiver('upstream');
  expect(r.stalledAt).toBeLessThan(TOTAL / 2);
  expect(r.peak).toBeLessThan(256 * 1024); // before backpressure: 61.7 MB
  expect(r.got).toBe(TOTAL);
  expect(r.heldAfter).toBe(0);
});

test('upstream → silent client: the same bound the other way', async () => {
  const r = await floodWithSilentReceiver('downstream');
  expect(r.stalledAt).toBeLessThan(TOTAL / 2);
  expect(r.peak).toBeLessThan(256 * 1024);
  expect(r.got).toBe(TOTAL);
});

test('through latency and slicer: bounded by the stages\' room (latency 1 MiB, others 64 KiB), nothing lost', async () => {
  const r = await floodWithSilentReceiver('upstream', [
    { type: 'latency', stream: 'upstream', attributes: { latency: 20, jitter: 0 } },
    { type: 'slicer', stream: 'upstream', attributes: { average_size: 4096, size_variation: 0, delay: 0 } },
  ]);
  expect(r.stalledAt).toBeLessThan(TOTAL / 2);
  expect(r.peak).toBeLessThan(2 * 1024 * 1024);
  expect(r.got).toBe(TOTAL);
});

test('bandwidth 0 stalls the chain: the source is paused rather than queued behind it; removing it lets all through', async () => {
  const name = `bp${++n}`;
  let got = 0;
  const ups: Socket[] = [];
  const sink = createServer((u) => ups.push(u.on('data', (d: Buffer) => (got += d.length)).on('error', () => undefined)));
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
  const p = await client.createProxy(name, `127.0.0.1:${(sink.address() as { port: number }).port}`);
  await client.addToxic(name, { type: 'bandwidth', stream: 'upstream', attributes: { rate: 0 } });
  const c = connect({ host: '127.0.0.1', port: Number(p.listen.split(':')[1]) });
  try {
    await new Promise((r) => c.once('connect', r));
    const { out } = flood(c, TOTAL);
    expect(await stall(out)).toBeLessThan(TOTAL / 2);
    expect(got).toBe(0);
    expect(toxiproxy.bufferedBytes(name)).toBeLessThan(256 * 1024);
    await client.removeToxic(name, 'bandwidth_upstream');
    await until(() => got === TOTAL, 20_000, 'all bytes once the toxic is gone');
  } finally {
    c.destroy();
    for (const u of ups) u.destroy(); // server.close waits for its connections: do not leave that to the proxy
    await new Promise<void>((r) => sink.close(() => r()));
  }
});
