/**
 * A bot module for `--bot ./examples/naive-connector.ts`: the reconnect loop most bots copy from Baileys' README — reconnect
 * at once on any close but "logged out", no backoff, no cleanup of the old socket, 440 not
 * treated as terminal. The harness's baseline for a supervisor to beat.
 */
import type { Connector } from 'baileys-chaos';

const connect: Connector = async ({ baileys, wsUrl, authDir, report }) => {
  const { state, saveCreds } = await baileys.useMultiFileAuthState(authDir);
  const { default: pino } = await import('pino');
  let stopped = false;
  let current: ReturnType<typeof baileys.default> | undefined;
  const start = () => {
    if (stopped) return;
    report({ type: 'attempt' });
    const sock = baileys.default({ auth: state, waWebSocketUrl: wsUrl, logger: pino({ level: 'silent' }) });
    current = sock;
    sock.ev.on('creds.update', saveCreds);
    sock.ev.on('connection.update', (u: { connection?: string; lastDisconnect?: { error?: { output?: { statusCode?: number } } } }) => {
      if (u.connection === 'open') report({ type: 'open' });
      if (u.connection === 'close') {
        const code = u.lastDisconnect?.error?.output?.statusCode;
        report({ type: 'close', code });
        if (code !== baileys.DisconnectReason.loggedOut) start();
      }
    });
  };
  start();
  return {
    stop: () => {
      stopped = true;
      current?.end(undefined);
    },
  };
};

export default connect;
