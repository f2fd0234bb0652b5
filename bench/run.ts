/**
 * `npm run bench` — speed numbers for the fake server, written as JSON (not a test).
 *
 * The server runs in its own process (`baileys-chaos serve`) so its CPU is measured apart from the
 * clients' (GET /stats reports the server process's cpuUsage). Two loads:
 *  - real Baileys clients of each version, N at once, logging in with provisioned sessions;
 *  - the raw protocol initiator (test/support/raw-client.ts), whose own cost is tiny: the
 *    server's work isolated. If the raw rate is far above the Baileys rate, the client is the
 *    bottleneck, not the server.
 * And the time the CI scenario suite files (test/e2e/*suite*.test.ts, test/e2e/scenarios.test.ts) take under vitest, each alone.
 * And the run-to-run spread of what the CI gate compares, with the tolerance derived from it
 * (bench/gate-spread.ts; GATE_TOLERANCE in harness/report/baseline.ts is set from it).
 * Usage: npm run bench [-- --clients 20 --rounds 3 --raw-logins 500 --out bench/results/bench.json]
 *        npm run bench -- --only scenarios   (re-measure some sections; the others are kept from --out)
 *        npm run bench -- --only gate-spread --gate-repetitions 3 [--gate-note TEXT]
 *        npm run bench -- --only scale [--scale-clients 500 --scale-clients-per-worker 50]   (bench/scale.ts)
 *        npm run bench -- --only speed-fidelity   (bench/speed-fidelity.ts: the same seeds at --speed 1, 5, 10, 20 per bot kind, --jobs auto)
 *        npm run bench -- --only openclaw-fidelity [--openclaw-runs 2 --openclaw-speeds 1,5,10,15]   (the same for OpenClaw as shipped; needs npm run setup:openclaw; about 20 minutes, only when asked)
 *        npm run bench -- --only recovery-accuracy   (bench/recovery-accuracy.ts: a known backoff d at --speed 1, 10, 20, the timer's error against d)
 *        npm run bench -- --only reconnect-cost [--reconnect-ks 0,10,100 --reconnect-nodes 20,22,24]   (bench/reconnect-cost.ts)
 *        npm run bench -- --only virtual-suite   (bench/virtual-suite.ts: the CI scenario suite with real-world settings at the default speed, 8, 12 and auto runs at once, its two invocations one after the other and at once)
 *        npm run bench -- --only vitest-suite   (bench/vitest-suite.ts: a bot's chaos suite under a plain npx vitest run, its tests side by side and one at a time)
 *        npm run bench -- --only npm-test   (bench/npm-test.ts: README's test command, each vitest pass timed; about 40 minutes, never part of a plain "npm run bench")
 *        npm run bench -- --only messages [--messages-clients 10 --messages-count 1000 --messages-window 32 --messages-answers 200]   (bench/messages.ts: encrypted messages to 1 and N real clients, server CPU per message, latency, answers)
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { ObservedClient } from '../harness/baileys/client.js';
import { versionsUnderTest } from '../harness/baileys/versions.js';
import { systemClock } from '../core/clock.js';
import { RawClient } from '../test/support/raw-client.js';
import { startFakeServer } from '../harness/server.js';
import { runCrashTrials } from '../harness/crash.js';
import { benchToxiproxyOverhead } from './toxiproxy-overhead.js';
import { benchGateSpread } from './gate-spread.js';
import { Rng, seedFrom } from '../core/random.js';
import { keptStamps, provenance, type Stamp } from './provenance.js';
import { benchScale } from './scale.js';
import { benchReconnectCost } from './reconnect-cost.js';
import { benchSpeedFidelity } from './speed-fidelity.js';
import { benchVitestSuite } from './vitest-suite.js';
import { openclawLaunch } from '../harness/bots/openclaw.js';
import { benchRecoveryAccuracy } from './recovery-accuracy.js';
import { benchMessages } from './messages.js';
import { benchVirtualSuite } from './virtual-suite.js';
import { benchNpmTest } from './npm-test.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '3' },
    'raw-logins': { type: 'string', default: '500' },
    'crash-trials': { type: 'string', default: '40' },
    'crash-seed': { type: 'string' },
    out: { type: 'string', default: 'bench/results/bench.json' },
    'gate-repetitions': { type: 'string', default: '3' },
    'gate-note': { type: 'string' },
    only: { type: 'string' },
    'scale-clients': { type: 'string', default: '500' },
    'scale-clients-per-worker': { type: 'string', default: '50' },
    'reconnect-ks': { type: 'string', default: '0,10,100' },
    'reconnect-nodes': { type: 'string', default: '20,22,24' },
    'messages-clients': { type: 'string', default: '10' },
    'messages-count': { type: 'string', default: '1000' },
    'messages-window': { type: 'string', default: '32' },
    'messages-answers': { type: 'string', default: '200' },
    'openclaw-runs': { type: 'string', default: '2' },
    'openclaw-speeds': { type: 'string', default: '1,5,10,15' },
  },
});
const SECTIONS = ['logins', 'crash', 'toxiproxy', 'scenarios', 'gate-spread', 'scale', 'reconnect-cost', 'speed-fidelity', 'openclaw-fidelity', 'recovery-accuracy', 'messages', 'virtual-suite', 'vitest-suite', 'npm-test'] as const;
/** The keys of bench.json each section writes. */
const RESULT_KEYS: Record<(typeof SECTIONS)[number], string[]> = {
  logins: ['baileys', 'serverIsolated', 'ratios'],
  crash: ['crashDuringSessionWrites'],
  toxiproxy: ['toxiproxyOverhead'],
  scenarios: ['scenarioSuite'],
  'gate-spread': ['gateSpread'],
  scale: ['scale'],
  'reconnect-cost': ['reconnectCost'],
  'speed-fidelity': ['speedFidelity'],
  'openclaw-fidelity': ['openclawFidelity'],
  'recovery-accuracy': ['recoveryAccuracy'],
  messages: ['messages'],
  'virtual-suite': ['virtualSuite'],
  'vitest-suite': ['vitestSuite'],
  'npm-test': ['npmTest'],
};
const only = values.only?.split(',').map((x) => x.trim());
for (const o of only ?? []) if (!(SECTIONS as readonly string[]).includes(o)) throw new Error(`Failed to read --only: unknown section "${o}". Known: ${SECTIONS.join(', ')}.`);
const wanted = (section: (typeof SECTIONS)[number]) => !only || only.includes(section);
const CLIENTS = Number(values.clients);
const ROUNDS = Number(values.rounds);
const RAW_LOGINS = Number(values['raw-logins']);
const CRASH_TRIALS = Number(values['crash-trials']);
const clock = systemClock;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.floor((s.length - 1) / 2)]! + s[Math.ceil((s.length - 1) / 2)]!) / 2 : NaN;
};

async function startServerProcess(): Promise<{ wsUrl: string; controlUrl: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['bin/baileys-chaos.js', 'serve', '--json', '--meter-cpu'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`Failed to start the server process: it exited with ${code}`)));
  });
  const { wsUrl, controlUrl, token } = JSON.parse(line);
  controlToken = token;
  return {
    wsUrl,
    controlUrl,
    stop: () => new Promise((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', () => resolve()), child.kill('SIGTERM')))),
  };
}

/** The server process's control API token (serve --json prints it): every change needs it. */
let controlToken = '';
async function api(base: string, method: string, path: string, body?: unknown): Promise<any> {
  const headers = { authorization: `Bearer ${controlToken}`, 'content-type': 'application/json' };
  const res = await fetch(base + path, { method, headers, ...(body ? { body: JSON.stringify(body) } : {}) });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${json.error}`);
  return json;
}

/** The server process's CPU (all of it: kernel, HTTP, WebSocket) and its protocol-handling time. */
const serverCost = async (controlUrl: string) => {
  const { cpu, protocolHandlerMs, socketWriteMs } = await api(controlUrl, 'GET', '/stats');
  return { cpuMs: (cpu.user + cpu.system) / 1000, protocolMs: protocolHandlerMs as number, writeMs: socketWriteMs as number };
};
type Cost = Awaited<ReturnType<typeof serverCost>>;
const costDelta = (a: Cost, b: Cost): Cost => ({ cpuMs: b.cpuMs - a.cpuMs, protocolMs: b.protocolMs - a.protocolMs, writeMs: b.writeMs - a.writeMs });
const perLogin = (c: Cost, logins: number) => ({
  serverCpuPerLoginMs: c.cpuMs / logins,
  serverProtocolWorkPerLoginMs: c.protocolMs / logins,
  serverProtocolWorkExcludingSocketWritesPerLoginMs: (c.protocolMs - c.writeMs) / logins,
});

async function benchBaileys(server: { wsUrl: string; controlUrl: string }, version: string, trustedPublicKey: Buffer) {
  const root = await mkdtemp(join(tmpdir(), 'bc-bench-'));
  try {
    const dirs: string[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      const authDir = join(root, `d${i}`);
      await api(server.controlUrl, 'POST', '/devices', { authDir, baileysVersion: version });
      dirs.push(authDir);
    }
    const loginAll = async () => {
      const started = clock.now();
      const times: number[] = [];
      const clients = await Promise.all(
        dirs.map(async (authDir) => {
          const t0 = clock.now();
          const c = await ObservedClient.connect({ version, wsUrl: server.wsUrl, trustedPublicKey, authDir });
          await c.waitFor('open', 60_000);
          times.push(clock.now() - t0);
          return c;
        }),
      );
      const wallMs = clock.now() - started;
      for (const c of clients) await c.end();
      return { wallMs, times };
    };
    await loginAll(); // warm-up: first logins upload pre-keys (812 on 7.x), not steady state
    const rounds = [];
    for (let r = 0; r < ROUNDS; r++) {
      const cost0 = await serverCost(server.controlUrl);
      const { wallMs, times } = await loginAll();
      rounds.push({ wallMs, times, ...costDelta(cost0, await serverCost(server.controlUrl)) });
    }
    const allTimes = rounds.flatMap((r) => r.times);
    const logins = CLIENTS * ROUNDS;
    const wall = rounds.reduce((a, r) => a + r.wallMs, 0);
    const cost = rounds.reduce<Cost>((a, r) => ({ cpuMs: a.cpuMs + r.cpuMs, protocolMs: a.protocolMs + r.protocolMs, writeMs: a.writeMs + r.writeMs }), { cpuMs: 0, protocolMs: 0, writeMs: 0 });
    return {
      version,
      concurrentClients: CLIENTS,
      logins,
      loginsPerSecond: (logins / wall) * 1000,
      medianHandshakeAndLoginMs: median(allTimes),
      p95HandshakeAndLoginMs: [...allTimes].sort((a, b) => a - b)[Math.floor(allTimes.length * 0.95)]!,
      ...perLogin(cost, logins),
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** A provisioned session's noise key, read back from its creds.json (Baileys' BufferJSON). */
async function noiseKeyOf(authDir: string) {
  const creds = JSON.parse(await readFile(join(authDir, 'creds.json'), 'utf8'));
  const buf = (v: { data: string }) => Buffer.from(v.data, 'base64');
  return { public: buf(creds.noiseKey.public), private: buf(creds.noiseKey.private) };
}

/**
 * Logins by the raw initiator: the same handshake and login as a real client (as known devices,
 * up to the server's <success>), with almost no client cost on top: the server's work isolated.
 */
async function benchRaw(server: { wsUrl: string; controlUrl: string }) {
  const root = await mkdtemp(join(tmpdir(), 'bc-bench-raw-'));
  try {
    const devices: { device: { user: string; device: number }; noiseKey: { public: Buffer; private: Buffer } }[] = [];
    for (let i = 0; i < 8; i++) {
      const authDir = join(root, `r${i}`);
      const { jid } = await api(server.controlUrl, 'POST', '/devices', { authDir });
      const [user, device] = jid.split('@')[0].split(':');
      devices.push({ device: { user, device: Number(device) }, noiseKey: await noiseKeyOf(authDir) });
    }
    const cost0 = await serverCost(server.controlUrl);
    const times: number[] = [];
    const started = clock.now();
    let next = 0;
    const worker = async (w: number) => {
      while (next++ < RAW_LOGINS) {
        const t0 = clock.now();
        const c = await RawClient.open(server.wsUrl);
        await c.login(devices[w]!.device as never, devices[w]!.noiseKey);
        await c.nextFrame(); // <success>
        times.push(clock.now() - t0);
        c.close();
        await c.closed;
      }
    };
    await Promise.all(devices.map((_, w) => worker(w)));
    const wallMs = clock.now() - started;
    const cost = costDelta(cost0, await serverCost(server.controlUrl));
    return {
      logins: RAW_LOGINS,
      concurrentClients: devices.length,
      loginsPerSecond: (RAW_LOGINS / wallMs) * 1000,
      medianHandshakeAndLoginMs: median(times),
      ...perLogin(cost, RAW_LOGINS),
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** SIGKILL during session writes, both stores, in-process fake server (harness/crash.ts). */
async function benchCrashes() {
  const seed = seedFrom(values['crash-seed']);
  const version = versionsUnderTest().at(-1)!;
  const server = await startFakeServer();
  const workDir = await mkdtemp(join(tmpdir(), 'bc-bench-crash-'));
  try {
    const results = [];
    for (const storeKind of ['file', 'sqlite'] as const) {
      process.stderr.write(`bench: ${CRASH_TRIALS} SIGKILL trials, ${storeKind} store, Baileys ${version} (seed ${seed})…\n`);
      results.push(await runCrashTrials({ server, version, storeKind, workDir, rng: new Rng(seed), trials: CRASH_TRIALS, windowMs: 600 }));
    }
    return { seed, replay: `npm run bench -- --crash-seed ${seed} --crash-trials ${CRASH_TRIALS}`, results };
  } finally {
    await server.close();
    await rm(workDir, { recursive: true, force: true });
  }
}

/**
 * The scenario suite files under vitest (its own process), each alone: the CI scenario suite with
 * real-world settings in virtual time (every version), and the broken supervisors caught and
 * shrunk. Wall time and outcome per file.
 */
async function benchScenarioSuite() {
  const files = ['test/e2e/virtual-suite.test.ts', 'test/e2e/scenarios.test.ts'];
  const results = [];
  for (const file of files) {
    process.stderr.write(`bench: ${file} alone…\n`);
    const started = clock.now();
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', file], { stdio: ['ignore', 'ignore', 'inherit'] });
      child.once('exit', resolve);
    });
    results.push({ file, passed: code === 0, seconds: Math.round((clock.now() - started) / 100) / 10 });
  }
  return { files: results, machine: `${cpus().length} cores` };
}

/** Sections not re-measured this time are kept from the previous file. */
async function previousResult(): Promise<Record<string, unknown>> {
  try {
    return JSON.parse(await readFile(values.out!, 'utf8'));
  } catch {
    return {};
  }
}

const previous = await previousResult();
/**
 * Each section keeps its own provenance (date, commit, machine, command): a section kept from an
 * earlier run keeps that run's stamp. A file written before sections were stamped gets its one
 * old stamp per section, marked approximate (it may be newer than the measurement).
 */
const stamps: Record<string, Stamp> = keptStamps(previous, RESULT_KEYS);
const { date: _oldDate, machine: _oldMachine, ...kept } = previous;
const result: Record<string, unknown> = {
  ...kept,
  kind: 'baileys-chaos fake-server benchmark',
  schemaVersion: 2,
  writtenAt: new Date().toISOString(),
  note:
    'Each section\'s date, commit, machine and command are in provenance[section]; a section not re-measured keeps its own. ' +
    'serverCpuPerLoginMs: the server process\'s whole cpuUsage delta per login (kernel, TCP accept, HTTP upgrade, WebSocket, protocol). ' +
    'serverProtocolWorkPerLoginMs: process CPU spent in the server\'s frame handlers per login (Noise, binary nodes, answers, including the socket writes they make). ' +
    'serverProtocolWorkExcludingSocketWritesPerLoginMs: the same less the CPU of handing frames to the socket (one system call a frame). ' +
    'scenarioSuite: wall time of each scenario suite file under vitest, alone (virtual-suite: the CI scenario suite, every version, with real-world settings at x10 through the compiled CLI). Ratios are from one run. ' +
    'gateSpread: the baseline\'s suite run R times; per gated metric the values and their spread, and the gate tolerance derived from it (its rule and note inside).',
};
const measured = (section: (typeof SECTIONS)[number], flags: string) => (stamps[section] = provenance(`npm run bench -- --only ${section}${flags ? ` ${flags}` : ''}`));
if (wanted('logins')) {
  measured('logins', `--clients ${CLIENTS} --rounds ${ROUNDS} --raw-logins ${RAW_LOGINS}`);
  const server = await startServerProcess();
  try {
    const { publicKey } = await api(server.controlUrl, 'GET', '/trust');
    const trusted = Buffer.from(publicKey, 'base64');
    const baileys = [];
    for (const version of versionsUnderTest()) {
      process.stderr.write(`bench: ${CLIENTS} concurrent Baileys ${version} clients × ${ROUNDS} rounds…\n`);
      baileys.push(await benchBaileys(server, version, trusted));
    }
    process.stderr.write(`bench: ${RAW_LOGINS} raw-initiator logins (server work isolated)…\n`);
    const raw = await benchRaw(server);
    result.baileys = baileys;
    result.serverIsolated = raw;
    result.ratios = Object.fromEntries(
      baileys.map((b) => [
        b.version,
        {
          rawLoginsPerSecondOverBaileys: raw.loginsPerSecond / b.loginsPerSecond,
          serverCpuPerBaileysLoginOverRaw: b.serverCpuPerLoginMs / raw.serverCpuPerLoginMs,
        },
      ]),
    );
  } finally {
    await server.stop();
  }
}
if (wanted('crash')) {
  measured('crash', `--crash-trials ${CRASH_TRIALS}${values['crash-seed'] ? ` --crash-seed ${values['crash-seed']}` : ''}`);
  result.crashDuringSessionWrites = await benchCrashes();
}
if (wanted('toxiproxy')) {
  measured('toxiproxy', '');
  process.stderr.write('bench: Toxiproxy overhead, no toxics: direct vs embedded vs real…\n');
  result.toxiproxyOverhead = await benchToxiproxyOverhead();
}
if (wanted('scenarios')) {
  measured('scenarios', '');
  result.scenarioSuite = await benchScenarioSuite();
}
if (wanted('gate-spread')) {
  measured('gate-spread', `--gate-repetitions ${values['gate-repetitions']}`);
  result.gateSpread = await benchGateSpread({ repetitions: Number(values['gate-repetitions']), ...(values['gate-note'] ? { note: values['gate-note'] } : {}) });
}
if (wanted('scale')) {
  const n = Number(values['scale-clients']);
  const perWorker = Number(values['scale-clients-per-worker']);
  measured('scale', `--scale-clients ${n} --scale-clients-per-worker ${perWorker}`);
  process.stderr.write(`bench: ${n} live clients per pinned version, a server restart under them (about 8 min at 500)…\n`);
  result.scale = await benchScale({ n, clientsPerWorker: perWorker });
}
if (wanted('reconnect-cost')) {
  measured('reconnect-cost', `--reconnect-ks ${values['reconnect-ks']} --reconnect-nodes ${values['reconnect-nodes']}`);
  result.reconnectCost = await benchReconnectCost({ ks: values['reconnect-ks']!.split(',').map(Number), nodes: values['reconnect-nodes']!.split(',') });
}
if (wanted('speed-fidelity')) {
  measured('speed-fidelity', '');
  result.speedFidelity = await benchSpeedFidelity();
}
if (only?.includes('openclaw-fidelity')) {
  // Only when asked: OpenClaw as shipped must be installed (npm run setup:openclaw), and its runs go one at a time.
  await openclawLaunch().catch((err: Error) => {
    throw new Error(`Failed to measure openclaw-fidelity: ${err.message}`);
  });
  const runs = Number(values['openclaw-runs']);
  const speeds = values['openclaw-speeds']!.split(',').map(Number);
  measured('openclaw-fidelity', `--openclaw-runs ${runs} --openclaw-speeds ${speeds.join(',')}`);
  result.openclawFidelity = await benchSpeedFidelity({ bots: ['openclaw'], runs, speeds });
}
if (wanted('recovery-accuracy')) {
  measured('recovery-accuracy', '');
  result.recoveryAccuracy = await benchRecoveryAccuracy();
}
if (wanted('messages')) {
  const m = { clients: Number(values['messages-clients']), count: Number(values['messages-count']), window: Number(values['messages-window']), answers: Number(values['messages-answers']) };
  measured('messages', `--messages-clients ${m.clients} --messages-count ${m.count} --messages-window ${m.window} --messages-answers ${m.answers}`);
  result.messages = await benchMessages(m);
}
if (wanted('virtual-suite')) {
  measured('virtual-suite', '');
  result.virtualSuite = await benchVirtualSuite();
}
if (wanted('vitest-suite')) {
  measured('vitest-suite', '');
  result.vitestSuite = await benchVitestSuite();
}
if (only?.includes('npm-test')) {
  // Only when asked: it is the whole test suite (about 40 minutes).
  measured('npm-test', '');
  result.npmTest = await benchNpmTest();
}
result.provenance = stamps;
// When the file was written, after every section (a section's own start is in its provenance).
result.writtenAt = new Date().toISOString();
await mkdir(dirname(values.out!), { recursive: true });
await writeFile(values.out!, JSON.stringify(result, null, 2) + '\n');
process.stdout.write(JSON.stringify(result, null, 2) + '\n');
process.stderr.write(`bench: written to ${values.out}\n`);
