import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeServer } from '../server.js';
import { ObservedClient } from '../baileys/client.js';
import { NO_BAILEYS_FOUND, versionsUnderTest } from '../baileys/versions.js';
import { ensureVersions } from './suite.js';
import { systemClock } from '../../core/clock.js';
import { parseFlags, UsageError, type Command } from './command.js';

interface DemoResult {
  version: string;
  pairedMs: number;
  firstOpenMs: number;
  detect408Ms: number;
  reopenMs: number;
  sameDevice: boolean;
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'pair a real Baileys client with the fake server, then break and recover it',
  help: `Usage: baileys-chaos demo [--baileys 6.7.21,7.0.0-rc14] [--keep-alive-ms 1000]

Default version: your project's Baileys (else the ones pinned beside baileys-chaos).

For each Baileys version: a fresh client shows a QR, the simulated phone scans it, the server
sends the 515 restart real WhatsApp sends, the client logs in and opens. Then the server goes
silent until the client's keep-alive declares 408, and the client logs in again with the same
device (no QR). Prints a timeline and a summary; exits non-zero if any step fails.`,
  async run(argv) {
    const { values } = parseFlags(argv, { baileys: { type: 'string' }, 'keep-alive-ms': { type: 'string' } });
    const versions = values.baileys ? values.baileys.split(',').map((v) => v.trim()) : versionsUnderTest();
    if (!versions.length) throw new UsageError(NO_BAILEYS_FOUND);
    await ensureVersions(versions, (line) => process.stderr.write(line + '\n'));
    const keepAliveIntervalMs = Number(values['keep-alive-ms'] ?? 1000);
    if (!Number.isInteger(keepAliveIntervalMs) || keepAliveIntervalMs < 100) throw new UsageError('--keep-alive-ms must be an integer ≥ 100');
    const results: DemoResult[] = [];
    for (const version of versions) results.push(await demoOne(version, keepAliveIntervalMs));
    process.stdout.write('\nversion       paired   open    408 after silence   reopened   same device\n');
    for (const r of results) {
      process.stdout.write(
        `${r.version.padEnd(12)}  ${ms(r.pairedMs).padStart(6)}  ${ms(r.firstOpenMs).padStart(6)}  ${ms(r.detect408Ms).padStart(18)}  ${ms(r.reopenMs).padStart(9)}   ${r.sameDevice ? 'yes' : 'NO'}\n`,
      );
    }
    return results.every((r) => r.sameDevice) ? 0 : 1;
  },
};

const ms = (v: number) => `${v.toFixed(0)} ms`;

async function demoOne(version: string, keepAliveIntervalMs: number): Promise<DemoResult> {
  const clock = systemClock;
  const server = await startFakeServer({ clock });
  const authDir = await mkdtemp(join(tmpdir(), 'baileys-chaos-demo-'));
  const t0 = clock.now();
  const log = (msg: string) => process.stdout.write(`[${version}] +${(clock.now() - t0).toFixed(1).padStart(8)} ms  ${msg}\n`);
  const clients: ObservedClient[] = [];
  const connect = async () => {
    const c = await ObservedClient.connect({ version, wsUrl: server.wsUrl, trustedPublicKey: server.trustedPublicKey, authDir, keepAliveIntervalMs, clock });
    clients.push(c);
    return c;
  };
  try {
    log(`fake server on ${server.wsUrl}; fresh session in ${authDir}`);
    const first = await connect();
    const qr = await first.waitFor('qr', 15_000);
    log(`client shows a QR (${qr.qr!.slice(0, 48)}…); the simulated phone scans it`);
    const jid = await server.scanQr(qr.qr!);
    const pairedMs = clock.now() - t0;
    log(`paired as ${jid}`);
    const restart = await first.waitFor('close', 15_000);
    log(`client closed: ${restart.code} (${restart.message}) — reconnecting, as every bot must`);
    await first.end();
    const second = await connect();
    await second.waitFor('open', 15_000);
    const firstOpenMs = clock.now() - t0;
    log('connection open');
    const silencedAt = clock.now();
    server.apply({ kind: 'silence' });
    log(`server goes silent (keep-alive ${keepAliveIntervalMs} ms)`);
    const lost = await second.waitFor('close', keepAliveIntervalMs * 3 + 10_000);
    const detect408Ms = lost.t - silencedAt;
    log(`client closed: ${lost.code} (${lost.message}) after ${ms(detect408Ms)}`);
    await second.end();
    const reconnectAt = clock.now();
    const third = await connect();
    await third.waitFor('open', 15_000);
    const reopenMs = clock.now() - reconnectAt;
    const logins = server.events.list({ type: 'login' }).filter((e) => e.detail?.known);
    const sameDevice = logins.length === 2 && logins.every((e) => e.jid === jid) && server.events.list({ type: 'registration' }).length === 1;
    log(`open again in ${ms(reopenMs)}: ${sameDevice ? 'same device, no new QR' : 'UNEXPECTED: a different device or a new pairing'}`);
    return { version, pairedMs, firstOpenMs, detect408Ms, reopenMs, sameDevice };
  } finally {
    for (const c of clients) await c.end();
    await server.close();
    await rm(authDir, { recursive: true, force: true });
  }
}
