/**
 * The scale bench's server process: the same FakeWhatsAppServer and control API `baileys-chaos
 * serve` runs, plus a state file, so the process can be killed and started again on the same
 * port and its devices survive (a real restart). `serve` keeps its device registry and test root
 * in memory only: a killed serve comes back knowing no device (every login a 401) under a new
 * test root (every client refuses its certificate).
 *
 * The state file holds the test root and every device (keys, pre-key count). It is written after
 * each provisioning batch and read at start.
 *
 * Started by bench/scale.ts with fork (IPC): `node --import tsx bench/scale/server.ts --port P --state FILE`.
 * Messages in: { type: 'provision', id, version, authDirs, preKeys } | { type: 'memory', id } | { type: 'stop' }.
 * Messages out: { type: 'ready', wsUrl, controlUrl, token, port, pid, devices } |
 *   { type: 'provisioned', id, jids, ms } | { type: 'memory', id, ...after a full GC (--expose-gc) } |
 *   { type: 'error', id?, message }.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { startControlApi } from '../../fake-server/control-api.js';
import type { Device } from '../../fake-server/devices.js';
import type { FakeWhatsAppServer } from '../../fake-server/server.js';
import { provisionDevice, provisionForControlApi } from '../../harness/provision.js';
import { startFakeServer } from '../../harness/server.js';

export type ServerRequest =
  | { type: 'provision'; id: number; version: string; authDirs: string[]; preKeys: 'held-by-server' | 'uploaded-at-first-login' }
  | { type: 'memory'; id: number }
  | { type: 'stop' };
export type ServerReply =
  | { type: 'memory'; id: number; rss: number; heapUsed: number; external: number; arrayBuffers: number }
  | { type: 'ready'; wsUrl: string; controlUrl: string; token: string; port: number; pid: number; devices: number; startMs: number }
  | { type: 'provisioned'; id: number; jids: string[]; ms: number }
  | { type: 'error'; id?: number; message: string };

interface StateFile {
  testRoot: { public: string; private: string };
  devices: (Omit<Device, 'noisePublic' | 'identityPublic'> & { noisePublic: string; identityPublic: string })[];
}

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const buf = (s: string) => Buffer.from(s, 'base64');

async function readState(path: string): Promise<StateFile | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as StateFile;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function writeState(path: string, server: FakeWhatsAppServer): Promise<void> {
  const state: StateFile = {
    testRoot: { public: b64(server.testRoot.keyPair.public), private: b64(server.testRoot.keyPair.private) },
    devices: server.devices.list().map((d) => ({ ...d, noisePublic: b64(d.noisePublic), identityPublic: b64(d.identityPublic) })),
  };
  await writeFile(path + '.tmp', JSON.stringify(state));
  await rename(path + '.tmp', path);
}

const send = (m: ServerReply) => process.send!(m);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, state: { type: 'string' } } });
  if (!values.state || !process.send) throw new Error('Failed to start the scale server: it needs --state FILE and an IPC channel (fork it).');
  const statePath = values.state;
  const state = await readState(statePath);
  const server = await startFakeServer({
    port: Number(values.port),
    meterHandlerCpu: true,
    ...(state ? { testRoot: { keyPair: { public: buf(state.testRoot.public), private: buf(state.testRoot.private) } } } : {}),
  });
  for (const d of state?.devices ?? []) server.devices.add({ ...d, noisePublic: buf(d.noisePublic), identityPublic: buf(d.identityPublic) });
  const api = await startControlApi(server, { provision: provisionForControlApi });
  await writeState(statePath, server); // the test root, even before any device
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await api.close().catch(() => undefined);
    await server.close().catch(() => undefined);
    process.exit(0);
  };
  process.on('disconnect', () => void stop()); // the bench died: never outlive it
  process.on('SIGTERM', () => void stop());
  process.on('message', (m: ServerRequest) => {
    if (m.type === 'stop') return void stop();
    if (m.type === 'memory') {
      (globalThis as { gc?: () => void }).gc?.();
      const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
      return send({ type: 'memory', id: m.id, rss, heapUsed, external, arrayBuffers });
    }
    if (m.type === 'provision') {
      void (async () => {
        const t0 = performance.now();
        try {
          const jids: string[] = [];
          for (const authDir of m.authDirs) jids.push((await provisionDevice(server, { authDir, baileysVersion: m.version, preKeys: m.preKeys })).jid);
          await writeState(statePath, server);
          send({ type: 'provisioned', id: m.id, jids, ms: performance.now() - t0 });
        } catch (err) {
          send({ type: 'error', id: m.id, message: (err as Error).stack ?? String(err) });
        }
      })();
    }
  });
  send({ type: 'ready', wsUrl: server.wsUrl, controlUrl: api.url, token: api.token, port: server.port, pid: process.pid, devices: server.devices.list().length, startMs: performance.now() }); // since the process began (tsx and module loading included)
}

main().catch((err) => {
  process.send?.({ type: 'error', message: (err as Error).stack ?? String(err) } satisfies ServerReply);
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 100).unref();
});
