// The skeleton every deliberately broken bot shares: the reconnect loop of Baileys' README, with one
// policy hook that decides what to do after a close. Each broken bot is this loop plus one mistake.
// It runs as a module (`--bot ./x.mjs`: connect(ctx)) and as a command (as-command.mjs), unchanged.
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** What a store that loses its Signal sessions leaves: creds and keys, but no session with anyone. */
async function forgetSessions(authDir) {
  const files = await readdir(authDir).catch(() => []);
  await Promise.all(files.filter((f) => f.startsWith('session-')).map((f) => rm(join(authDir, f), { force: true })));
}

/**
 * policy.afterClose({code, failures}) → {action: 'reconnect' | 'stop' | 're-pair', delayMs?, twice?, forgetSessions?}
 *   forgetSessions: the store loses its Signal sessions (session-*.json) before the reconnect.
 *   failures: consecutive closes without an open in between.
 * policy.onSocket?(sock, n): called with each new socket, n counting from 1 (a bot's other handlers).
 * policy.socketOptions?(n): more makeWASocket options for the n-th socket (a bot's own config).
 */
export function brokenBot(policy) {
  return async function connect({ baileys, wsUrl, authDir, report = () => {} }) {
    const makeWASocket = baileys.default?.default ?? baileys.default ?? baileys.makeWASocket;
    const { default: pino } = await import('pino');
    let stopped = false;
    let failures = 0;
    let made = 0;
    const sockets = new Set();
    const timers = new Set();
    const later = (ms, fn) => {
      const t = setTimeout(() => (timers.delete(t), fn()), ms);
      timers.add(t);
    };
    const start = async () => {
      if (stopped) return;
      const { state, saveCreds } = await baileys.useMultiFileAuthState(authDir);
      report({ type: 'attempt' });
      made++;
      const sock = makeWASocket({ auth: state, waWebSocketUrl: wsUrl, logger: pino({ level: 'silent' }), printQRInTerminal: false, ...policy.socketOptions?.(made) });
      sockets.add(sock);
      policy.onSocket?.(sock, made);
      sock.ev.on('creds.update', saveCreds);
      sock.ev.on('connection.update', ({ connection, lastDisconnect, qr }) => {
        if (qr) report({ type: 'qr' });
        if (connection === 'open') {
          failures = 0;
          report({ type: 'open' });
        }
        if (connection !== 'close') return;
        sockets.delete(sock);
        const code = lastDisconnect?.error?.output?.statusCode;
        failures++;
        report({ type: 'close', code });
        const next = policy.afterClose({ code, failures });
        if (stopped || next.action === 'stop') return report({ type: 'stopped', reason: `policy: ${code}` });
        const go = async () => {
          if (next.action === 're-pair') await rm(authDir, { recursive: true, force: true });
          if (next.forgetSessions) await forgetSessions(authDir);
          void start();
          if (next.twice) void start();
        };
        later(next.delayMs ?? 0, go);
      });
    };
    await start();
    return {
      stop() {
        stopped = true;
        for (const t of timers) clearTimeout(t);
        for (const s of sockets) s.end(undefined);
      },
    };
  };
}

/** A sane backoff (real ms): 300 ms doubling to 3 s. */
export const backoff = (failures) => Math.min(3_000, 300 * 2 ** (failures - 1));
