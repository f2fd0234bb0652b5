/**
 * Bench section `messages`: end-to-end-encrypted chat messages through the fake server, per
 * pinned Baileys version.
 *
 * The server runs in its own process (`baileys-chaos serve --json --meter-cpu`), so its CPU
 * (GET /stats: the process's cpuUsage) is apart from the clients'. The real Baileys clients run in
 * this (the bench) process, like the `logins` section's: on a 2-core machine the server takes one
 * core and the clients the other, and worker processes would only compete for the same two cores
 * (the client side's CPU per message is measured, so whether it is the bottleneck is visible).
 *
 * Phases, each a closed loop: at most `window` messages outstanding at any time, a new one sent
 * as soon as one is done, so the rate is what is sustained, not a queue draining:
 *  1. one client: `count` contact → bot texts (POST /messages, several requests in flight), each
 *     end-to-end encrypted by the server (libsignal) and receipted by the real client. A place in
 *     the window is freed when the client upserts the message (its receipt follows in the same
 *     handler); then every message's receipt is checked on the server's record (message-receipted)
 *     and the wall time ends when the last one is there;
 *  2. N clients: the same, the window shared by all (round robin), `count` × 2 messages in all;
 *  3. answers (one client): the client sends `answers` texts to a contact (sock.sendMessage), done
 *     when the server decrypted it (message-answered, GET /events polled every 10 ms), ONE
 *     outstanding: several in flight to one contact were undecryptable at the server after its
 *     session had ratcheted ("No matching sessions found"), so this is a latency-bound rate.
 *
 * Per phase: throughput (done / wall time); the server process's CPU per message (all of it: the
 * control API's HTTP, encryption, WebSocket, the receipt), and the same less the CPU of a
 * POST /messages the server refuses (the control API's own share, measured at the end on the same
 * server); the bench process's CPU per message (the real clients: decryption, receipts, session
 * writes; plus the bench's HTTP); latency p50/p95 on the bench's clock from the request to the
 * client's upsert (answers: to the polled event, so up to one poll more), and on the server's
 * clock from the message written to the socket to its receipt read back.
 *
 * Standalone: npx tsx bench/messages.ts [--versions 6.7.21 --clients 10 --count 1000 --window 32 --answers 200]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ObservedClient } from '../harness/baileys/client.js';
import { versionsUnderTest } from '../harness/baileys/versions.js';

export interface MessagesBenchOptions {
  /** Clients in the N-client phase (default 10). */
  clients?: number;
  /** Messages in the one-client phase; the N-client phase sends twice as many (default 1000). */
  count?: number;
  /** Messages outstanding (sent, not yet receipted) at most, across all clients (default 32). */
  window?: number;
  /** Answers in the answer phase, 0 to skip it (default 300). */
  answers?: number;
  /** Default: versionsUnderTest(). */
  versions?: string[];
  log?: (line: string) => void;
}

const mono = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(s.length * p))]! : NaN;
};
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
const cpuNow = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

/** 7.x holds events 20 s for a history sync on a first connection; the fake server sends none. */
const socketConfig = { shouldSyncHistoryMessage: () => false };

interface ServerEvent {
  t: number;
  seq: number;
  type: string;
  jid?: string;
  detail?: Record<string, unknown>;
}

interface Sock {
  sendMessage(jid: string, content: { text: string }): Promise<{ key: { id: string } }>;
}

/** `baileys-chaos serve` as a child process, with its control API and token. */
async function startServerProcess() {
  const child = spawn(process.execPath, ['bin/baileys-chaos.js', 'serve', '--json', '--meter-cpu'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`Failed to start the server process: it exited with ${code}`)));
  });
  const { wsUrl, controlUrl, token } = JSON.parse(line) as { wsUrl: string; controlUrl: string; token: string };
  const api = async (method: string, path: string, body?: unknown): Promise<any> => {
    const res = await fetch(controlUrl + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
    const json = await res.json();
    if (!res.ok) throw new Error(`${method} ${path}: ${json.error}`);
    return json;
  };
  /** The server process's whole CPU (ms). */
  const cpu = async () => {
    const { cpu } = await api('GET', '/stats');
    return (cpu.user + cpu.system) / 1000;
  };
  const stop = () => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', () => resolve()), child.kill('SIGTERM'))));
  return { wsUrl, api, cpu, stop };
}
type ServerProcess = Awaited<ReturnType<typeof startServerProcess>>;

const lastSeq = async (server: ServerProcess) => ((await server.api('GET', '/events')) as ServerEvent[]).at(-1)?.seq ?? 0;
const eventsSince = async (server: ServerProcess, since: number, type: string) => (await server.api('GET', `/events?since=${since}&type=${type}`)) as ServerEvent[];

/**
 * What frees a place in a closed loop's window, by message id: a contact's message upserted by
 * its client (`upsert`), or the server's own event for it, polled (`server`). The client
 * listeners are set once per client; a phase sets `on`.
 */
const seen: { on?: (kind: 'upsert' | 'server', id: string) => void } = {};
function watch(client: ObservedClient) {
  const ev = (client.socket as unknown as { ev: { on(e: string, fn: (a: never) => void): void } }).ev;
  ev.on('messages.upsert', ((u: { messages: { key: { id?: string; fromMe?: boolean } }[] }) => {
    for (const m of u.messages) if (m.key.id && !m.key.fromMe) seen.on?.('upsert', m.key.id);
  }) as never);
}

interface Phase {
  done: number;
  lost: number;
  wallMs: number;
  serverCpuMs: number;
  clientCpuMs: number;
  /** Bench clock: from the request to the client's upsert (inbound) or the polled server event (answers). */
  observedMs: number[];
  /** Server clock: message-sent to message-receipted (inbound only). */
  serverMs: number[];
  /** Answers the server could not decrypt (message-undecryptable), with the first one's error. */
  undecryptable?: number;
  firstError?: string;
}

/**
 * A closed loop: `issue(n)` starts message n and resolves with its id; the client's event for it
 * (`kind`) frees its place in the window. Then the server's record is checked: every message
 * must have its `serverEvent` (receipted / answered); the wall time ends when it has.
 */
async function closedLoop(server: ServerProcess, o: { count: number; window: number; timeoutMs: number; kind: 'upsert' | 'server'; serverEvent: string; issue: (n: number) => Promise<string> }): Promise<Phase> {
  const since = await lastSeq(server);
  const outstanding = new Map<string, number>();
  const early = new Map<string, number>();
  const ids: string[] = [];
  const observedMs: number[] = [];
  let seenByClient = 0;
  let issued = 0;
  let inFlight = 0;
  let wake: (() => void) | undefined;
  seen.on = (kind, id) => {
    if (kind !== o.kind) return;
    const t0 = outstanding.get(id);
    if (t0 === undefined) {
      early.set(id, mono()); // seen before the request returned its id
      return;
    }
    outstanding.delete(id);
    seenByClient++;
    observedMs.push(mono() - t0);
    wake?.();
  };
  const fire = async (n: number) => {
    const t0 = mono();
    inFlight++;
    try {
      const id = await o.issue(n);
      ids.push(id);
      const at = early.get(id);
      if (at !== undefined) {
        early.delete(id);
        seenByClient++;
        observedMs.push(at - t0);
      } else outstanding.set(id, t0);
    } finally {
      inFlight--;
      wake?.();
    }
  };
  // Feedback from the server's record itself: its events polled (10 ms between polls).
  let polling = o.kind === 'server';
  let polled = since;
  const poller = (async () => {
    while (polling) {
      for (const e of await eventsSince(server, polled, o.serverEvent)) {
        polled = Math.max(polled, e.seq);
        seen.on?.('server', e.detail?.id as string);
      }
      await sleep(10);
    }
  })();
  const cpu0 = await server.cpu();
  const client0 = cpuNow();
  const started = mono();
  const deadline = started + o.timeoutMs;
  const failures: Error[] = [];
  while (seenByClient < o.count && mono() < deadline && !failures.length) {
    if (issued < o.count && outstanding.size + inFlight < o.window) {
      fire(issued++).catch((err: Error) => failures.push(err));
      continue;
    }
    await new Promise<void>((resolve) => {
      wake = resolve;
      setTimeout(resolve, 50);
    });
    wake = undefined;
  }
  seen.on = undefined;
  polling = false;
  await poller;
  if (failures.length) throw failures[0];
  // The server's record: each message receipted (or decrypted), polled until all are.
  const want = new Set(ids);
  const done = new Set<string>();
  let doneEvents: ServerEvent[] = [];
  while (mono() < deadline) {
    doneEvents = await eventsSince(server, since, o.serverEvent);
    for (const e of doneEvents) if (want.has(e.detail?.id as string)) done.add(e.detail!.id as string);
    if (done.size === want.size) break;
    await sleep(10);
  }
  const wallMs = mono() - started;
  const clientCpuMs = cpuNow() - client0;
  const serverCpuMs = (await server.cpu()) - cpu0;
  const serverMs: number[] = [];
  if (o.serverEvent === 'message-receipted') {
    const sentAt = new Map((await eventsSince(server, since, 'message-sent')).filter((e) => e.detail?.attempt === 1).map((e) => [e.detail!.id as string, e.t]));
    const firstReceipt = new Map<string, number>();
    for (const e of doneEvents) if (!firstReceipt.has(e.detail?.id as string)) firstReceipt.set(e.detail!.id as string, e.t);
    for (const [id, t] of firstReceipt) if (want.has(id) && sentAt.has(id)) serverMs.push(t - sentAt.get(id)!);
  }
  const undecryptable = o.serverEvent === 'message-answered' ? (await eventsSince(server, since, 'message-undecryptable')).filter((e) => want.has(e.detail?.id as string)) : [];
  return {
    done: done.size,
    lost: o.count - done.size,
    wallMs,
    serverCpuMs,
    clientCpuMs,
    observedMs,
    serverMs,
    ...(undecryptable.length ? { undecryptable: undecryptable.length, firstError: String(undecryptable[0]!.detail?.error).slice(0, 300) } : {}),
  };
}

/** `count` contact → bot messages over `targets` (a bot device and its contact each), spread evenly. */
function inbound(server: ServerProcess, targets: { jid: string; contact: string }[], count: number, window: number, timeoutMs: number) {
  return closedLoop(server, {
    count,
    window,
    timeoutMs,
    kind: 'upsert',
    serverEvent: 'message-receipted',
    issue: async (n) => {
      const t = targets[n % targets.length]!;
      return ((await server.api('POST', '/messages', { from: t.contact, to: t.jid, text: `bench ${n}` })) as { id: string }).id;
    },
  });
}

/** `count` answers: the client sends texts to `contact`, the server decrypts each. */
function answers(server: ServerProcess, sock: Sock, contact: string, count: number, window: number, timeoutMs: number) {
  return closedLoop(server, {
    count,
    window,
    timeoutMs,
    kind: 'server',
    serverEvent: 'message-answered',
    issue: async (n) => (await sock.sendMessage(contact, { text: `answer ${n}` })).key.id,
  });
}

/** The control API's own cost per POST /messages: one the server refuses (HTTP, JSON, an unknown contact; no message). */
async function rejectedPostCpuMs(server: ServerProcess) {
  const requests = 300;
  const cpu0 = await server.cpu();
  for (let i = 0; i < requests; i++) await server.api('POST', '/messages', { from: '10000000000@s.whatsapp.net', to: 'nobody@s.whatsapp.net', text: 'x' }).catch(() => undefined);
  return ((await server.cpu()) - cpu0) / requests;
}

function summarize(p: Phase, what: 'messages' | 'answers', postCpuMs: number) {
  return {
    [what]: p.done,
    ...(p.lost ? { notDoneInTime: p.lost } : {}),
    ...(p.undecryptable ? { undecryptable: p.undecryptable, firstError: p.firstError } : {}),
    wallSeconds: round(p.wallMs / 1000),
    [`${what}PerSecond`]: round((p.done / p.wallMs) * 1000, 1),
    serverCpuPerMessageMs: round(p.serverCpuMs / p.done),
    ...(what === 'messages' ? { serverCpuPerMessageLessControlApiMs: round(p.serverCpuMs / p.done - postCpuMs) } : {}),
    serverCpuShare: round(p.serverCpuMs / p.wallMs, 2),
    benchProcessCpuPerMessageMs: round(p.clientCpuMs / p.done),
    benchProcessCpuShare: round(p.clientCpuMs / p.wallMs, 2),
    latencyObservedMs: { p50: round(pct(p.observedMs, 0.5), 1), p95: round(pct(p.observedMs, 0.95), 1) },
    ...(p.serverMs.length ? { latencyWrittenToReceiptServerMs: { p50: round(pct(p.serverMs, 0.5), 1), p95: round(pct(p.serverMs, 0.95), 1) } } : {}),
  };
}

async function benchVersion(version: string, o: Required<Omit<MessagesBenchOptions, 'versions' | 'log'>>, log: (l: string) => void) {
  const server = await startServerProcess();
  const root = await mkdtemp(join(tmpdir(), 'bc-bench-msg-'));
  const clients: ObservedClient[] = [];
  try {
    const { publicKey } = await server.api('GET', '/trust');
    const trusted = Buffer.from(publicKey, 'base64');
    const contacts = ((await server.api('GET', '/contacts')) as { jid: string }[]).map((c) => c.jid);
    const targets: { jid: string; contact: string }[] = [];
    for (let i = 0; i < o.clients; i++) {
      const authDir = join(root, `d${i}`);
      const { jid } = await server.api('POST', '/devices', { authDir, baileysVersion: version });
      targets.push({ jid, contact: contacts[i % contacts.length]! });
      const client = await ObservedClient.connect({ version, wsUrl: server.wsUrl, trustedPublicKey: trusted, authDir, socketConfig });
      watch(client);
      clients.push(client);
      await client.waitFor('open', 30_000);
    }
    // Warm-up, not measured: the first logins' pre-key uploads settle, each pair's Signal session
    // is set up (pkmsg), then the steady state (msg).
    await sleep(2_000);
    log(`bench: messages, Baileys ${version}: warm-up…`);
    await inbound(server, targets, o.clients * 3, o.window, 60_000);
    await inbound(server, targets.slice(0, 1), 50, o.window, 60_000);

    log(`bench: messages, Baileys ${version}: ${o.count} to one client, ${o.window} outstanding…`);
    const one = await inbound(server, targets.slice(0, 1), o.count, o.window, 180_000);
    log(`bench: messages, Baileys ${version}: ${o.count * 2} to ${o.clients} clients, ${o.window} outstanding in all…`);
    const many = await inbound(server, targets, o.count * 2, o.window, 240_000);
    let answered: Phase | undefined;
    if (o.answers > 0) {
      log(`bench: messages, Baileys ${version}: ${o.answers} answers from one client…`);
      const sock = clients[0]!.socket as unknown as Sock;
      await answers(server, sock, targets[0]!.contact, 5, 1, 60_000); // warm-up: usync, the contact's and own phone's bundles
      // One outstanding: with several in flight to one contact, the server could not decrypt any but
      // the first after the session had ratcheted ("No matching sessions found"; README, Benchmarks).
      answered = await answers(server, sock, targets[0]!.contact, o.answers, 1, 120_000);
    }
    const postCpuMs = await rejectedPostCpuMs(server);
    return {
      version,
      oneClient: summarize(one, 'messages', postCpuMs),
      clients: { n: o.clients, ...summarize(many, 'messages', postCpuMs) },
      ...(answered ? { answersOneClient: summarize(answered, 'answers', postCpuMs) } : {}),
      rejectedPostMessagesCpuMs: round(postCpuMs),
    };
  } finally {
    for (const c of clients) await c.end().catch(() => undefined);
    await server.stop();
    await rm(root, { recursive: true, force: true });
  }
}

export async function benchMessages(opts: MessagesBenchOptions = {}) {
  const o = { clients: opts.clients ?? 10, count: opts.count ?? 1000, window: opts.window ?? 32, answers: opts.answers ?? 200 };
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const perVersion = [];
  for (const version of opts.versions ?? versionsUnderTest()) perVersion.push(await benchVersion(version, o, log));
  return {
    setup:
      `Server: baileys-chaos serve in its own process (CPU from GET /stats). Clients: real Baileys in the bench process (on this 2-core machine the server has one core and the clients the other; worker processes would compete for the same two). ` +
      `Closed loops: inbound, at most ${o.window} messages outstanding across all clients, POST /messages (encrypted by the server), a place freed at the client's upsert, every receipt then checked on the server (message-receipted), the wall time ending at the last. ` +
      `One client: ${o.count} messages; ${o.clients} clients: ${o.count * 2}. Answers: ${o.answers} sock.sendMessage to a contact, one outstanding, done when the server decrypted it (GET /events polled every 10 ms).`,
    fields:
      "serverCpuPerMessageMs: the server process's whole CPU per message (answers: per answer, with the polls). serverCpuPerMessageLessControlApiMs: less a refused POST /messages' CPU (HTTP + JSON), measured on the same server. " +
      "benchProcessCpuPerMessageMs: the bench process's CPU per message: the real clients (decryption, receipts, session writes) and the bench's own HTTP. *CpuShare: CPU / wall time (1 = one core busy). " +
      'latencyObservedMs: bench clock, from the request (POST or sendMessage) to the client\'s upsert (answers: to the polled server event). latencyWrittenToReceiptServerMs: server clock, from the message written to the socket to its receipt read.',
    perVersion,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { versions: { type: 'string' }, clients: { type: 'string' }, count: { type: 'string' }, window: { type: 'string' }, answers: { type: 'string' } } });
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const r = await benchMessages({
    ...(values.versions ? { versions: values.versions.split(',') } : {}),
    ...(values.clients ? { clients: num(values.clients)! } : {}),
    ...(values.count ? { count: num(values.count)! } : {}),
    ...(values.window ? { window: num(values.window)! } : {}),
    ...(values.answers ? { answers: num(values.answers)! } : {}),
  });
  process.stdout.write(JSON.stringify(r, null, 2) + '\n');
}
