/**
 * Bench section `scale`: hundreds of real Baileys clients on one machine, as bot hosts run them.
 *
 * Per pinned version: the fake server in its own process (bench/scale/server.ts: the same server
 * and control API as `baileys-chaos serve`, plus a state file so it survives a real restart), N
 * devices provisioned with their pre-keys held by the server (harness/provision.ts, preKeys
 * 'held-by-server': no key generation or upload at the first login), N real clients spread over
 * worker processes (bench/scale/worker.ts, `clientsPerWorker` each, every client in the reference
 * Supervisor), then:
 *  1. burst: every client starts at once; time until all are open, server CPU per login, client
 *     CPU per login, event-loop lag in the workers;
 *  2. idle: held `idleMs` with real keep-alives; memory per client (workers) and per connection
 *     (server), event-loop lag;
 *  3. restart: the server process is killed (SIGKILL) and started again on the same port from its
 *     state file; time until every client is open again, attempts per client (the new server's
 *     login events, and the clients' own attempts), close codes;
 *  4. after: held `afterMs`; the restarted server's RSS per connection (it never provisioned).
 * File descriptors of the server and every worker are sampled from /proc/<pid>/fd all along.
 *
 * Standalone: npx tsx bench/scale.ts --n 500 --versions 6.7.21,7.0.0-rc14 [--clients-per-worker 50]
 *             [--idle-ms 30000] [--out bench/results/scale.json]   (prints the JSON)
 */
import { fork, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { versionsUnderTest } from '../harness/baileys/versions.js';
import { DEFAULT_SUPERVISOR_CONFIG, type SupervisorConfig } from '../harness/supervisor/config.js';
import type { ServerReply, ServerRequest } from './scale/server.js';
import type { PhaseStats, WorkerReply, WorkerRequest } from './scale/worker.js';

export interface ScaleOptions {
  /** Clients per version. */
  n: number;
  /** Default: versionsUnderTest() (BAILEYS_VERSIONS, else the pinned ones installed). */
  versions?: string[];
  /** Clients per worker process (default 50). */
  clientsPerWorker?: number;
  /** How long the herd is held idle before the restart (default 30 s). */
  idleMs?: number;
  /** How long after everyone is back before the last meters are read (default 5 s). */
  afterMs?: number;
  /** Baileys keepAliveIntervalMs (default 10 s: three real pings each in the default idle). */
  keepAliveIntervalMs?: number;
  /** Bound on each wait for the whole herd to be open (default 180 s). */
  openTimeoutMs?: number;
  /** Default 'held-by-server'; 'uploaded-at-first-login' measures the full first login instead. */
  preKeys?: 'held-by-server' | 'uploaded-at-first-login';
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
}

const HERE = dirname(fileURLToPath(import.meta.url));
const SERVER_ENTRY = join(HERE, 'scale', 'server.ts');
const WORKER_ENTRY = join(HERE, 'scale', 'worker.ts');
const mono = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number, d = 2) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : x);
const MB = 1024 * 1024;
const quantile = (xs: number[], q: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const median = (xs: number[]) => quantile(xs, 0.5);

/** Polls `cond` until it holds; throws naming `what` and `describe()` after `timeoutMs`. */
async function until(cond: () => boolean, timeoutMs: number, what: string, describe: () => string = () => ''): Promise<void> {
  const deadline = mono() + timeoutMs;
  while (!cond()) {
    if (mono() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${describe() ? ` (${describe()})` : ''}`);
    await sleep(50);
  }
}

/** The first message from `child` matching `pred`; rejects on timeout, on the child's exit, or on an error message. */
function nextMessage<T>(child: ChildProcess, pred: (m: any) => m is T, timeoutMs: number, what: string, id?: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const done = (fn: () => void) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      fn();
    };
    const onMessage = (m: any) => {
      if (pred(m)) done(() => resolve(m));
      else if (m?.type === 'error' && (m.id === undefined || m.id === id)) done(() => reject(new Error(`${what}: ${m.message}`)));
    };
    const onExit = (code: number | null, signal: string | null) => done(() => reject(new Error(`${what}: the process exited (${code ?? signal})`)));
    const timer = setTimeout(() => done(() => reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`))), timeoutMs);
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

const forkTs = (entry: string, args: string[] = []) =>
  fork(entry, args, { execArgv: ['--import', 'tsx', '--expose-gc'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'advanced' });

/** Kills a child we started (by its handle) and waits for it to be gone, bounded. */
async function killChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL', timeoutMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill(signal);
  await Promise.race([gone, sleep(timeoutMs)]);
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await Promise.race([gone, sleep(timeoutMs)]);
  }
}

interface ServerHandle {
  child: ChildProcess;
  ready: Extract<ServerReply, { type: 'ready' }>;
}

async function startServer(port: number, statePath: string): Promise<ServerHandle> {
  const child = forkTs(SERVER_ENTRY, ['--port', String(port), '--state', statePath]);
  try {
    const ready = await nextMessage(child, (m): m is ServerHandle['ready'] => m?.type === 'ready', 60_000, 'the scale server to start');
    return { child, ready };
  } catch (err) {
    await killChild(child);
    throw err;
  }
}

async function getJson(base: string, path: string): Promise<any> {
  const res = await fetch(base + path, { signal: AbortSignal.timeout(30_000) });
  const json = await res.json();
  if (!res.ok) throw new Error(`GET ${path}: ${json.error}`);
  return json;
}
let memoryRequests = 0;
/** The server process's memory after a full GC (over IPC: the control API has RSS only). */
async function serverMemory(s: ServerHandle) {
  const id = ++memoryRequests;
  const reply = nextMessage(s.child, (m): m is Extract<ServerReply, { type: 'memory' }> => m?.type === 'memory' && m.id === id, 30_000, 'the server\'s memory', id);
  s.child.send({ type: 'memory', id } satisfies ServerRequest);
  const { rss, heapUsed, external, arrayBuffers } = await reply;
  return { rss, heapUsed, external, arrayBuffers };
}
const serverStats = async (s: ServerHandle) => {
  const st = await getJson(s.ready.controlUrl, '/stats');
  return { cpuMs: (st.cpu.user + st.cpu.system) / 1000, rss: st.memory as number, live: st.liveConnections as number, protocolMs: st.protocolHandlerMs as number };
};
/** Server events of one type, counted per client label. */
const perClient = async (s: ServerHandle, type: string, since = 0) => {
  const events: { client?: string; detail?: Record<string, unknown> }[] = await getJson(s.ready.controlUrl, `/events?type=${type}&since=${since}`);
  const counts = new Map<string, number>();
  for (const e of events) if (e.client !== undefined) counts.set(e.client, (counts.get(e.client) ?? 0) + 1);
  return { total: events.length, counts, events };
};
const distribution = (counts: Iterable<number | string>) => {
  const d: Record<string, number> = {};
  for (const c of counts) d[c] = (d[c] ?? 0) + 1;
  return d;
};

/** File descriptors of each process, sampled; peaks overall and per phase. */
class FdSampler {
  private timer: NodeJS.Timeout | undefined;
  phase = 'setup';
  readonly peaks: Record<string, { server: number; workerMax: number; workersTotal: number; total: number }> = {};
  constructor(private readonly pids: () => { server?: number; workers: number[] }) {}
  private count(pid: number | undefined): number {
    if (pid === undefined) return 0;
    try {
      return readdirSync(`/proc/${pid}/fd`).length;
    } catch {
      return 0; // gone (the server between kill and restart)
    }
  }
  /** Now: the server's and each worker's open fds. */
  counts(): { server: number; workers: number[] } {
    const { server, workers } = this.pids();
    return { server: this.count(server), workers: workers.map((p) => this.count(p)) };
  }
  sample(): void {
    const { server, workers } = this.pids();
    const s = this.count(server);
    const w = workers.map((p) => this.count(p));
    const workersTotal = w.reduce((a, b) => a + b, 0);
    // 'all' leaves out setup: provisioning writes each device's pre-key files at once (813 on 7.x).
    for (const key of this.phase === 'setup' ? ['setup'] : ['all', this.phase]) {
      const p = (this.peaks[key] ??= { server: 0, workerMax: 0, workersTotal: 0, total: 0 });
      p.server = Math.max(p.server, s);
      p.workerMax = Math.max(p.workerMax, ...w, 0);
      p.workersTotal = Math.max(p.workersTotal, workersTotal);
      p.total = Math.max(p.total, s + workersTotal);
    }
  }
  start(everyMs = 250): void {
    this.timer = setInterval(() => this.sample(), everyMs);
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

const lagSummary = (stats: PhaseStats[]) => ({
  p99MaxOverWorkersMs: round(Math.max(...stats.map((s) => s.lag.p99))),
  p99MedianOverWorkersMs: round(median(stats.map((s) => s.lag.p99))),
  maxMs: round(Math.max(...stats.map((s) => s.lag.max))),
  p99PerWorkerMs: stats.map((s) => round(s.lag.p99, 1)),
});

async function benchVersion(version: string, opts: Required<Omit<ScaleOptions, 'versions' | 'log'>> & { log: (l: string) => void }) {
  const { n, clientsPerWorker, log } = opts;
  const root = await mkdtemp(join(tmpdir(), 'bc-scale-'));
  const statePath = join(root, 'server-state.json');
  let server: ServerHandle | undefined;
  const workers: { child: ChildProcess; pid: number; clients: number }[] = [];
  /** Every worker ends its clients (sockets, session writes) and exits; killed after 15 s. */
  const stopWorkers = () =>
    Promise.all(
      workers.map(async (w) => {
        if (w.child.connected) {
          const gone = new Promise<void>((r) => w.child.once('exit', () => r()));
          w.child.send({ type: 'stop' } satisfies WorkerRequest);
          await Promise.race([gone, sleep(15_000)]);
        }
        await killChild(w.child);
      }),
    );
  const sampler = new FdSampler(() => ({ server: server?.child.pid, workers: workers.map((w) => w.pid) }));
  try {
    server = await startServer(0, statePath);
    const port = server.ready.port;
    const dirs = Array.from({ length: n }, (_, i) => join(root, `c${i}`));

    // Workers load Baileys while the server provisions.
    const nWorkers = Math.ceil(n / clientsPerWorker);
    const opens = new Map<number, number[]>();
    const attempts = new Map<number, number[]>();
    const closes: { index: number; t: number; code?: number }[] = [];
    const stopped: { index: number; reason: string; message: string }[] = [];
    const errors: string[] = [];
    const phaseStats = new Map<string, (PhaseStats & { worker: number })[]>();
    const onWorkerMessage = (m: WorkerReply) => {
      if (m.type === 'open') (opens.get(m.index) ?? opens.set(m.index, []).get(m.index)!).push(m.t);
      else if (m.type === 'attempt') (attempts.get(m.index) ?? attempts.set(m.index, []).get(m.index)!).push(m.t);
      else if (m.type === 'close') closes.push(m);
      else if (m.type === 'stopped') stopped.push(m);
      else if (m.type === 'error') errors.push(m.message.split('\n')[0]!);
      else if (m.type === 'phase-stats') (phaseStats.get(m.stats.phase) ?? phaseStats.set(m.stats.phase, []).get(m.stats.phase)!).push({ ...m.stats, worker: m.worker });
    };
    for (let w = 0; w < nWorkers; w++) {
      const child = forkTs(WORKER_ENTRY);
      child.on('message', onWorkerMessage);
      workers.push({ child, pid: child.pid!, clients: Math.min(clientsPerWorker, n - w * clientsPerWorker) });
    }
    sampler.start();

    log(`scale: Baileys ${version}: provisioning ${n} devices (pre-keys ${opts.preKeys})…`);
    const provisionStarted = mono();
    const BATCH = 25;
    for (let i = 0, id = 1; i < n; i += BATCH, id++) {
      const req: ServerRequest = { type: 'provision', id, version, authDirs: dirs.slice(i, i + BATCH), preKeys: opts.preKeys };
      const pred = (m: any): m is Extract<ServerReply, { type: 'provisioned' }> => m?.type === 'provisioned' && m.id === id;
      const reply = nextMessage(server.child, pred, 120_000, `provisioning batch ${id}`, id);
      server.child.send(req);
      await reply;
    }
    const provisionMs = mono() - provisionStarted;

    const trust = (await getJson(server.ready.controlUrl, '/trust')).publicKey as string;
    const config: SupervisorConfig = {
      ...DEFAULT_SUPERVISOR_CONFIG,
      keepAliveIntervalMs: opts.keepAliveIntervalMs,
      loginTimeoutMs: opts.openTimeoutMs, // the watchdog never cuts a slow login of the burst
      maxRetries: 0,
    };
    const ready = await Promise.all(
      workers.map((w, k) => {
        const p = nextMessage(w.child, (m): m is Extract<WorkerReply, { type: 'ready' }> => m?.type === 'ready', 120_000, `worker ${k} to load Baileys`);
        const clients = dirs.slice(k * clientsPerWorker, (k + 1) * clientsPerWorker).map((authDir, j) => ({ index: k * clientsPerWorker + j, authDir }));
        w.child.send({ type: 'init', worker: k, version, wsUrl: server!.ready.wsUrl, trustedPublicKey: trust, clients, config, seed: 7 } satisfies WorkerRequest);
        return p;
      }),
    );
    const toAll = (m: WorkerRequest) => workers.forEach((w) => w.child.connected && w.child.send(m));
    const openSince = (t: number) => [...opens.values()].filter((ts) => ts.some((x) => x >= t)).length;
    const describeOpen = (t: number) => () => `${openSince(t)} of ${n} open; ${stopped.length} stopped${stopped[0] ? ` (${stopped[0].message})` : ''}; errors: ${errors.slice(0, 3).join(' | ') || 'none'}`;
    await sleep(2_000); // let the workers' loading settle before the burst

    // 1. burst
    log(`scale: Baileys ${version}: ${n} clients in ${nWorkers} workers start at once…`);
    const cost0 = await serverStats(server);
    const fdsBefore = sampler.counts();
    sampler.phase = 'burst';
    const goAt = mono();
    toAll({ type: 'go' });
    // A herd that does not all open within the bound is a result (how many did), not a crash.
    const burstDone = await until(() => openSince(goAt) === n, opts.openTimeoutMs, '').then(() => true, () => false);
    const burstShortfall = burstDone ? undefined : describeOpen(goAt)();
    const firstOpens = [...opens.values()].map((ts) => ts[0]! - goAt);
    const allOpenMs = burstDone ? Math.max(...firstOpens) : NaN;
    toAll({ type: 'phase', name: 'idle' });
    sampler.phase = 'idle';
    const cost1 = await serverStats(server);
    const burstLogins = await perClient(server, 'login');
    const uploads = async (s: ServerHandle) =>
      ((await getJson(s.ready.controlUrl, '/events?type=iq')) as { detail?: Record<string, unknown> }[]).filter((e) => e.detail?.xmlns === 'encrypt' && e.detail?.type === 'set' && e.detail?.child === 'registration').length;
    const burstUploads = await uploads(server);
    log(`scale: Baileys ${version}: ${burstDone ? `all ${n} open in ${Math.round(allOpenMs)} ms` : `not all open: ${burstShortfall}`}; holding idle ${opts.idleMs} ms…`);

    // 2. idle
    const pingSeq0 = (await getJson(server.ready.controlUrl, '/events?type=ping&since=0')).length as number;
    await sleep(opts.idleMs);
    const idleServer = await serverStats(server);
    const pingsIdle = ((await getJson(server.ready.controlUrl, '/events?type=ping&since=0')).length as number) - pingSeq0;
    toAll({ type: 'phase', name: 'restart' });
    sampler.phase = 'restart';
    await until(() => (phaseStats.get('idle')?.length ?? 0) === nWorkers, 30_000, 'the workers\' idle meters');

    // 3. restart: kill the server process, start it again on the same port from its state file
    log(`scale: Baileys ${version}: killing the server process and starting it again on port ${port}…`);
    const killAt = mono();
    await killChild(server.child, 'SIGKILL');
    const killedAt = mono();
    server = undefined;
    server = await startServer(port, statePath);
    const backAt = mono();
    const restarted = await serverStats(server);
    const reopenDone = await until(() => openSince(killAt) === n, opts.openTimeoutMs, '').then(() => true, () => false);
    const reopenShortfall = reopenDone ? undefined : describeOpen(killAt)();
    const reopens = [...opens.values()].map((ts) => ts.find((x) => x >= killAt)).filter((t): t is number => t !== undefined).map((t) => t - killAt);
    const reopenMs = reopenDone ? Math.max(...reopens) : NaN;
    toAll({ type: 'phase', name: 'after' });
    sampler.phase = 'after';
    const restartCost = await serverStats(server);
    const loginsAfter = await perClient(server, 'login');
    const wsOpensAfter = await perClient(server, 'ws-open');
    const restartUploads = await uploads(server);
    const clientAttemptsAfter = [...Array(n).keys()].map((i) => (attempts.get(i) ?? []).filter((t) => t >= killAt).length);
    log(`scale: Baileys ${version}: ${reopenDone ? `all open again ${Math.round(reopenMs)} ms after the kill` : `not all open again: ${reopenShortfall}`}; holding ${opts.afterMs} ms…`);

    // 4. after
    await sleep(opts.afterMs);
    const afterServer = await serverStats(server);
    const afterMem = await serverMemory(server);
    toAll({ type: 'phase', name: 'end' });
    await until(() => (phaseStats.get('after')?.length ?? 0) === nWorkers, 30_000, 'the workers\' last meters');
    sampler.sample();
    // The restarted server once the herd has gone: the same warmed process with no connection.
    await stopWorkers();
    let emptyLive = -1;
    for (const deadline = mono() + 20_000; mono() < deadline; await sleep(200)) if ((emptyLive = (await serverStats(server)).live) === 0) break;
    const emptyMem = await serverMemory(server);

    const ps = (name: string) => phaseStats.get(name) ?? [];
    const readyMem = new Map(ready.map((r) => [r.worker, r.memory]));
    const idle = ps('idle');
    const perWorkerMem = idle.map((s) => {
      const w = workers[s.worker]!;
      const base = readyMem.get(s.worker)!;
      return { clients: w.clients, rss: s.memory.rss, heapUsed: s.memory.heapUsed, rssGrowth: s.memory.rss - base.rss, heapGrowth: s.memory.heapUsed - base.heapUsed };
    });
    const sum = (f: (x: (typeof perWorkerMem)[number]) => number) => perWorkerMem.reduce((a, x) => a + f(x), 0);
    // What bounds N here, from the numbers above (see the report for the reasoning).
    const limits = () => {
      const cores = availableParallelism();
      const cpuPerLogin = ps('burst').reduce((a, s) => a + s.cpuMs, 0) / n + (cost1.cpuMs - cost0.cpuMs) / n;
      const serverFdsPerConn = (sampler.peaks.idle!.server - fdsBefore.server) / n;
      const workerFdsPerClient = (sampler.peaks.all!.workerMax - Math.max(...fdsBefore.workers)) / Math.min(n, clientsPerWorker);
      const softNofile = Number(/Max open files\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? NaN);
      const clientMB = sum((x) => x.rss) / MB / n;
      return {
        cpuMsPerLoginClientAndServer: round(cpuPerLogin),
        burstCpuBoundSeconds: round((cpuPerLogin * n) / cores / 1000, 1),
        loginsWithin60sIfCpuBound: Math.floor((60_000 * cores) / cpuPerLogin),
        serverFdsPerConnection: round(serverFdsPerConn, 2),
        connectionsPerServerProcessAtUlimit: Math.floor((softNofile - fdsBefore.server) / serverFdsPerConn),
        workerFdsPerClient: round(workerFdsPerClient, 2),
        rssMBPerClientIncludingWorkerBaseline: round(clientMB, 2),
        clientsPerGBOfRss: Math.floor(1024 / clientMB),
      };
    };
    /** Each client's closes after the kill but its first (the kill's): why a reconnect failed. */
    const laterCloses = () => {
      const seen = new Set<number>();
      return closes.filter((c) => c.t >= killAt && (seen.has(c.index) || (seen.add(c.index), false))).map((c) => c.code ?? 'none');
    };
    const closeCodes = distribution(closes.filter((c) => c.t >= killAt && c.t < backAt + 5_000).map((c) => c.code ?? 'none'));
    return {
      version,
      clients: n,
      workers: nWorkers,
      clientsPerWorker,
      preKeys: opts.preKeys,
      provisionSeconds: round(provisionMs / 1000, 1),
      workerLoadMsMedian: round(median(ready.map((r) => r.loadMs)), 0),
      burst: {
        allOpenMs: burstDone ? round(allOpenMs, 0) : null,
        ...(burstShortfall ? { notAllOpenWithin: { ms: opts.openTimeoutMs, state: burstShortfall } } : {}),
        p50OpenMs: round(median(firstOpens), 0),
        p95OpenMs: round(quantile(firstOpens, 0.95), 0),
        serverCpuPerLoginMs: round((cost1.cpuMs - cost0.cpuMs) / n),
        serverProtocolWorkPerLoginMs: round((cost1.protocolMs - cost0.protocolMs) / n),
        clientCpuPerLoginMs: round(ps('burst').reduce((a, s) => a + s.cpuMs, 0) / n),
        serverLoginsPerClient: distribution([...Array(n).keys()].map((i) => burstLogins.counts.get(String(i)) ?? 0)),
        preKeyUploads: burstUploads,
        eventLoopLag: lagSummary(ps('burst')),
        fdsPeak: sampler.peaks.burst,
      },
      idle: {
        heldMs: opts.idleMs,
        keepAliveIntervalMs: opts.keepAliveIntervalMs,
        serverPingsSeen: pingsIdle,
        client: {
          rssMBPerClient: round(sum((x) => x.rss) / MB / n, 3),
          rssGrowthMBPerClient: round(sum((x) => x.rssGrowth) / MB / n, 3),
          heapUsedGrowthMBPerClient: round(sum((x) => x.heapGrowth) / MB / n, 3),
          workerRssMB: perWorkerMem.map((x) => round(x.rss / MB, 0)),
          workerBaselineRssMBMedian: round(median([...readyMem.values()].map((m) => m.rss / MB)), 0),
        },
        server: {
          liveConnections: idleServer.live,
          rssMB: round(idleServer.rss / MB, 1),
          note: 'this process provisioned the devices (Baileys loaded, keys generated), its RSS holds that too: RSS per connection is measured on the restarted process (restart.server)',
        },
        eventLoopLag: lagSummary(idle),
        fdsPeak: sampler.peaks.idle,
      },
      restart: {
        how: 'SIGKILL of the server process, the same entry started again on the same port from its state file (test root, devices, pre-key counts)',
        serverDownMs: round(backAt - killAt, 0),
        serverStartMs: round(server.ready.startMs, 0),
        killMs: round(killedAt - killAt, 0),
        allOpenAgainMs: reopenDone ? round(reopenMs, 0) : null,
        ...(reopenShortfall ? { notAllOpenWithin: { ms: opts.openTimeoutMs, state: reopenShortfall } } : {}),
        p50OpenAgainMs: round(median(reopens), 0),
        p95OpenAgainMs: round(quantile(reopens, 0.95), 0),
        p99OpenAgainMs: round(quantile(reopens, 0.99), 0),
        closeCodesAfterTheFirst: distribution(laterCloses()),
        closeCodes,
        backoff: config.backoff,
        serverLoginsPerClient: { mean: round(loginsAfter.total / n, 3), max: Math.max(0, ...loginsAfter.counts.values()), distribution: distribution([...Array(n).keys()].map((i) => loginsAfter.counts.get(String(i)) ?? 0)) },
        serverConnectionsPerClient: { mean: round(wsOpensAfter.total / n, 3), max: Math.max(0, ...wsOpensAfter.counts.values()) },
        clientAttemptsPerClient: { mean: round(clientAttemptsAfter.reduce((a, b) => a + b, 0) / n, 3), max: Math.max(...clientAttemptsAfter), distribution: distribution(clientAttemptsAfter) },
        serverCpuPerLoginMs: round((restartCost.cpuMs - restarted.cpuMs) / Math.max(1, loginsAfter.total)),
        preKeyUploads: restartUploads,
        server: {
          rssMBAtStart: round(restarted.rss / MB, 1),
          rssMBWithAll: round(afterServer.rss / MB, 1),
          rssKBPerConnection: round((afterServer.rss - restarted.rss) / 1024 / n, 1),
          heapAndExternalKBPerConnection: emptyLive === 0 ? round((afterMem.heapUsed + afterMem.external - emptyMem.heapUsed - emptyMem.external) / 1024 / n, 1) : null,
          memoryNote:
            'heapAndExternalKBPerConnection: heap and external after a full GC (--expose-gc) in the restarted server process, with all N connected less the same once every client has gone: what a connection retains. ' +
            'rssKBPerConnection: RSS with all N less RSS at its start (RSS also holds freed pages and the allocator\'s reserve; noisy)',
          liveConnections: afterServer.live,
        },
        eventLoopLag: lagSummary(ps('restart')),
        eventLoopLagAfter: lagSummary(ps('after')),
        fdsPeak: sampler.peaks.restart,
      },
      fdsPeak: sampler.peaks.all,
      fdsPeakWhileProvisioning: sampler.peaks.setup,
      limits: limits(),
      stoppedClients: stopped.length,
      workerErrors: errors.length,
      ...(errors.length ? { firstWorkerErrors: [...new Set(errors)].slice(0, 5) } : {}),
    };
  } finally {
    sampler.stop();
    await stopWorkers();
    if (server) {
      if (server.child.connected) server.child.send({ type: 'stop' } satisfies ServerRequest);
      await killChild(server.child, 'SIGTERM');
    }
    await rm(root, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** The machine, for the record: cores, model, memory, node, the open-files limit, load when starting. */
export function machine() {
  const limits = readFileSync('/proc/self/limits', 'utf8');
  const nofile = /Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/.exec(limits);
  return {
    cpus: cpus().length,
    parallelism: availableParallelism(),
    model: cpus()[0]?.model,
    memoryGB: round(totalmem() / 1024 ** 3, 1),
    node: process.version,
    ulimitN: nofile ? { soft: nofile[1], hard: nofile[2] } : undefined,
    loadavgAtStart: loadavg().map((x) => round(x)),
  };
}

export async function benchScale(opts: ScaleOptions): Promise<object> {
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const o = {
    n: opts.n,
    clientsPerWorker: opts.clientsPerWorker ?? 50,
    idleMs: opts.idleMs ?? 30_000,
    afterMs: opts.afterMs ?? 5_000,
    keepAliveIntervalMs: opts.keepAliveIntervalMs ?? 10_000,
    openTimeoutMs: opts.openTimeoutMs ?? 180_000,
    preKeys: opts.preKeys ?? 'held-by-server',
    log,
  };
  if (!Number.isInteger(o.n) || o.n < 1) throw new Error(`Failed to run the scale bench: n must be a positive integer (got ${opts.n}).`);
  const machineInfo = machine();
  const versions = opts.versions ?? versionsUnderTest();
  const results = [];
  for (const version of versions) results.push(await benchVersion(version, o));
  return {
    date: new Date().toISOString(),
    commit: gitHead(),
    machine: machineInfo,
    options: { n: o.n, clientsPerWorker: o.clientsPerWorker, idleMs: o.idleMs, afterMs: o.afterMs, keepAliveIntervalMs: o.keepAliveIntervalMs, openTimeoutMs: o.openTimeoutMs, preKeys: o.preKeys },
    results,
  };
}

function gitHead(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: HERE, encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      n: { type: 'string', default: '50' },
      versions: { type: 'string' },
      'clients-per-worker': { type: 'string' },
      'idle-ms': { type: 'string' },
      'after-ms': { type: 'string' },
      'keep-alive-ms': { type: 'string' },
      'pre-keys': { type: 'string' },
      out: { type: 'string' },
    },
  });
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const result = await benchScale({
    n: Number(values.n),
    ...(values.versions ? { versions: values.versions.split(',').map((v) => v.trim()).filter(Boolean) } : {}),
    ...(values['clients-per-worker'] ? { clientsPerWorker: num(values['clients-per-worker'])! } : {}),
    ...(values['idle-ms'] ? { idleMs: num(values['idle-ms'])! } : {}),
    ...(values['after-ms'] ? { afterMs: num(values['after-ms'])! } : {}),
    ...(values['keep-alive-ms'] ? { keepAliveIntervalMs: num(values['keep-alive-ms'])! } : {}),
    ...(values['pre-keys'] ? { preKeys: values['pre-keys'] as ScaleOptions['preKeys'] & string } : {}),
  });
  const json = JSON.stringify(result, null, 2) + '\n';
  if (values.out) {
    await mkdir(dirname(values.out), { recursive: true });
    await writeFile(values.out, json);
  }
  process.stdout.write(json);
}
