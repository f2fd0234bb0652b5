// An echo bot as a module (`--bot examples/echo-bot/echo-bot.mjs --answers`): the reconnect loop of
// Baileys' README (reconnect at once on any close but "logged out") that answers every text with
// "echo: <text>", quoting it. The answer handler is registered on every new socket: a handler kept
// from the first socket hears nothing after a reconnect. bot.mjs runs this same code as a command.
export default async function connect({ baileys, wsUrl, authDir, report = () => {} }) {
  const makeWASocket = baileys.default?.default ?? baileys.default ?? baileys.makeWASocket;
  const { default: pino } = await import('pino');
  let stopped = false;
  let current;
  // Answers the connection dropped before they were written. The text was already receipted, so
  // WhatsApp will not deliver it again: without this the answer is lost (the harness's finding).
  const unsent = [];
  const start = async () => {
    if (stopped) return;
    const { state, saveCreds } = await baileys.useMultiFileAuthState(authDir);
    // No wsUrl: a command under the redirect preload, whose default socket URL is already the server's.
    const sock = makeWASocket({ auth: state, logger: pino({ level: 'silent' }), ...(wsUrl ? { waWebSocketUrl: wsUrl } : {}) });
    current = sock;
    sock.ev.on('creds.update', saveCreds);
    answerEveryText(sock, (answer) => unsent.push(answer));
    sock.ev.on('connection.update', ({ connection, lastDisconnect }) => {
      if (connection === 'open') {
        report({ type: 'open' });
        for (const a of unsent.splice(0)) send(sock, a, (again) => unsent.push(again));
      }
      if (connection !== 'close') return;
      const code = lastDisconnect?.error?.output?.statusCode;
      report({ type: 'close', code });
      if (code !== baileys.DisconnectReason.loggedOut) void start();
    });
  };
  await start();
  return {
    stop() {
      stopped = true;
      current?.end(undefined);
    },
  };
}

/** Answers each text that arrives on this socket with "echo: <text>", quoting it; `failed` gets an answer that could not be sent. */
export function answerEveryText(sock, failed = () => {}) {
  sock.ev.on('messages.upsert', ({ messages, type }) => {
    // notify: live; append: what waited while the bot was away (offline delivery).
    if (type !== 'notify' && type !== 'append') return;
    for (const msg of messages) {
      const text = msg.message?.conversation ?? msg.message?.extendedTextMessage?.text;
      if (msg.key.fromMe || !text) continue;
      send(sock, { jid: msg.key.remoteJid, content: { text: 'echo: ' + text }, options: { quoted: msg } }, failed);
    }
  });
}

function send(sock, answer, failed) {
  sock.sendMessage(answer.jid, answer.content, answer.options).catch(() => failed(answer));
}
