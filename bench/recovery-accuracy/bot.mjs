// A bot with one known backoff: it reconnects exactly DELAY ms (argv[2]) after any close but a
// logout, with no jitter. The recovery-accuracy bench knows d, so it can tell how far the measured
// gap between the server's close and the next attempt strays from it.
import makeWASocket, { DisconnectReason, useMultiFileAuthState } from '@whiskeysockets/baileys';
import pino from 'pino';

const delay = Number(process.argv[2]);
if (!(delay >= 0)) throw new Error('usage: node bot.mjs DELAY_MS');

async function start() {
  const { state, saveCreds } = await useMultiFileAuthState(process.env.BAILEYS_CHAOS_AUTH_DIR ?? 'auth_info_baileys');
  const sock = makeWASocket({ auth: state, logger: pino({ level: 'silent' }) });
  sock.ev.on('creds.update', saveCreds);
  sock.ev.on('connection.update', ({ connection, lastDisconnect }) => {
    if (connection !== 'close') return;
    if (lastDisconnect?.error?.output?.statusCode === DisconnectReason.loggedOut) process.exit(0);
    setTimeout(start, delay);
  });
}

start();
