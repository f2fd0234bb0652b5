// A plain Baileys bot in the style of Baileys' README: no backoff, reconnect at once on any close
// except "logged out". It knows nothing of baileys-chaos; run it against the fake server with
//   node --import baileys-chaos/redirect bot.mjs
import makeWASocket, { DisconnectReason, useMultiFileAuthState } from '@whiskeysockets/baileys';
import pino from 'pino';

async function start() {
  const { state, saveCreds } = await useMultiFileAuthState('auth_info_baileys');
  const sock = makeWASocket({ auth: state, logger: pino({ level: 'silent' }) });
  sock.ev.on('creds.update', saveCreds);
  sock.ev.on('connection.update', ({ connection, lastDisconnect, qr }) => {
    if (qr) console.log('scan this QR:', qr);
    if (connection === 'open') console.log('connection open');
    if (connection === 'close') {
      const code = lastDisconnect?.error?.output?.statusCode;
      const again = code !== DisconnectReason.loggedOut;
      console.log(`connection closed (${code}), reconnecting: ${again}`);
      if (again) start();
    }
  });
}

start();
