/**
 * Real packet loss (and tbf bandwidth) on a veth pair into a network namespace this test creates: the client runs
 * inside it (subprocess driver), the fake server on the host side of the pair. Skipped, with the
 * reason, where namespaces or nftables are unavailable; netem is used only where the kernel has it.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { provisionDevice } from '../../../harness/provision.js';
import { ChildClient } from '../../../harness/drivers/subprocess.js';
import { versionsUnderTest } from '../../../harness/baileys/versions.js';
import { systemClock } from '../../../core/clock.js';
import { PacketFaultUnsupportedError, PacketLab, packetCapabilities } from '../../../harness/faults/packet/netns.js';
import { openSessionStore } from '../../../harness/session/index.js';
import type { SupervisorEvent } from '../../../harness/supervisor/supervisor.js';
import { onCleanup, startServer, tempDir } from '../../helpers.js';
import { FAST_RECOVERY } from '../../support/proxied-supervisor.js';
import { scenarioSuite } from '../../../harness/vitest.js';
import { packetLoss } from '../../../scenarios/packet-loss.js';
import { shellCommandBot } from '../../../harness/bots/command-bot.js';
import { runScenario } from '../../../harness/scenario.js';

const caps = await packetCapabilities();
const why = caps.missing.filter((m) => !m.startsWith('netem')).join('; ');
const unavailable = !caps.netns || !caps.nftables;

describe.skipIf(unavailable)(`packet loss (skipped where unavailable: ${why || 'available here'})`, () => {
  let lab: PacketLab;
  beforeAll(async () => {
    lab = await PacketLab.create();
  });
  afterAll(async () => {
    await lab?.destroy();
  });

  async function clientInNamespace(version: string) {
    const server = await startServer({ host: lab.hostAddress });
    const store = { type: 'file' as const, path: join(await tempDir(), 'auth') };
    const { jid } = await provisionDevice(server, { store: openSessionStore(store), baileysVersion: version });
    const child = new ChildClient({ version, store, wsUrl: server.wsUrl, trustedPublicKey: server.trustedPublicKey.toString('base64'), config: FAST_RECOVERY, seed: 1 }, { netns: lab.ns });
    onCleanup(() => child.stop());
    onCleanup(() => lab.setLoss(0));
    await child.events.waitFor((e) => e.type === 'open', 30_000, 'the namespaced client to open', () => child.error ?? '');
    return { server, child, jid };
  }

  describe.each(versionsUnderTest())('Baileys %s', (version) => {
    // Observed: 6.7.21 reports 408 at interval + 5 s (≈ 7 s). 7.0.0-rc14's end() awaits ws.close()
    // before emitting the close, and under total loss the WebSocket closing handshake can only
    // end by the ws library's 30 s close timeout: the 408 comes ≈ 37 s after the loss began.
    test('100 % loss for a window → 408; after it clears, the same device is back', async () => {
      const { server, child, jid } = await clientInNamespace(version);
      const lostAt = systemClock.now();
      await lab.setLoss(100);
      const close = await child.events.waitFor((e) => e.type === 'close', 50_000, 'the 408');
      expect(close).toMatchObject({ code: 408 });
      const detectMs = close.t - lostAt;
      if (version.startsWith('6.')) expect(detectMs).toBeLessThan(9_000);
      else expect(detectMs).toBeGreaterThan(30_000);
      const clearedAt = systemClock.now();
      await lab.setLoss(0);
      let opens = 0;
      const back = await child.events.waitFor((e) => e.type === 'open' && ++opens === 2, 20_000, 'the reopen');
      console.log(`packet loss 100 % on ${version}: 408 after ${(close.t - lostAt).toFixed(0)} ms; open ${(back.t - clearedAt).toFixed(0)} ms after the loss ended`);
      expect(server.events.list({ type: 'login' }).at(-1)!.jid).toBe(jid);
    }, 90_000);

    test('20 % loss for 15 s: recorded (closes, reconnects, pings)', async () => {
      const { server, child } = await clientInNamespace(version);
      const pings0 = server.events.list({ type: 'ping' }).length;
      await lab.setLoss(20);
      // A bounded observation window under loss; what happens in it is the result.
      await new Promise((r) => setTimeout(r, 15_000));
      await lab.setLoss(0);
      const closes = child.events.list((e) => e.type === 'close') as Extract<SupervisorEvent, { type: 'close' }>[];
      const pings = server.events.list({ type: 'ping' }).length - pings0;
      console.log(`packet loss 20 % for 15 s on ${version}: ${closes.length} closes (${closes.map((c) => c.code).join(',') || 'none'}), ${pings} pings reached the server`);
      // TCP retransmits through 20 % loss: pings keep arriving (a loss that blocked every ping would be 100 %).
      expect(pings).toBeGreaterThan(3);
      let opens = child.events.list((e) => e.type === 'open').length;
      if (child.events.list().at(-1)?.type !== 'open') await child.events.waitFor((e) => e.type === 'open' && ++opens > 0, 20_000, 'open after the loss');
    }, 60_000);
  });

  test('tbf bandwidth shaping slows the namespace\'s egress to the rate asked', async () => {
    const { createServer, connect } = await import('node:net');
    const { spawn } = await import('node:child_process');
    // A sink on the host side; a sender inside the namespace; 200 KB at 800 kbit/s ≈ 2 s.
    let received = 0;
    let doneAt = 0;
    const sink = createServer((s) => s.on('data', (d) => {
      received += d.length;
      if (received >= 200_000 && !doneAt) doneAt = performance.now();
    }));
    await new Promise<void>((r) => sink.listen(0, lab.hostAddress, () => r()));
    onCleanup(() => new Promise<void>((r) => sink.close(() => r())));
    const port = (sink.address() as { port: number }).port;
    await lab.setBandwidth(800);
    onCleanup(() => lab.setBandwidth(0));
    const script = `const s=require('net').connect(${port},'${lab.hostAddress}',()=>{s.end(Buffer.alloc(200000,1))});`;
    const started = performance.now();
    const sender = spawn('ip', ['netns', 'exec', lab.ns, process.execPath, '-e', script], { stdio: 'ignore' });
    await new Promise((r) => sender.once('exit', r));
    const deadline = performance.now() + 10_000;
    while (received < 200_000 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(received).toBeGreaterThanOrEqual(200_000);
    const seconds = (doneAt - started) / 1000;
    console.log(`tbf 800 kbit/s: 200 KB in ${seconds.toFixed(2)} s (${((200_000 * 8) / 1000 / seconds).toFixed(0)} kbit/s)`);
    expect(seconds).toBeGreaterThan(1.5);
  });

  test('netem where the kernel has it; otherwise a clear refusal, never a substitute', async () => {
    if (caps.netem) {
      await lab.setNetem(['delay', '50ms']);
      await lab.setNetem([]);
    } else {
      await expect(lab.setNetem(['delay', '50ms'])).rejects.toThrow(PacketFaultUnsupportedError);
      await expect(lab.setNetem(['loss', '5%'])).rejects.toThrow(/this kernel has no netem qdisc.*never|a stream fault is not a substitute/);
    }
  });
});

// The packet-loss scenario (generated loss and bandwidth windows, invariants), through the same
// helper as the CI scenario suite; here because it needs the namespaces this pass may create.
// Time-scaled (the older mode, given explicitly): in virtual time the kernel's TCP retransmission
// timers keep real time and read K times longer; that mode is not measured for this scenario yet.
describe.skipIf(unavailable)(`packet-loss scenario (skipped where unavailable: ${why || 'available here'})`, () => {
  scenarioSuite([packetLoss], { scale: 0.04 });
});

// A command bot runs inside the namespace too (`ip netns exec` around the command): the loss
// reaches an unmodified process. Real-world time (scale 1): the plain bot's own 30 s keep-alive must notice (up to two intervals).
describe.skipIf(unavailable)(`packet loss on an unmodified command bot (skipped where unavailable: ${why || 'available here'})`, () => {
  test('100 % loss for 80 s: the plain bot loses its connection and is back after it clears, by the server\'s record', async () => {
    const [version] = versionsUnderTest();
    const bot = shellCommandBot({ command: 'node examples/plain-bot/bot.mjs' });
    const run = await runScenario({ ...packetLoss, clients: 1 }, [{ at: 1_000, fault: 'packet-loss', params: { percent: 100 }, duration: 80_000 }], { version: version!, seed: 1, scale: 1, clock: systemClock, bot });
    expect(run.error).toBeUndefined();
    const m = run.metrics[0]!;
    console.log(`plain bot under 80 s of total loss on ${version}: ${run.verdict}, ${m.attempts} attempts, recovered in ${m.recoverMs ?? '—'} ms`);
    // The loss reached the process: the server saw it come back with a new connection.
    expect(m.attempts).toBeGreaterThanOrEqual(2);
    expect(run.verdict, JSON.stringify(run.results.filter((r) => r.verdict !== 'valid'))).toBe('valid');
  }, 240_000);
});
