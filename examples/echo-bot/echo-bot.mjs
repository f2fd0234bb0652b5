// An echo bot as a module (`--bot examples/echo-bot/echo-bot.mjs --answers`): the reconnect loop of
// Baileys' README (reconnect at once on any close but "logged out") that answers every text with
// "echo: <text>", quoting it. The answer handler is registered on every new socket: a handler kept
// from the first socket hears nothing after a reconnect. bot.mjs runs this same code as a command.
export default function connect(args) {
  return echoBot(args);
}

/**
 * The echo bot; `sendAtOnce: true` sends each answer as it comes, as Baileys' README does, instead
 * of one at a time (on 6.7.21 that reuses Signal message keys: README Findings).
 */
export async function echoBot({ baileys, wsUrl, authDir, report = () => {} }, { sendAtOnce = false } = {}) {
  const makeWASocket = baileys.default?.default ?? baileys.default ?? baileys.makeWASocket;
  const { default: pino } = await import('pino');
  let stopped = false;
  let current;
  // The socket open now, if any: an answer whose send failed after the next socket opened goes on it.
  let openSock;
  // Answers the connection dropped before they were written. The text was already receipted, so
  // WhatsApp will not deliver it again: without this the answer is lost (the harness's finding).
  const unsent = [];
  // A send that failed on an older socket goes at once on the one open now (it may have opened
  // while the send waited); otherwise at the next open.
  const failed = (answer, on) => (openSock && openSock !== on ? send(openSock, answer, h) : unsent.push(answer));
  // What it sent, by id: a contact that could not decrypt an answer sends a retry receipt, and
  // Baileys sends the same id again only if getMessage finds it (6.7.21 has no other source;
  // 7.0.0-rc14 also keeps a cache, but only for the socket that sent it).
  const sent = new Map();
  // What it answered, by message id: WhatsApp delivers at least once (a message whose receipt was
  // lost with the connection comes again, and Baileys may emit it again), so it answers an id once.
  // An id counts once its answer was sent (a send cut by the connection does not).
  const answered = new Set();
  // Answers written but not yet delivered (the contact's receipt, status 3), by id: a write made
  // just before the connection dropped is lost in flight though sendMessage resolved, so each goes
  // again, with the same id, on the next socket until its receipt comes.
  const undelivered = newDeliveryTracker();
  // One send at a time, across sockets: Baileys 6.7.21 seals concurrent sends to one contact with
  // the same Signal message key (README Findings), which the contact cannot decrypt.
  const h = { failed, sent, answered, undelivered, queue: sendAtOnce ? (task) => task() : newSendQueue() };
  const start = async () => {
    if (stopped) return;
    const { state, saveCreds } = await baileys.useMultiFileAuthState(authDir);
    // No wsUrl: a command under the redirect preload, whose default socket URL is already the server's.
    const sock = makeWASocket({ auth: state, logger: pino({ level: 'silent' }), getMessage: async (key) => sent.get(key.id), ...(wsUrl ? { waWebSocketUrl: wsUrl } : {}) });
    current = sock;
    sock.ev.on('creds.update', saveCreds);
    answerEveryText(sock, h);
    sock.ev.on('messages.update', (updates) => {
      for (const { key, update } of updates) if (key.fromMe && update.status >= DELIVERED) undelivered.delivered(key.id);
    });
    sock.ev.on('connection.update', ({ connection, lastDisconnect }) => {
      if (connection === 'open') {
        openSock = sock;
        report({ type: 'open' });
        for (const a of unsent.splice(0)) send(sock, a, h);
        for (const a of undelivered.pending.values()) send(sock, a, h);
      }
      if (connection !== 'close') return;
      if (openSock === sock) openSock = undefined;
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

/**
 * Answers each text that arrives on this socket with "echo: <text>", quoting it. In `h` (each
 * optional): `failed` gets an answer that could not be sent; `sent` (a Map) keeps each answer's
 * message by id for getMessage; `answered` (a Set) the ids whose answer was sent, so a message
 * delivered again is answered once; `undelivered` the answers not yet receipted; `queue` the one
 * queue the answers are sent on.
 */
export function answerEveryText(sock, h = {}) {
  h = { failed: () => {}, sent: new Map(), answered: new Set(), undelivered: newDeliveryTracker(), queue: newSendQueue(), ...h };
  sock.ev.on('messages.upsert', ({ messages, type }) => {
    // notify: live; append: what waited while the bot was away (offline delivery).
    if (type !== 'notify' && type !== 'append') return;
    for (const msg of messages) {
      const text = msg.message?.conversation ?? msg.message?.extendedTextMessage?.text;
      if (msg.key.fromMe || !text) continue;
      const of = `${msg.key.remoteJid}|${msg.key.id}`;
      if (h.answered.has(of)) continue;
      send(sock, { jid: msg.key.remoteJid, content: { text: 'echo: ' + text }, options: { quoted: msg }, of }, h);
    }
  });
}

/** proto.WebMessageInfo.Status.DELIVERY_ACK: the recipient's phone receipted it. */
const DELIVERED = 3;

/** Answers written and not yet receipted by the contact (a receipt may come before the write resolves). */
function newDeliveryTracker() {
  const pending = new Map();
  const done = new Set();
  return {
    pending,
    delivered(id) {
      pending.delete(id);
      done.add(id);
      if (done.size > 5000) done.delete(done.values().next().value); // the oldest goes
    },
    // Sent again with the same id: the contact sees one answer, however many writes it took.
    written(id, answer) {
      if (!done.has(id) && !pending.has(id) && pending.size < 1000) pending.set(id, { ...answer, options: { ...answer.options, messageId: id } });
    },
  };
}

/** Runs sends one after another; a send that fails does not stop the ones after it. */
function newSendQueue() {
  let tail = Promise.resolve();
  return (task) => {
    const run = tail.then(task);
    tail = run.catch(() => undefined);
    return run;
  };
}

function send(sock, answer, { failed, sent, answered, undelivered, queue }) {
  queue(() => sock.sendMessage(answer.jid, answer.content, answer.options))
    .then((m) => {
      if (m?.key?.id) undelivered.written(m.key.id, answer);
      if (answer.of && answered) {
        answered.add(answer.of);
        if (answered.size > 5000) answered.delete(answered.values().next().value); // the oldest goes
      }
      if (!m?.key?.id || !m.message) return;
      sent.set(m.key.id, m.message);
      if (sent.size > 1000) sent.delete(sent.keys().next().value); // the oldest goes
    })
    .catch(() => failed(answer, sock));
}
