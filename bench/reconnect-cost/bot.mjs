// The "bot process" of bench/reconnect-cost.ts: plain JavaScript, so any Node binary runs it with
// no loader. It opens ONE real Baileys socket (the version's own module, imported from its
// installed path) against the fake server, and reconnects the way bots do: on every close that is
// not a logout, a fresh makeWASocket with the same auth state. The server closes each connection
// (the parent applies a 515 stream error when told "restart-me"). After the logins listed in
// `ks` (k = reconnects so far) it times a fixed async workload and counts the properties on a
// fresh promise. One JSON object per stdout line; the parent reads them.
//
// A login that does not open within openTimeoutMs is retried with a fresh socket (at most 3 times,
// reported with the results): the bench measures reconnects, not that stall.
//
// argv[2]: JSON { baileysUrl, wsUrl, trustedKey (base64), authDir, ks: number[], reps, calls,
//                 settleMs, openTimeoutMs }
import pino from 'pino';
import { trustTestRoot } from '../../harness/baileys/trust.mjs';

const cfg = JSON.parse(process.argv[2]);
const send = (msg) => process.stdout.write(JSON.stringify(msg) + '\n');
/** An error's name, message and first frames, without the source line a SyntaxError's stack quotes. */
const describe = (err) =>
  err instanceof Error ? [`${err.name}: ${err.message}`, ...(err.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l)).slice(0, 4)].join('\n') : String(err);
/** The last connection updates, for a failure's message. */
const history = [];
const note = (line) => {
  history.push(`${Math.round(performance.now())}ms ${line}`);
  if (history.length > 12) history.shift();
};
const fail = (message) => {
  send({ type: 'error', message: `${message}`.slice(0, 1500) + (history.length ? `; last connection updates: ${history.join(', ')}` : '') });
  process.exit(1);
};
process.on('uncaughtException', (err) => fail(`uncaught ${describe(err)}`));
process.on('unhandledRejection', (err) => fail(`unhandled rejection ${describe(err)}`));

const trivial = async (i) => i;
/** ms for `calls` sequential awaits of a trivial async function. */
async function workload(calls) {
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) await trivial(i);
  return performance.now() - t0;
}
/** What a fresh promise carries: all own symbols, and the ones AsyncLocalStorage instances put there. */
function promiseProps() {
  const p = Promise.resolve();
  const symbols = Object.getOwnPropertySymbols(p);
  return {
    symbols: symbols.length,
    names: Object.getOwnPropertyNames(p).length,
    resourceStores: symbols.filter((s) => s.description === 'kResourceStore').length,
  };
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return (s[Math.floor((s.length - 1) / 2)] + s[Math.ceil((s.length - 1) / 2)]) / 2;
};
async function measure() {
  await workload(cfg.calls); // warm-up: JIT, not the state under test
  const repsMs = [];
  for (let r = 0; r < cfg.reps; r++) repsMs.push(await workload(cfg.calls));
  return { ms: median(repsMs), repsMs, promise: promiseProps() };
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const baileys = await import(cfg.baileysUrl);
trustTestRoot(baileys, Buffer.from(cfg.trustedKey, 'base64'));
const makeWASocket = baileys.makeWASocket ?? baileys.default;
const { state, saveCreds } = await baileys.useMultiFileAuthState(cfg.authDir);
const logger = pino({ level: 'silent' });
const maxK = Math.max(...cfg.ks);

// Before any socket: the process with Baileys loaded, nothing entered yet.
send({ type: 'baseline', ...(await measure()) });

let reconnects = -1; // becomes 0 at the first open
let sock;
let sockets = 0;
let openTimer;
/** Logins that never opened (seen rarely on 6.7.21: <success> sent, no open) and were retried with a fresh socket. */
const stalls = [];

function stalled() {
  const what = `no open within ${cfg.openTimeoutMs} ms (after ${reconnects + 1} opens)`;
  if (stalls.length >= 3) fail(`${what}, a 4th time`);
  stalls.push({ afterOpens: reconnects + 1, updates: history.slice(-4) });
  note(`stalled: a fresh socket`);
  const old = sock;
  sock = undefined; // its close is not a reconnect of its own
  try {
    old?.end(undefined);
  } catch {
    /* already ended */
  }
  connect();
}
let ending = false;

function connect() {
  clearTimeout(openTimer);
  openTimer = setTimeout(stalled, cfg.openTimeoutMs);
  const mine = ++sockets;
  const s = makeWASocket({
    waWebSocketUrl: cfg.wsUrl,
    auth: state,
    logger,
    markOnlineOnConnect: false,
    syncFullHistory: false,
    keepAliveIntervalMs: 30_000,
    connectTimeoutMs: 20_000,
  });
  sock = s;
  s.ev.on('creds.update', () => void saveCreds());
  s.ev.on('connection.update', (u) => {
    const code = u.lastDisconnect?.error?.output?.statusCode;
    if (u.connection || u.qr) note(`#${mine} ${u.qr ? 'qr' : u.connection}${code ? ` ${code}` : ''}`);
    if (u.qr) fail('the client asked for a QR: the provisioned session was not accepted');
    if (s !== sock) return; // an old socket's late update: the bot has moved on
    if (u.connection === 'open') void opened();
    if (u.connection === 'close' && !ending) {
      if (code === baileys.DisconnectReason.loggedOut) fail(`logged out (${code})`);
      connect(); // what bots do: a fresh socket on every close that is not a logout
    }
  });
}

async function opened() {
  clearTimeout(openTimer);
  reconnects++;
  // Let the login's own work (pre-key checks, presence, init queries) finish, as it would between
  // real reconnects that are minutes apart.
  await sleep(cfg.settleMs);
  if (cfg.ks.includes(reconnects)) send({ type: 'result', k: reconnects, logins: reconnects + 1, stalls: [...stalls], ...(await measure()) });
  if (reconnects >= maxK) {
    ending = true;
    try {
      sock.end(undefined);
    } catch {
      /* already ended */
    }
    await sleep(100); // let creds writes in flight land
    send({ type: 'done' });
    process.exit(0);
  }
  send({ type: 'restart-me', reconnects });
}

connect();
