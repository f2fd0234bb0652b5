/**
 * Added latency and throughput of a proxied connection with no toxics: direct vs the embedded
 * Toxiproxy vs the real one, measured side by side in one run.
 */
import { connect, createServer, type Socket } from 'node:net';
import { systemClock } from '../core/clock.js';
import { findToxiproxyBinary, startBinary, startEmbedded, type ToxiproxyBackend } from '../harness/faults/toxiproxy/backend.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function echo() {
  const server = createServer((s) => {
    s.on('error', () => undefined);
    s.pipe(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, port: (server.address() as { port: number }).port };
}

const dial = (port: number) => new Promise<Socket>((resolve, reject) => {
  const s = connect({ host: '127.0.0.1', port }, () => resolve(s));
  s.once('error', reject);
});

async function measure(port: number, pings: number, bulkBytes: number) {
  const s = await dial(port);
  s.setNoDelay(true);
  const rtts: number[] = [];
  for (let i = 0; i < pings; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      s.once('data', () => resolve());
      s.write('p');
    });
    rtts.push(performance.now() - t0);
  }
  const block = Buffer.alloc(64 * 1024, 7);
  let received = 0;
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    s.on('data', (d) => {
      received += d.length;
      if (received >= bulkBytes) resolve();
    });
    let sent = 0;
    const pump = () => {
      while (sent < bulkBytes) {
        sent += block.length;
        if (!s.write(block)) return void s.once('drain', pump);
      }
    };
    pump();
  });
  const seconds = (performance.now() - t0) / 1000;
  s.destroy();
  return { medianRttMs: median(rtts), throughputMBps: bulkBytes / 1e6 / seconds };
}

export async function benchToxiproxyOverhead(pings = 500, bulkBytes = 64 * 1024 * 1024) {
  const upstream = await echo();
  const backends: ToxiproxyBackend[] = [await startEmbedded(systemClock, 1)];
  const bin = findToxiproxyBinary();
  if (bin) backends.push(await startBinary(bin));
  try {
    const direct = await measure(upstream.port, pings, bulkBytes);
    const results: Record<string, { medianRttMs: number; throughputMBps: number; addedRttMs: number }> = {};
    for (const b of backends) {
      const proxy = await b.client.createProxy('bench', `127.0.0.1:${upstream.port}`);
      const port = Number(proxy.listen.slice(proxy.listen.lastIndexOf(':') + 1));
      const m = await measure(port, pings, bulkBytes);
      results[b.kind] = { ...m, addedRttMs: m.medianRttMs - direct.medianRttMs };
    }
    const ratios =
      results.binary && results.embedded
        ? { embeddedOverRealAddedRtt: results.embedded.addedRttMs / results.binary.addedRttMs, embeddedOverRealThroughput: results.embedded.throughputMBps / results.binary.throughputMBps }
        : { note: 'real toxiproxy-server not installed: no ratio' };
    return { pings, bulkBytes, direct, proxied: results, ratios };
  } finally {
    for (const b of backends) await b.close();
    upstream.server.close();
  }
}
