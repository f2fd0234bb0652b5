// The plain README-style bot (reconnect at once on any close but "logged out"), except that its
// second instance (client 1) stalls for a second (machine time) after each login, before its open: a process
// that is cold or starved for CPU. The first instance, replaced by it, reconnects at once and
// replaces it in turn before it opens.
import makeWASocket, { DisconnectReason, useMultiFileAuthState } from '@whiskeysockets/baileys';
import pino from 'pino';

const stalls = process.env.BAILEYS_CHAOS_CLIENT === '1';

async function start() {
  const { state, saveCreds } = await useMultiFileAuthState('auth_info_baileys');
  const sock = makeWASocket({ auth: state, logger: pino({ level: 'silent' }) });
  sock.ev.on('creds.update', saveCreds);
  if (stalls) {
    // A second of machine time: under virtual time at speed K the clock reads it K times longer, as
    // it reads the first instance's reconnect (a login, CPU work). Measured on the clock alone, the
    // stall shrank against that reconnect and the second instance could open first (a CI sim at x10).
    const machineSecond = 1000 * (Number(process.env.BAILEYS_CHAOS_SPEED) || 1);
    sock.ws.on('CB:success', () => {
      const until = Date.now() + machineSecond;
      while (Date.now() < until);
    });
  }
  sock.ev.on('connection.update', ({ connection, lastDisconnect }) => {
    if (connection === 'close' && lastDisconnect?.error?.output?.statusCode !== DisconnectReason.loggedOut) start();
  });
}

start();
