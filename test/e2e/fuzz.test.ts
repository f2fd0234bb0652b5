/**
 * Throws ≥ 10⁵ malformed or truncated frames at the server over real WebSockets — before, during
 * and after the handshake — while a real Baileys client stays connected. The server must never
 * crash, must close only the offending connection, and must leak no socket or timer.
 * Replay: FUZZ_SEED=<seed printed below> npx vitest run test/e2e/fuzz.test.ts
 */
import { deflateSync } from 'node:zlib';
import { expect, test } from 'vitest';
import { encodeBinaryNode, type BinaryNode } from '../../fake-server/protocol/binary-node.js';
import { encodeFrame } from '../../fake-server/protocol/framing.js';
import { Rng, seedFrom } from '../../core/random.js';
import { versionsUnderTest } from '../../harness/baileys/versions.js';
import { openClient, startServer } from '../helpers.js';
import { clientHello, RawClient, registerRawDevice, WA_HEADER } from '../support/raw-client.js';

const TOTAL_FRAMES = Number(process.env.FUZZ_FRAMES ?? 100_000);
const CONCURRENCY = 16;

/** A random, structurally valid node: odd tags, attrs and nesting the server must shrug off. */
function randomNode(rng: Rng, depth = 0): BinaryNode {
  const tag = rng.pick(['iq', 'iq', 'ack', 'receipt', 'presence', 'ib', 'notification', 'call', 'x' + rng.int(1000)]);
  const attrs: Record<string, string> = {};
  for (let i = rng.int(5); i > 0; i--) attrs[rng.pick(['id', 'type', 'xmlns', 'to', 'from', 'k' + rng.int(9)])] = rng.pick(['get', 'set', 'result', 'error', 'w:p', 'encrypt', 'passive', 'md', '', rng.bytes(4).toString('hex')]);
  const roll = rng.int(4);
  if (roll === 0 || depth > 3) return { tag, attrs };
  if (roll === 1) return { tag, attrs, content: rng.bytes(rng.int(64)) };
  return { tag, attrs, content: Array.from({ length: rng.int(4) }, () => randomNode(rng, depth + 1)) };
}

function flipBits(rng: Rng, data: Buffer): Buffer {
  const out = Buffer.from(data);
  for (let i = 1 + rng.int(4); i > 0 && out.length; i--) out[rng.int(out.length)]! ^= 1 << rng.int(8);
  return out;
}

/** Frames that must make the server close the connection, by stage. */
const preHandshake: ((rng: Rng) => Buffer)[] = [
  (rng) => {
    // No WA header at all (a first byte of "W" or "E" could be the start of a valid intro).
    const b = rng.bytes(1 + rng.int(200));
    if (b[0] === 0x57 || b[0] === 0x45) b[0] = 0;
    return b;
  },
  (rng) => Buffer.concat([WA_HEADER, encodeFrame(rng.bytes(rng.int(120)))]), // garbage ClientHello
  (rng) => Buffer.concat([WA_HEADER, encodeFrame(clientHello(rng.bytes(rng.pick([0, 16, 31, 33, 64]))))]), // wrong key size
  (rng) => Buffer.concat([WA_HEADER, Buffer.from([0xff, 0xff, 0xff]), rng.bytes(8)]), // length beyond the limit
  (rng) => Buffer.concat([Buffer.from('ED'), rng.bytes(2 + rng.int(20))]), // bad routing prefix
];
const duringHandshake: ((rng: Rng, valid: Buffer) => Buffer)[] = [
  (rng) => encodeFrame(rng.bytes(rng.int(200))),
  (rng, valid) => encodeFrame(flipBits(rng, valid)),
  () => encodeFrame(Buffer.alloc(0)),
];
const afterHandshake: ((rng: Rng, client: RawClient) => void)[] = [
  (rng, c) => c.send(encodeFrame(rng.bytes(1 + rng.int(100)))), // fails GCM
  (rng, c) => c.sendEncrypted(Buffer.concat([Buffer.from([0, 7]), rng.bytes(rng.int(100))])), // valid cipher, no list tag
  (rng, c) => c.sendEncrypted(Buffer.concat([Buffer.from([0, 248]), rng.bytes(rng.int(3))])), // node cut short
  (rng, c) => c.sendEncrypted(Buffer.concat([Buffer.from([2, 0, 0]), rng.bytes(rng.int(50))])), // bad deflate header
  (_rng, c) => c.sendEncrypted(Buffer.concat([Buffer.from([2]), deflateSync(Buffer.alloc(16 * 1024 * 1024))])), // inflate bomb
  (_rng, c) => {
    let deep: BinaryNode = { tag: 'x', attrs: {} };
    for (let i = 0; i < 100; i++) deep = { tag: 'x', attrs: {}, content: [deep] };
    c.sendEncrypted(encodeBinaryNode(deep)); // nesting beyond the limit
  },
];

test(`fuzz: ${TOTAL_FRAMES} malformed frames never crash the server, close only their connection, leak nothing`, async () => {
  const seed = seedFrom(process.env.FUZZ_SEED ?? '20261124');
  console.log(`fuzz seed ${seed} — replay: FUZZ_SEED=${seed} npx vitest run test/e2e/fuzz.test.ts`);
  const rng = new Rng(seed);
  const server = await startServer();
  const version = versionsUnderTest().at(-1)!;
  const healthy = await openClient(server, version, { keepAliveIntervalMs: 2_000 });
  const baselineTimers = server.pendingTimers();
  let protocolErrors = 0;
  const unsubscribe = server.events.subscribe((e) => void (e.type === 'protocol-error' && protocolErrors++));

  const counts = { pre: 0, during: 0, afterFatal: 0, flipped: 0, truncated: 0, wellFormedOdd: 0, connections: 0 };
  // Only malformed or truncated frames count towards the total; odd but well-formed stanzas do not.
  const sent = () => counts.pre + counts.during + counts.afterFatal + counts.flipped + counts.truncated;
  const expectClosed = async (c: RawClient, what: string) => {
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`server kept the connection open after ${what} (seed ${seed})`)), 5_000).unref());
    await Promise.race([c.closed, timeout]);
  };

  const oneRound = async (r: Rng) => {
    counts.connections++;
    const c = await RawClient.open(server.wsUrl);
    const stage = r.int(10);
    try {
      if (stage < 4) {
        c.send(r.pick(preHandshake)(r));
        counts.pre++;
        await expectClosed(c, 'a malformed pre-handshake frame');
      } else if (stage < 6) {
        const { encStatic } = await c.hello();
        c.send(r.pick(duringHandshake)(r, encStatic));
        counts.during++;
        await expectClosed(c, 'a malformed ClientFinish');
      } else if (stage < 7) {
        // Truncated: a length header promising more than ever arrives. The server must wait
        // (it cannot know) and forget the connection when the peer goes away.
        c.send(Buffer.concat([WA_HEADER, Buffer.from([0, 1, 0]), r.bytes(r.int(200))]));
        counts.truncated++;
        c.close();
        await c.closed;
      } else {
        const { device, noiseKey } = registerRawDevice(server);
        await c.login(device, noiseKey);
        // Odd stanzas, four in five bit-flipped: answered, ignored or fatal, never a crash...
        for (let i = 20 + r.int(60); i > 0 && c.ws.readyState === c.ws.OPEN; i--) {
          const node = encodeBinaryNode(randomNode(r));
          if (r.int(5) === 0) {
            c.sendEncrypted(node);
            counts.wellFormedOdd++;
          } else {
            c.sendEncrypted(flipBits(r, node));
            counts.flipped++;
          }
        }
        if (c.ws.readyState !== c.ws.OPEN) return;
        // ...then one frame that is.
        r.pick(afterHandshake)(r, c);
        counts.afterFatal++;
        await expectClosed(c, 'a malformed transport frame');
      }
    } finally {
      c.close();
    }
  };

  const started = performance.now();
  let lastReport = started;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, worker) => {
      const r = new Rng(rng.u32() ^ worker);
      while (sent() < TOTAL_FRAMES) {
        await oneRound(r);
        if (performance.now() - lastReport > 10_000) {
          lastReport = performance.now();
          console.log(`fuzz: ${sent()}/${TOTAL_FRAMES} frames, ${counts.connections} connections`);
        }
      }
    }),
  );
  console.log(`fuzz done in ${((performance.now() - started) / 1000).toFixed(1)} s:`, JSON.stringify(counts));

  expect(sent()).toBeGreaterThanOrEqual(TOTAL_FRAMES);
  // Only the healthy client is left, still open, never closed, still pinging.
  await expect.poll(() => server.listConnections({ live: true }).length, { timeout: 10_000 }).toBe(1);
  await expect.poll(() => server.openSockets(), { timeout: 10_000 }).toBe(1);
  expect(server.listConnections({ live: true })[0]).toMatchObject({ jid: healthy.device.jid, open: true });
  expect(healthy.client.events.filter((e) => e.type === 'close')).toEqual([]);
  const lastPing = server.events.list({ type: 'ping', conn: healthy.conn }).at(-1);
  expect(lastPing).toBeDefined();
  await server.events.waitFor((e) => e.type === 'ping' && e.conn === healthy.conn && e.seq > lastPing!.seq, 10_000, 'a ping after the fuzz');
  // No timers left behind by the thousands of closed connections.
  expect(server.pendingTimers()).toBe(baselineTimers);
  // Every fatal frame produced a protocol-error, never a crash.
  unsubscribe();
  expect(protocolErrors).toBeGreaterThanOrEqual(counts.pre + counts.during + counts.afterFatal);
}, 600_000);
